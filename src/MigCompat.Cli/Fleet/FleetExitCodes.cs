namespace MigCompat.Cli.Fleet;

/// <summary>Exit codes of the fleet commands beyond <see cref="ExitCodes"/>.</summary>
internal static class FleetExitCodes
{
    /// <summary><c>targets</c>: the answer lists no target host.</summary>
    public const int NoTarget = 1;

    /// <summary>The server could not be reached, refused the token, or answered with an error.</summary>
    public const int ServerFailed = 4;
}
