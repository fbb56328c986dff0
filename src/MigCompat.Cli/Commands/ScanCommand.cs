using System.CommandLine;
using MigCompat.Cli.Output;
using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Sysfs;
using MigCompat.Cli.Input;

namespace MigCompat.Cli.Commands;

/// <summary><c>migcompat scan</c>: read this host's sysfs (read-only) into an inventory.</summary>
internal static class ScanCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var sysfsRoot = new Option<string>("--sysfs-root")
        {
            Description = "The sysfs tree to read (a copy of one works too). Never written to.",
            HelpName = "DIR",
            DefaultValueFactory = _ => "/sys",
        };
        var profiles = new Option<string?>("--profiles")
        {
            Description = "Directory of *.profile files that supply descriptors by driver, version and type (default: /etc/migcompat/profiles.d when it exists).",
            HelpName = "DIR",
        };
        var procRoot = new Option<string?>("--proc-root")
        {
            Description = "The procfs tree whose processes' open VFIO files say which devices VMs use now (default: /proc; read-only). In a container: run with the host PID namespace, or mount the host's /proc and name it here.",
            HelpName = "DIR",
        };
        var rules = CliOptions.Rules();
        var nvml = CliOptions.Nvml();
        var host = CliOptions.Host();
        var labels = CliOptions.Labels();
        var format = CliOptions.Format();
        var command = new Command("scan", "Read the host's assigned-device inventory from sysfs: devices in use and creatable mdev types with free capacity.")
        {
            sysfsRoot,
            profiles,
            rules,
            procRoot,
            nvml,
            host,
            labels,
            format,
        };
        command.SetAction(parseResult => CliOptions.ParseLabels("scan", parseResult.GetValue(labels), parseResult.InvocationConfiguration.Error) is not { } given ? ExitCodes.UnusableInput : Run(
            new SysfsScanOptions
            {
                SysfsRoot = parseResult.GetRequiredValue(sysfsRoot),
                ProfilesDirectory = parseResult.GetValue(profiles) ?? new SysfsScanOptions().ProfilesDirectory,
                RulesDirectory = parseResult.GetValue(rules) ?? new SysfsScanOptions().RulesDirectory,
                HostName = parseResult.GetValue(host) ?? Environment.MachineName,
                ProcRoot = parseResult.GetValue(procRoot) ?? SysfsScanOptions.DefaultProcRoot,
                NvmlLibrary = CliOptions.NvmlLibrary(parseResult.GetValue(nvml)),
                Labels = given,
            },
            profilesGiven: parseResult.GetValue(profiles) is not null,
            rulesGiven: parseResult.GetValue(rules) is not null,
            procRootGiven: parseResult.GetValue(procRoot) is not null,
            parseResult.GetValue(format) == CliOptions.Json,
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return CommandHelp.Describe(
            command,
            [
                "migcompat scan",
                "migcompat scan --format json > inventory.json",
                "migcompat scan --sysfs-root ./sys-copy --profiles ./profiles.d --host gpu-node-07",
                "migcompat scan --proc-root /host/proc --sysfs-root /host/sys",
                "migcompat scan --nvml /usr/lib64/libnvidia-ml.so.1",
            ],
            [
                (ExitCodes.Success, "scanned (what could not be read is listed as warnings on stderr)"),
                (ExitCodes.UnusableInput, "the sysfs root, a given profiles or rules directory, proc root or NVML library path does not exist, or bad usage"),
                (ExitCodes.InternalError, "internal error (a bug; please report it)"),
            ]);
    }

    /// <summary>Runs the scan.</summary>
    /// <param name="options">What to scan.</param>
    /// <param name="profilesGiven">True when the profiles directory was named explicitly (so it must exist).</param>
    /// <param name="rulesGiven">True when the rules directory was named explicitly (so it must exist).</param>
    /// <param name="procRootGiven">True when the proc root was named explicitly (so it must exist).</param>
    /// <param name="json">True for inventory JSON output.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <returns>The exit code.</returns>
    public static int Run(SysfsScanOptions options, bool profilesGiven, bool rulesGiven, bool procRootGiven, bool json, TextWriter stdout, TextWriter stderr)
    {
        var problems = new List<Diagnostic>();
        if (!Directory.Exists(options.SysfsRoot))
        {
            problems.Add(Diagnostic.Error(CliDiagnosticCodes.NotFound, "the sysfs root is not a directory", options.SysfsRoot, 0, 0));
        }

        if (profilesGiven && !Directory.Exists(options.ProfilesDirectory))
        {
            problems.Add(Diagnostic.Error(CliDiagnosticCodes.NotFound, "the profiles directory is not a directory", options.ProfilesDirectory, 0, 0));
        }

        if (rulesGiven && !Directory.Exists(options.RulesDirectory))
        {
            problems.Add(Diagnostic.Error(CliDiagnosticCodes.NotFound, "the rules directory is not a directory", options.RulesDirectory, 0, 0));
        }

        if (procRootGiven && !Directory.Exists(options.ProcRoot))
        {
            problems.Add(Diagnostic.Error(CliDiagnosticCodes.NotFound, "the proc root is not a directory", options.ProcRoot, 0, 0));
        }

        // A bare library name is looked up by the dynamic loader; a path must exist.
        if (options.NvmlLibrary is { } library && library.Contains('/', StringComparison.Ordinal) && !File.Exists(library))
        {
            problems.Add(Diagnostic.Error(CliDiagnosticCodes.NotFound, "the NVML library does not exist", library, 0, 0));
        }

        if (problems.Count > 0)
        {
            DiagnosticOutput.WriteLines(stderr, problems);
            return ExitCodes.UnusableInput;
        }

        var inventory = SysfsScanner.Scan(options);
        InventoryOutput.Write(stdout, inventory, json);
        InventoryTable.WriteWarnings(stderr, "scan", inventory.Warnings.IsDefault ? [] : inventory.Warnings);
        return ExitCodes.Success;
    }
}
