using System.Collections.Immutable;
using MigCompat.Core.Model;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Profiles;

/// <summary>The profiles that loaded, in file-name order, and what was wrong with the rest.</summary>
/// <param name="Profiles">The usable profiles; earlier ones win when several match.</param>
/// <param name="Warnings">Problems, each located as <c>FILE:LINE:COLUMN</c> where possible (codes <c>MCS020</c>-<c>MCS022</c>).</param>
public sealed record ProfileLoadResult(ImmutableArray<DeviceProfile> Profiles, ImmutableArray<InventoryWarning> Warnings)
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(ProfileLoadResult? other) =>
        other is not null
        && ArrayEquality.Equal(Profiles, other.Profiles)
        && ArrayEquality.Equal(Warnings, other.Warnings);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ArrayEquality.Hash(Profiles), ArrayEquality.Hash(Warnings));
}
