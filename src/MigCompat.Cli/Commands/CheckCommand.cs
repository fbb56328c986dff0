using System.CommandLine;
using MigCompat.Cli.Input;
using MigCompat.Cli.Output;
using MigCompat.Core.Matching;

namespace MigCompat.Cli.Commands;

/// <summary><c>migcompat check SOURCE TARGET</c>: can the source device live-migrate to the target, and if not, why.</summary>
internal static class CheckCommand
{
    /// <summary>How a descriptor input may be written; shared by the commands that read descriptors.</summary>
    public const string InputForms =
        "A descriptor file, a directory of per-attribute files (Sept-2020 sysfs form), or INVENTORY.json#DEVICE_ID / INVENTORY.json#PARENT/TYPE_ID.";

    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var source = new Argument<string>("SOURCE") { Description = "The device the VM uses now. " + InputForms };
        var target = new Argument<string>("TARGET") { Description = "The device (or creatable type) on the target host. " + InputForms };
        var format = CliOptions.Format();
        var command = new Command("check", "Say whether SOURCE can live-migrate to TARGET (live / cold / none) and why, field by field.")
        {
            source,
            target,
            format,
        };
        command.SetAction(parseResult => Run(
            parseResult.GetRequiredValue(source),
            parseResult.GetRequiredValue(target),
            parseResult.GetValue(format) == CliOptions.Json,
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return CommandHelp.Describe(
            command,
            [
                "migcompat check source.desc target.desc",
                "migcompat check vm-vgpu.desc /sys/class/mdev_bus/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4",
                "migcompat check inv-a.json#0b0c5c1a-7f4e-4e0a-9a38-1c2b3d4e5f60 inv-b.json#0000:00:02.0/i915-GVTg_V5_4",
                "migcompat check source.desc target.desc --format json",
            ],
            [
                (ExitCodes.Success, "live-compatible: the target can load the source's device state"),
                (ExitCodes.NotCompatible, "not live-compatible (cold or none); the output says why"),
                (ExitCodes.UnusableInput, "unusable input: unreadable file, syntax error, unknown inventory id, bad usage"),
                (ExitCodes.InternalError, "internal error (a bug; please report it)"),
            ]);
    }

    /// <summary>Runs the check.</summary>
    /// <param name="sourceArgument">The SOURCE argument.</param>
    /// <param name="targetArgument">The TARGET argument.</param>
    /// <param name="json">True for JSON output.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <returns>The exit code.</returns>
    public static int Run(string sourceArgument, string targetArgument, bool json, TextWriter stdout, TextWriter stderr)
    {
        var source = DescriptorInput.Load(sourceArgument);
        var target = DescriptorInput.Load(targetArgument);
        DiagnosticOutput.WriteLines(stderr, source.Diagnostics.Concat(target.Diagnostics));
        if (source.Descriptor is null || target.Descriptor is null)
        {
            var failed = new[] { source, target }.Where(d => !d.Success).Select(d => d.Name);
            stderr.Write($"migcompat check: cannot compare: {string.Join(" and ", failed)} not usable (see the errors above)\n");
            return ExitCodes.UnusableInput;
        }

        var verdict = Matcher.Check(source.Descriptor, target.Descriptor);
        if (json)
        {
            JsonOutput.Write(stdout, writer => VerdictJson.Write(writer, source.Name, target.Name, verdict));
        }
        else
        {
            VerdictText.Write(stdout, source.Name, target.Name, verdict);
        }

        return verdict.IsCompatible ? ExitCodes.Success : ExitCodes.NotCompatible;
    }
}
