using System.Collections.Immutable;
using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Importers;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Cli.Input;

/// <summary>Combines the inventories imported from several files of one host into one, keeping the first of any repeated device or type.</summary>
internal static class InventoryMerge
{
    /// <summary>Merges <paramref name="parts"/> in order.</summary>
    /// <param name="host">The host name.</param>
    /// <param name="takenAt">The time stamp of the result.</param>
    /// <param name="parts">The imported inventories with the file each came from.</param>
    /// <param name="diagnostics">Receives a warning for every repeated device or type that was left out.</param>
    /// <returns>The merged inventory.</returns>
    public static HostInventory Merge(string host, DateTimeOffset takenAt, IEnumerable<(string File, HostInventory Inventory)> parts, ICollection<Diagnostic> diagnostics)
    {
        var devices = ImmutableArray.CreateBuilder<InventoryDevice>();
        var types = ImmutableArray.CreateBuilder<CreatableType>();
        var warnings = ImmutableArray.CreateBuilder<InventoryWarning>();
        var deviceIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var typeIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (file, inventory) in parts)
        {
            foreach (var device in inventory.Devices)
            {
                if (deviceIds.Add(device.Id))
                {
                    devices.Add(device);
                }
                else
                {
                    Skip(file, $"device {device.Id} was already imported from an earlier input; this one is left out", diagnostics, warnings);
                }
            }

            foreach (var type in inventory.CreatableTypes)
            {
                if (typeIds.Add(type.Parent + "/" + type.TypeId))
                {
                    types.Add(type);
                }
                else
                {
                    Skip(file, $"creatable type {type.Parent}/{type.TypeId} was already imported from an earlier input; this one is left out", diagnostics, warnings);
                }
            }

            warnings.AddRange(inventory.Warnings);
        }

        return new HostInventory(HostInventory.CurrentSchemaVersion, host, takenAt, devices.ToImmutable(), types.ToImmutable(), warnings.ToImmutable());
    }

    private static void Skip(string file, string message, ICollection<Diagnostic> diagnostics, ImmutableArray<InventoryWarning>.Builder warnings)
    {
        var diagnostic = Diagnostic.Warning(CliDiagnosticCodes.DuplicateImport, message, file, 0, 0);
        diagnostics.Add(diagnostic);
        warnings.Add(InventoryImporter.ToWarning(diagnostic));
    }
}
