using System.Collections.Immutable;
using MigCompat.Core.Diagnostics;
using MigCompat.Core.Model;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Importers;

/// <summary>What one importer got out of one input: devices, creatable types, and what it could not use.</summary>
/// <param name="Devices">Imported device instances.</param>
/// <param name="CreatableTypes">Imported creatable mdev types.</param>
/// <param name="Diagnostics">Errors (the input as a whole was unusable) and warnings (an entry was skipped or adjusted), in input order.</param>
public sealed record ImportResult(
    ImmutableArray<InventoryDevice> Devices,
    ImmutableArray<CreatableType> CreatableTypes,
    ImmutableArray<Diagnostic> Diagnostics)
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(ImportResult? other) =>
        other is not null
        && ArrayEquality.Equal(Devices, other.Devices)
        && ArrayEquality.Equal(CreatableTypes, other.CreatableTypes)
        && ArrayEquality.Equal(Diagnostics, other.Diagnostics);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ArrayEquality.Hash(Devices), ArrayEquality.Hash(CreatableTypes), ArrayEquality.Hash(Diagnostics));

    /// <summary>True when the input could not be used at all.</summary>
    public bool HasErrors => Diagnostics.Any(d => d.IsError);

    internal static ImportResult Failed(Diagnostic error) => new([], [], [error]);
}
