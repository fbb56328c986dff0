namespace MigCompat.Fleet.Search;

/// <summary>The stable codes of the diagnostics <see cref="FleetIndex.Upsert"/> returns (listed in docs/fleet-search.md).</summary>
public static class IndexDiagnosticCodes
{
    /// <summary>The inventory has no host name; it is not indexed (error).</summary>
    public const string MissingHostName = "MCF001";

    /// <summary>A device's or type's descriptor does not parse; that resource is left out of the search (warning).</summary>
    public const string DescriptorDoesNotParse = "MCF002";

    /// <summary>A device or type has no id, or its id repeats; the entry is skipped or merged (warning).</summary>
    public const string DuplicateOrEmptyId = "MCF003";
}
