using System.Collections.Immutable;
using MigCompat.Core.Diagnostics;
using MigCompat.Core.Model;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Fleet.Storage;

/// <summary>One stored host: its inventory and the store's bookkeeping.</summary>
/// <param name="Name">The host name.</param>
/// <param name="Inventory">
/// The stored inventory; null only when the stored document can no longer be read (for example
/// written by a newer schema), in which case <see cref="ReadDiagnostics"/> says why. The row is kept.
/// </param>
/// <param name="Generation">The optimistic-concurrency generation: 1 when first stored, +1 per update.</param>
/// <param name="Drained">True when the host takes no new claims.</param>
/// <param name="UpdatedAt">When the inventory or the drain flag last changed.</param>
/// <param name="ReadDiagnostics">What reading the stored document reported; empty when it read cleanly.</param>
public sealed record StoredHost(
    string Name,
    HostInventory? Inventory,
    long Generation,
    bool Drained,
    DateTimeOffset UpdatedAt,
    ImmutableArray<Diagnostic> ReadDiagnostics)
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(StoredHost? other) =>
        other is not null
        && Equals(Name, other.Name)
        && Equals(Inventory, other.Inventory)
        && Equals(Generation, other.Generation)
        && Equals(Drained, other.Drained)
        && Equals(UpdatedAt, other.UpdatedAt)
        && ArrayEquality.Equal(ReadDiagnostics, other.ReadDiagnostics);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Inventory, Generation, Drained, UpdatedAt, ArrayEquality.Hash(ReadDiagnostics));
}

/// <summary>A stored host without its inventory document.</summary>
/// <param name="Name">The host name.</param>
/// <param name="Generation">The current generation.</param>
/// <param name="Drained">True when the host takes no new claims.</param>
/// <param name="UpdatedAt">When the inventory or the drain flag last changed.</param>
/// <param name="DeviceCount">How many devices the stored inventory lists.</param>
public sealed record HostSummary(string Name, long Generation, bool Drained, DateTimeOffset UpdatedAt, int DeviceCount);
