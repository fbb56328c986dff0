namespace MigCompat.Fleet.Search;

/// <summary>
/// Reason codes a rejected host's summary can carry besides the matcher's
/// <see cref="MigCompat.Core.Matching.ReasonCodes"/> (which say why no resource of the host accepts a device).
/// </summary>
public static class SearchReasonCodes
{
    /// <summary>Compatible resources exist, but too few free instances for all the devices (counts the devices left without one).</summary>
    public const string InsufficientCapacity = "INSUFFICIENT_CAPACITY";

    /// <summary>The host offers no free resource at all (counts every device).</summary>
    public const string NoResources = "NO_RESOURCES";

    /// <summary>The host is drained: no VM is sent there (counts every device).</summary>
    public const string HostDrained = "HOST_DRAINED";

    /// <summary>The VM runs on this host now (counts every device).</summary>
    public const string SourceHost = "SOURCE_HOST";
}
