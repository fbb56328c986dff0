namespace MigCompat.Cli;

/// <summary>The process exit codes of <c>migcompat</c>; listed in every command's <c>--help</c> and in docs/cli.md.</summary>
internal static class ExitCodes
{
    /// <summary>Success: the command did what was asked (for <c>check</c>: the source can live-migrate to the target).</summary>
    public const int Success = 0;

    /// <summary><c>check</c> only: the inputs were fine but the source cannot live-migrate to the target (cold or none).</summary>
    public const int NotCompatible = 1;

    /// <summary>Unusable input: a file that cannot be read, a syntax error, an unknown inventory id, or bad command-line usage.</summary>
    public const int UnusableInput = 2;

    /// <summary>An unexpected internal failure (a bug); the message says what failed.</summary>
    public const int InternalError = 3;
}
