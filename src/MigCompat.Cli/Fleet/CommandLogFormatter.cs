using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace MigCompat.Cli.Fleet;

/// <summary>
/// The server's log lines as the command's other messages read: one line each, the command's name first,
/// the level only when it is not plain information (<c>serve: warning: ...</c>), an exception by its message
/// alone. No logger category (a .NET type name), event id or stack trace reaches the terminal or the journal.
/// </summary>
internal sealed class CommandLogFormatter(IOptions<CommandLogFormatter.Options> options) : ConsoleFormatter(FormatterName)
{
    /// <summary>The name the console logger selects this formatter by.</summary>
    public const string FormatterName = "migcompat";

    /// <inheritdoc />
    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrWhiteSpace(message) && logEntry.Exception is null)
        {
            return;
        }

        var level = logEntry.LogLevel switch
        {
            LogLevel.Warning => "warning: ",
            LogLevel.Error or LogLevel.Critical => "error: ",
            LogLevel.Debug or LogLevel.Trace => "debug: ",
            _ => string.Empty,
        };
        var exception = logEntry.Exception is { } e ? $" ({e.Message})" : string.Empty;
        textWriter.Write($"{options.Value.Command}: {level}{message}{exception}".ReplaceLineEndings(" ") + "\n");
    }

    /// <summary>What the formatter writes first on each line.</summary>
    internal sealed class Options : ConsoleFormatterOptions
    {
        /// <summary>The command's name, e.g. <c>serve</c>.</summary>
        public string Command { get; set; } = "migcompat";
    }
}
