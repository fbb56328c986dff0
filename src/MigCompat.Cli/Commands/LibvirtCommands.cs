using System.CommandLine;
using MigCompat.Cli.Fleet;
using MigCompat.Cli.Input;
using MigCompat.Cli.Output;
using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Importers;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Sysfs;
using MigCompat.Libvirt;

namespace MigCompat.Cli.Commands;

/// <summary>
/// The libvirt integration (docs/integrations-libvirt.md): <c>migcompat migrate-xml</c> on the source writes the claim
/// and the source devices' descriptors into the domain XML; <c>migcompat libvirt-hook</c> is libvirt's qemu hook on
/// the destination. The logic is in MigCompat.Libvirt; these commands read the inputs and print.
/// </summary>
internal static class LibvirtCommands
{
    /// <summary>The environment variable naming this host's inventory file for the hook (else a live scan).</summary>
    public const string HookInventoryVariable = "MIGCOMPAT_HOOK_INVENTORY";

    /// <summary>The environment variable with this host's name as claims name it (else the inventory's host).</summary>
    public const string HookHostVariable = "MIGCOMPAT_HOOK_HOST";

    /// <summary>How long the hook waits for the fleet server, all calls of one run together (libvirt waits for the hook).</summary>
    public static readonly TimeSpan HookServerTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The environment variable with the hook's limit for the fleet server, in seconds (else <see cref="HookServerTimeout"/>).</summary>
    public const string HookTimeoutVariable = "MIGCOMPAT_HOOK_TIMEOUT";

    /// <summary>The hook's exit code that cancels the incoming migration.</summary>
    public const int Refused = 1;

    /// <summary>Creates the commands.</summary>
    /// <returns>The commands.</returns>
    internal static IEnumerable<Command> Create() => [MigrateXmlCommand(), HookCommand()];

    private static Command MigrateXmlCommand()
    {
        var file = new Argument<string?>("XML") { Description = "The domain XML (virsh dumpxml VM); '-' or nothing reads stdin.", Arity = ArgumentArity.ZeroOrOne };
        var claim = new Option<string?>("--claim") { Description = "The claim's id, read from the fleet server (--server, or MIGCOMPAT_SERVER).", HelpName = "ID" };
        var claimFile = new Option<string?>("--claim-file") { Description = "The claim as JSON, as 'migcompat claims show ID --format json' prints it (no server needed).", HelpName = "FILE" };
        var inventory = new Option<string?>("--inventory") { Description = "This (source) host's inventory (migcompat scan --format json); default: scan this host now.", HelpName = "FILE" };
        var assign = new Option<string[]>("--assign") { Description = "Which claimed resource a device takes, when the claim holds several it could use: the device's mdev UUID or PCI address = a resourceKey of the claim. Repeat per device.", HelpName = "DEVICE=RESOURCE", AllowMultipleArgumentsPerToken = false };
        var server = new Option<string?>("--server") { Description = "The fleet server's base URL (or MIGCOMPAT_SERVER), for --claim.", HelpName = "URL" };
        var token = new Option<string?>("--token") { Description = "The token (or MIGCOMPAT_TOKEN): a read, scheduler or admin token.", HelpName = "TOKEN" };
        var command = new Command("migrate-xml", "Source side of a libvirt migration: write the claim and the source devices' descriptors into the domain XML's <metadata>, for virsh migrate --xml and the destination's libvirt-hook.")
        {
            file, claim, claimFile, inventory, assign, server, token,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            var (claimDocument, exitCode) = await ReadClaimAsync(parse.GetValue(claim), parse.GetValue(claimFile), parse.GetValue(server), parse.GetValue(token), stderr, cancellationToken);
            if (claimDocument is null)
            {
                return exitCode;
            }

            var assignments = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var text in parse.GetValue(assign) ?? [])
            {
                var at = text.IndexOf('=', StringComparison.Ordinal);
                if (at <= 0 || at == text.Length - 1)
                {
                    await stderr.WriteLineAsync($"migrate-xml: --assign '{text}' is not DEVICE=RESOURCE, e.g. --assign 53764d0e-85a0-42b4-af5c-2046b460b1dc=type:0000:00:02.0/i915-GVTg_V5_4");
                    return ExitCodes.UnusableInput;
                }

                assignments[text[..at]] = text[(at + 1)..];
            }

            var source = SourceInventory(parse.GetValue(inventory), stderr);
            if (source is null)
            {
                return ExitCodes.UnusableInput;
            }

            var path = parse.GetValue(file) is { } given && given != "-" ? given : null;
            Diagnostic? problem;
            var read = path is null
                ? BoundedFile.TryReadStandardInput("stdin", ImportLimits.MaxInputChars, out var xml, out problem)
                : BoundedFile.TryRead(path, ImportLimits.MaxInputChars, out xml, out problem);
            if (!read)
            {
                DiagnosticOutput.WriteLines(stderr, [problem!]);
                return ExitCodes.UnusableInput;
            }

            var result = MigrateXml.Prepare(xml, path ?? "stdin", claimDocument, source, assignments, DateTimeOffset.UtcNow);
            DiagnosticOutput.WriteLines(stderr, result.Diagnostics);
            if (result.Xml is null)
            {
                return ExitCodes.UnusableInput;
            }

            await parse.InvocationConfiguration.Output.WriteAsync(result.Xml);
            return ExitCodes.Success;
        });
        return CommandHelp.Describe(
            command,
            [
                "virsh dumpxml vm1 > vm1.xml",
                "migcompat migrate-xml vm1.xml --claim c8f0... --server http://fleet:8080 > vm1-migrate.xml",
                "migcompat migrate-xml vm1.xml --claim-file claim.json --inventory inventory.json > vm1-migrate.xml",
                "virsh migrate --live vm1 qemu+ssh://gpu-07/system --xml vm1-migrate.xml",
            ],
            [
                (ExitCodes.Success, "written: the domain XML with MigCompat's metadata on stdout"),
                (ExitCodes.UnusableInput, "unusable input, or no metadata can be written (no assigned device, a claim that is not active, a device without descriptor or claimed resource); nothing on stdout"),
                (FleetExitCodes.ServerFailed, "the server could not be reached, refused the token, or failed"),
                (ExitCodes.InternalError, "internal error (a bug; please report it)"),
            ]);
    }

    private static Command HookCommand()
    {
        var arguments = new Argument<string[]>("ARGS") { Description = "What libvirt passes: VM OPERATION SUB-OPERATION EXTRA (e.g. vm1 migrate begin -).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("libvirt-hook", "libvirt's qemu hook on the destination: on 'migrate begin', check the incoming VM's devices against the claimed devices of this host and rewrite them, or cancel the migration.")
        {
            arguments,
        };
        command.SetAction(parse => RunHook(parse.GetValue(arguments) ?? [], parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return CommandHelp.Describe(
            command,
            [
                "ln -s /usr/lib/migcompat/libvirt-hook /etc/libvirt/hooks/qemu.d/50-migcompat   # then restart libvirtd",
                "MIGCOMPAT_HOOK_INVENTORY=inventory.json migcompat libvirt-hook vm1 migrate begin - < vm1-migrate.xml",
            ],
            [
                (ExitCodes.Success, $"let the call go on: not 'migrate begin' (nothing on stdout), a VM without assigned devices (nothing), every device can live-migrate to its claimed device (the rewritten domain XML on stdout), or, without MigCompat metadata (Nova, KubeVirt) and with MIGCOMPAT_SERVER set, the fleet's source devices of the VM can live-migrate to the free devices of this host the XML names (nothing). This host's inventory: the file {HookInventoryVariable} names, else a scan of this host; its name: {HookHostVariable}, else the inventory's; the server's time limit: {HookTimeoutVariable} seconds, default 10 (docs/integrations-libvirt.md)"),
                (Refused, "cancel the incoming migration: every reason on stderr, one line each"),
                (ExitCodes.InternalError, "internal error (a bug; please report it): libvirt cancels the migration"),
            ]);
    }

    /// <summary>
    /// True when <paramref name="args"/> is a hook call (<c>libvirt-hook ...</c>, not asking for help): <see cref="CliApp"/>
    /// then runs it without the command-line parser, so whatever libvirt passes (a VM named <c>--x</c>) is never
    /// a usage error that would cancel the call, and a call that is not ours costs no more than starting the process.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <returns>True for a hook call.</returns>
    public static bool IsHookCall(string[] args) =>
        args.Length > 0 && args[0] == "libvirt-hook" && !(args.Length == 2 && args[1] is "--help" or "-h" or "-?");

    /// <summary>The hook: libvirt's arguments, the domain XML on stdin; the exit code libvirt acts on.</summary>
    /// <param name="args">What libvirt passes: VM OPERATION SUB-OPERATION EXTRA.</param>
    /// <param name="stdout">The domain XML libvirt continues with (nothing: unchanged).</param>
    /// <param name="stderr">The reasons, for libvirt's log.</param>
    /// <returns>0 to go on, 1 to cancel the incoming migration.</returns>
    public static int RunHook(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (!IncomingMigration.IsMigrateBegin(args))
        {
            // Not ours: take what libvirt writes and say nothing (empty output = the XML is unchanged).
            using (var stdin = Console.OpenStandardInput())
            {
                stdin.CopyTo(Stream.Null);
            }

            return ExitCodes.Success;
        }

        var vm = args[0];
        if (!BoundedFile.TryReadStandardInput("stdin", ImportLimits.MaxInputChars, out var xml, out var problem))
        {
            stderr.WriteLine($"migcompat libvirt-hook: {vm}: migration refused: {HookCodes.BadDomainXml}: the domain XML on stdin {problem!.Message}");
            return Refused;
        }

        using var fleet = Environment.GetEnvironmentVariable("MIGCOMPAT_SERVER") is { Length: > 0 } url ? FleetReader(url) : null;
        var decision = IncomingMigration.Check(
            xml,
            HookInventory,
            Environment.GetEnvironmentVariable(HookHostVariable) is { Length: > 0 } host ? host : null,
            DateTimeOffset.UtcNow,
            fleet is null ? null : fleet.ReadClaim,
            fleet);
        foreach (var reason in decision.Reasons)
        {
            stderr.WriteLine($"migcompat libvirt-hook: {vm}: migration refused: {reason}");
        }

        if (!decision.Allowed)
        {
            return Refused;
        }

        if (decision.Xml is not null)
        {
            stdout.Write(decision.Xml);
        }

        return ExitCodes.Success;
    }

    /// <summary>The fleet server (MIGCOMPAT_SERVER, MIGCOMPAT_TOKEN) within the hook's limit (<see cref="HookTimeoutVariable"/>).</summary>
    private static HookFleetReader FleetReader(string server)
    {
        var token = Environment.GetEnvironmentVariable("MIGCOMPAT_TOKEN");
        var text = Environment.GetEnvironmentVariable(HookTimeoutVariable);
        if (string.IsNullOrEmpty(text))
        {
            return new HookFleetReader(server, token, HookServerTimeout);
        }

        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds is >= 0.1 and <= 300
            ? new HookFleetReader(server, token, TimeSpan.FromSeconds(seconds))
            : new HookFleetReader(server, token, HookServerTimeout, $"{HookTimeoutVariable} '{text}' is not a number of seconds from 0.1 to 300; fix /etc/migcompat/libvirt-hook.env");
    }

    private static HookInventory HookInventory()
    {
        if (Environment.GetEnvironmentVariable(HookInventoryVariable) is { Length: > 0 } path)
        {
            var read = InventoryInput.Read(path);
            return read.Inventory is null
                ? new HookInventory(null, string.Join("; ", read.Diagnostics.Where(d => d.IsError).Select(d => $"{d.File}: {d.Message}")))
                : new HookInventory(read.Inventory, null);
        }

        return new HookInventory(SysfsScanner.Scan(new SysfsScanOptions()), null);
    }

    private static HostInventory? SourceInventory(string? path, TextWriter stderr)
    {
        if (path is null)
        {
            return SysfsScanner.Scan(new SysfsScanOptions());
        }

        var read = InventoryInput.Read(path);
        DiagnosticOutput.WriteLines(stderr, read.Diagnostics);
        return read.Inventory;
    }

    private static async Task<(ClaimDocument? Claim, int ExitCode)> ReadClaimAsync(string? id, string? file, string? serverText, string? token, TextWriter stderr, CancellationToken cancellationToken)
    {
        if ((id is null) == (file is null))
        {
            await stderr.WriteLineAsync("migrate-xml: give the claim either by id (--claim ID, read from the server) or as a file (--claim-file FILE), one of the two");
            return (null, ExitCodes.UnusableInput);
        }

        string json;
        string origin;
        if (file is not null)
        {
            if (!BoundedFile.TryRead(file, 1024 * 1024, out json, out var problem))
            {
                DiagnosticOutput.WriteLines(stderr, [problem!]);
                return (null, ExitCodes.UnusableInput);
            }

            origin = file;
        }
        else
        {
            if (!FleetCommands.TryServer(serverText ?? Environment.GetEnvironmentVariable("MIGCOMPAT_SERVER"), stderr, out var url))
            {
                return (null, ExitCodes.UnusableInput);
            }

            using var client = new FleetClient(url, token ?? Environment.GetEnvironmentVariable("MIGCOMPAT_TOKEN"));
            var (answer, exitCode) = await FleetClient.CallAsync("migrate-xml", url, () => client.GetAsync("/v1/claims/" + Uri.EscapeDataString(id!), cancellationToken), stderr, cancellationToken);
            if (answer is null)
            {
                return (null, exitCode);
            }

            json = answer.Text;
            origin = $"claim {id} from {url}";
        }

        var claim = ClaimDocument.Read(json, out var why);
        if (claim is null)
        {
            await stderr.WriteLineAsync($"migrate-xml: {origin}: {why}");
            return (null, ExitCodes.UnusableInput);
        }

        return (claim, ExitCodes.Success);
    }
}
