using System.CommandLine;

namespace MigCompat.Cli.Commands;

/// <summary>Options several commands share, so they are spelled and described the same everywhere.</summary>
internal static class CliOptions
{
    /// <summary>The human output format name of <c>check</c>, <c>validate</c>.</summary>
    public const string Text = "text";

    /// <summary>The human output format name of <c>scan</c>, <c>import</c>.</summary>
    public const string Table = "table";

    /// <summary>The machine output format name.</summary>
    public const string Json = "json";

    /// <summary><c>--format</c>, accepting <paramref name="human"/> (the default) or <c>json</c>.</summary>
    /// <param name="human">The human format's name (<c>text</c> or <c>table</c>).</param>
    /// <returns>The option.</returns>
    public static Option<string> Format(string human)
    {
        var option = new Option<string>("--format")
        {
            Description = $"Output format: '{human}' for people (default), 'json' for programs (JSON alone on stdout; messages stay on stderr).",
            HelpName = $"{human}|{Json}",
            DefaultValueFactory = _ => human,
        };
        option.AcceptOnlyFromAmong(human, Json);
        return option;
    }

    /// <summary><c>--host</c>: the host name written into an inventory.</summary>
    /// <returns>The option.</returns>
    public static Option<string?> Host() => new("--host")
    {
        Description = "The host name written into the inventory (default: this machine's name).",
        HelpName = "NAME",
    };
}
