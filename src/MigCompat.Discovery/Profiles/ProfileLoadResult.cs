using System.Collections.Immutable;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Profiles;

/// <summary>The profiles that loaded, in file-name order, and what was wrong with the rest.</summary>
/// <param name="Profiles">The usable profiles; earlier ones win when several match.</param>
/// <param name="Warnings">Problems, each located as <c>FILE:LINE:COLUMN</c> where possible (codes <c>MCS020</c>-<c>MCS022</c>).</param>
public sealed record ProfileLoadResult(ImmutableArray<DeviceProfile> Profiles, ImmutableArray<InventoryWarning> Warnings);
