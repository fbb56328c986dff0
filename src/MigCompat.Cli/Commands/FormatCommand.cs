using System.CommandLine;
using MigCompat.Cli.Input;
using MigCompat.Cli.Output;
using MigCompat.Core.Formatting;

namespace MigCompat.Cli.Commands;

/// <summary><c>migcompat format FILE</c>: print a descriptor in the canonical form.</summary>
internal static class FormatCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The descriptor to format. " + CheckCommand.InputForms };
        var command = new Command("format", "Print a descriptor in the canonical form (SELF:, COMPATIBLE:, DYNAMIC: sections, no comments) on stdout.")
        {
            file,
        };
        command.SetAction(parseResult => Run(
            parseResult.GetRequiredValue(file),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return CommandHelp.Describe(
            command,
            [
                "migcompat format seed-target.desc",
                "migcompat format seed-target.desc > seed-target.canonical.desc",
                "migcompat format /sys/class/mdev_bus/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4",
            ],
            [
                (ExitCodes.Success, "formatted (warnings, if any, are on stderr)"),
                (ExitCodes.UnusableInput, "unusable input: unreadable file or syntax errors (diagnostics on stderr, nothing on stdout)"),
                (ExitCodes.InternalError, "internal error (a bug; please report it)"),
            ]);
    }

    /// <summary>Formats the input.</summary>
    /// <param name="argument">The input.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <returns>The exit code.</returns>
    public static int Run(string argument, TextWriter stdout, TextWriter stderr)
    {
        var loaded = DescriptorInput.Load(argument);
        DiagnosticOutput.WriteLines(stderr, loaded.Diagnostics);
        if (loaded.Descriptor is null)
        {
            return ExitCodes.UnusableInput;
        }

        stdout.Write(DescriptorFormatter.Format(loaded.Descriptor));
        return ExitCodes.Success;
    }
}
