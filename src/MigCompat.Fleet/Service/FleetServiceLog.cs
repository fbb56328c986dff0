using Microsoft.Extensions.Logging;

namespace MigCompat.Fleet.Service;

/// <summary>The <see cref="FleetService"/>'s log messages (source-generated, allocation-free when the level is off).</summary>
internal static partial class FleetServiceLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "fleet index rebuilt: {Searchable} hosts searchable, {Skipped} stored hosts not searchable")]
    public static partial void Rebuilt(ILogger logger, int searchable, int skipped);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "host '{Host}' is stored but its inventory cannot be read ({Reasons}); it is kept but not searched")]
    public static partial void Unreadable(ILogger logger, string host, string reasons);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "host '{Host}' generation {Generation} was not indexed: {Reasons}")]
    public static partial void NotIndexed(ILogger logger, string host, long generation, string reasons);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "purged {Count} released or expired claims that ended before {EndedBefore:O} (retention {Retention})")]
    public static partial void Purged(ILogger logger, int count, DateTimeOffset endedBefore, TimeSpan retention);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "background {Name} failed, will retry: {Reason}")]
    public static partial void BackgroundFailed(ILogger logger, string name, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "the write on host '{Host}' is committed, but re-reading its claim counts afterwards failed ({Error}: {Reason}); the search index catches up at the next refresh")]
    public static partial void PostCommitRefreshFailed(ILogger logger, string host, string error, string reason);
}
