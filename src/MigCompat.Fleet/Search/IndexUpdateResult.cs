using System.Collections.Immutable;
using MigCompat.Core.Diagnostics;
using MigCompat.Core.Model;

namespace MigCompat.Fleet.Search;

/// <summary>What <see cref="FleetIndex.Upsert"/> did with an inventory.</summary>
/// <param name="Accepted">True when the host is now in the index (possibly without some resources, see the diagnostics).</param>
/// <param name="Diagnostics">Entries that were skipped and why (codes in <see cref="IndexDiagnosticCodes"/>).</param>
public sealed record IndexUpdateResult(bool Accepted, ImmutableArray<Diagnostic> Diagnostics)
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(IndexUpdateResult? other) =>
        other is not null
        && Equals(Accepted, other.Accepted)
        && ArrayEquality.Equal(Diagnostics, other.Diagnostics);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Accepted, ArrayEquality.Hash(Diagnostics));
}
