using System.CommandLine;
using System.CommandLine.Invocation;
using MigCompat.Cli.Commands;

namespace MigCompat.Cli;

/// <summary>
/// The <c>migcompat</c> entry point with its writers passed in, so tests run the real command line
/// in-process. Bad usage exits 2 with a message on stderr; an unexpected exception exits 3 with a
/// one-line message, never a stack trace.
/// </summary>
internal static class CliApp
{
    /// <summary>Parses <paramref name="args"/>, runs the command and returns the exit code.</summary>
    /// <param name="args">The command-line arguments (without the program name).</param>
    /// <param name="stdout">Machine output and tables.</param>
    /// <param name="stderr">Diagnostics and messages for people.</param>
    /// <param name="cancellationToken">Cancels a long-running command.</param>
    /// <returns>The exit code (<see cref="ExitCodes"/>).</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (LibvirtCommands.IsHookCall(args))
        {
            return RunHook(args, stdout, stderr);
        }

        var root = CommandCatalog.CreateRoot();
        // No response files: '@name' is a file name like any other (a descriptor called '@gpu.desc').
        var parseResult = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        var usageErrors = IsHelpOrVersion(parseResult) ? [] : FindUsageErrors(parseResult);
        if (parseResult.Action is ParseErrorAction || usageErrors.Count > 0)
        {
            foreach (var message in usageErrors.Count > 0 ? usageErrors : parseResult.Errors.Select(e => e.Message))
            {
                await stderr.WriteAsync($"migcompat: error: {message}\n").ConfigureAwait(false);
            }

            await stderr.WriteAsync("Run 'migcompat --help' or 'migcompat COMMAND --help' for usage.\n").ConfigureAwait(false);
            return ExitCodes.UnusableInput;
        }

        var configuration = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await stderr.WriteAsync(InternalError("migcompat", ex)).ConfigureAwait(false);
            return ExitCodes.InternalError;
        }
    }

    /// <summary>The one line a bug prints: the message in words, no .NET type name or stack trace.</summary>
    private static string InternalError(string label, Exception ex) =>
        $"{label}: internal error (a bug; please report it): {ex.Message.ReplaceLineEndings(" ")}\n";

    /// <summary>libvirt's hook, run without the parser; a bug is exit 3 with one line (libvirt then cancels the call).</summary>
    private static int RunHook(string[] args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            return LibvirtCommands.RunHook(args[1..], stdout, stderr);
        }
        catch (Exception ex)
        {
            stderr.Write(InternalError("migcompat libvirt-hook", ex));
            return ExitCodes.InternalError;
        }
    }

    /// <summary>
    /// True when the command line asks for help, or the root for the version (which ignore everything else),
    /// or starts with the <c>[suggest]</c> directive (the shell completion asks what may come next in a
    /// partial command line, packaging/completion).
    /// </summary>
    private static bool IsHelpOrVersion(ParseResult parseResult) =>
        (parseResult.RootCommandResult.Command is RootCommand root
            && root.Directives.OfType<System.CommandLine.Completions.SuggestDirective>().Any(d => parseResult.GetResult(d) is not null))
        || parseResult.Tokens.TakeWhile(t => t.Type != System.CommandLine.Parsing.TokenType.DoubleDash)
            .Any(t => t.Type == System.CommandLine.Parsing.TokenType.Option
                && (t.Value is "--help" or "-h" or "-?" or "/?" or "/h" || (t.Value == "--version" && parseResult.CommandResult.Command is RootCommand)));

    /// <summary>The usage errors in the user's words; should explaining them fail (a bug), the parser's own messages.</summary>
    private static IReadOnlyList<string> FindUsageErrors(ParseResult parseResult)
    {
        try
        {
            return UsageErrors.Find(parseResult);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or NullReferenceException or IndexOutOfRangeException)
        {
            return parseResult.Errors.Select(e => e.Message).ToList();
        }
    }
}
