using System.Collections.Immutable;
using MigCompat.Core.Diagnostics;
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
    /// <summary>True when the input could not be used at all.</summary>
    public bool HasErrors => Diagnostics.Any(d => d.IsError);

    internal static ImportResult Failed(Diagnostic error) => new([], [], [error]);
}
