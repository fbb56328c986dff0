using System.Collections.Immutable;
using MigCompat.Core.Diagnostics;
using MigCompat.Core.Model;
using MigCompat.Fleet.Storage;

namespace MigCompat.Fleet.Service;

/// <summary>The outcome of <see cref="FleetService.PutHostAsync"/>.</summary>
/// <param name="Result">
/// <see cref="HostStored"/>; <see cref="GenerationConflict"/> for a stale generation; or
/// <see cref="InvalidInventory"/> when a descriptor does not parse or the store refuses the document.
/// Only <see cref="HostStored"/> changed anything.
/// </param>
/// <param name="Diagnostics">What validating the inventory reported: warnings when stored, errors (and warnings) when refused.</param>
public sealed record PutHostOutcome(PutHostResult Result, ImmutableArray<Diagnostic> Diagnostics)
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(PutHostOutcome? other) =>
        other is not null
        && Equals(Result, other.Result)
        && ArrayEquality.Equal(Diagnostics, other.Diagnostics);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Result, ArrayEquality.Hash(Diagnostics));
}
