using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace MigCompat.Cli.Commands;

/// <summary>
/// Adds "Examples" and "Exit codes" sections to <c>--help</c>. A command factory calls
/// <see cref="Describe{T}"/> on its command; <see cref="Install"/> (called once on the root) makes the
/// help output print them after the standard sections.
/// </summary>
internal static class CommandHelp
{
    /// <summary>The exit codes most commands share.</summary>
    public static readonly (int Code, string Meaning)[] StandardExitCodes =
    [
        (ExitCodes.Success, "success"),
        (ExitCodes.UnusableInput, "unusable input: unreadable file, syntax error, unknown id, bad usage"),
        (ExitCodes.InternalError, "internal error (a bug; please report it)"),
    ];

    private static readonly ConditionalWeakTable<Command, HelpSections> Sections = [];

    /// <summary>Attaches examples and exit codes to <paramref name="command"/>'s help.</summary>
    /// <typeparam name="T">The command type.</typeparam>
    /// <param name="command">The command.</param>
    /// <param name="examples">Command lines, each optionally followed by <c>  # comment</c>.</param>
    /// <param name="exitCodes">The exit codes and what they mean.</param>
    /// <returns>The command.</returns>
    public static T Describe<T>(T command, IReadOnlyList<string> examples, IReadOnlyList<(int Code, string Meaning)> exitCodes)
        where T : Command
    {
        Sections.AddOrUpdate(command, new HelpSections(examples, exitCodes));
        return command;
    }

    /// <summary>
    /// Makes the root's (recursive) help option print the extra sections of whichever command help is
    /// shown for, and <c>--version</c> print <c>migcompat VERSION</c> (the packages take their version from it).
    /// </summary>
    /// <param name="root">The root command.</param>
    public static void Install(RootCommand root)
    {
        foreach (var option in root.Options)
        {
            if (option is HelpOption { Action: HelpAction standard } help)
            {
                // A fixed width: help reads the same in every terminal, pipe and test (golden files).
                standard.MaxWidth = HelpWidth;
                help.Action = new HelpWithSections(standard);
            }
            else if (option is VersionOption version)
            {
                version.Action = new VersionLine();
            }
        }
    }

    /// <summary>The version, <c>MAJOR.MINOR.PATCH</c> (the CLI project's <c>Version</c>), without the build's source revision.</summary>
    public static string Version
    {
        get
        {
            var assembly = typeof(CommandHelp).Assembly;
            var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? assembly.GetName().Version?.ToString(3)
                ?? "0.0.0";
            var plus = informational.IndexOf('+', StringComparison.Ordinal);
            return plus < 0 ? informational : informational[..plus];
        }
    }

    /// <summary>The width help text is wrapped at.</summary>
    private const int HelpWidth = 110;

    private static void WriteSections(Command command, TextWriter output)
    {
        if (!Sections.TryGetValue(command, out var sections))
        {
            return;
        }

        if (sections.Examples.Count > 0)
        {
            output.WriteLine("Examples:");
            foreach (var example in sections.Examples)
            {
                output.WriteLine("  " + example);
            }

            output.WriteLine();
        }

        if (sections.ExitCodes.Count > 0)
        {
            output.WriteLine("Exit codes:");
            foreach (var (code, meaning) in sections.ExitCodes)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {code}  {meaning}"));
            }

            output.WriteLine();
        }
    }

    /// <summary>The standard help, then the command's examples and exit codes.</summary>
    private sealed class HelpWithSections(HelpAction standard) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var exitCode = standard.Invoke(parseResult);
            WriteSections(parseResult.CommandResult.Command, parseResult.InvocationConfiguration.Output);
            return exitCode;
        }
    }

    /// <summary><c>migcompat --version</c>: one line, <c>migcompat 0.1.0</c>.</summary>
    private sealed class VersionLine : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine("migcompat " + Version);
            return ExitCodes.Success;
        }
    }

    private sealed record HelpSections(IReadOnlyList<string> Examples, IReadOnlyList<(int Code, string Meaning)> ExitCodes);
}
