namespace MigCompat.Fleet.Search;

/// <summary>The stable codes of <see cref="QueryError"/>.</summary>
public static class QueryErrorCodes
{
    /// <summary>The source host is not in the index.</summary>
    public const string UnknownSourceHost = "UNKNOWN_SOURCE_HOST";

    /// <summary>A device id is not in the source host's inventory.</summary>
    public const string UnknownDevice = "UNKNOWN_DEVICE";

    /// <summary>A source device's descriptor does not parse, so it cannot be compared.</summary>
    public const string InvalidDescriptor = "INVALID_DESCRIPTOR";

    /// <summary>A device reference gives neither or both of a device id and a descriptor.</summary>
    public const string InvalidDeviceRef = "INVALID_DEVICE_REF";

    /// <summary>The query lists no devices, or too many.</summary>
    public const string InvalidDeviceCount = "INVALID_DEVICE_COUNT";

    /// <summary>The limit or the rejected-host count is out of range.</summary>
    public const string InvalidLimit = "INVALID_LIMIT";

    /// <summary>The host to explain is not in the fleet index.</summary>
    public const string UnknownExplainHost = "UNKNOWN_EXPLAIN_HOST";

    /// <summary>No indexed host lists a VM with the name or UUID of <see cref="TargetQuery.Vm"/> (on the source host, when one is given).</summary>
    public const string UnknownVm = "UNKNOWN_VM";

    /// <summary>Several hosts list a VM with the name or UUID of <see cref="TargetQuery.Vm"/>; the source host or the UUID tells which.</summary>
    public const string AmbiguousVm = "AMBIGUOUS_VM";
}
