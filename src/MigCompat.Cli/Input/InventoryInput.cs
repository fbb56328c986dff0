using System.Collections.Immutable;
using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Cli.Input;

/// <summary>Reads inventory files, and the descriptor of one device or creatable type in them (<c>FILE#ID</c>, <c>FILE#PARENT/TYPE</c>).</summary>
internal static class InventoryInput
{
    private const int MaxListed = 10;

    /// <summary>Reads and validates an inventory file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The inventory (null on errors) and the diagnostics.</returns>
    public static InventoryReadResult Read(string path)
    {
        if (!BoundedFile.TryRead(path, InventoryJson.MaxInputBytes, out var json, out var problem))
        {
            return new InventoryReadResult(null, [problem!]);
        }

        return InventoryJson.Read(json, path);
    }

    /// <summary>The descriptor of device <paramref name="id"/> (or creatable type <c>PARENT/TYPE</c>) in inventory <paramref name="path"/>.</summary>
    /// <param name="argument">The argument as given.</param>
    /// <param name="path">The inventory file.</param>
    /// <param name="id">The device id, or <c>PARENT/TYPE</c>.</param>
    /// <returns>The descriptor or diagnostics.</returns>
    public static LoadedDescriptor Load(string argument, string path, string id)
    {
        var read = Read(path);
        if (read.Inventory is null)
        {
            return new LoadedDescriptor(argument, null, read.Diagnostics);
        }

        var fields = Find(read.Inventory, id);
        if (fields is null)
        {
            return new LoadedDescriptor(argument, null, read.Diagnostics.Add(Diagnostic.Error(CliDiagnosticCodes.UnknownInventoryId, UnknownIdMessage(read.Inventory, id), path, 0, 0)));
        }

        var result = fields.Parse(argument);
        return new LoadedDescriptor(argument, result.Descriptor, read.Diagnostics.AddRange(result.Diagnostics));
    }

    private static DescriptorFields? Find(HostInventory inventory, string id)
    {
        var slash = id.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            var parent = id[..slash];
            var type = id[(slash + 1)..];
            return inventory.CreatableTypes.FirstOrDefault(t =>
                string.Equals(t.Parent, parent, StringComparison.OrdinalIgnoreCase) && string.Equals(t.TypeId, type, StringComparison.Ordinal))?.Descriptor;
        }

        return inventory.Devices.FirstOrDefault(d => string.Equals(d.Id, id, StringComparison.OrdinalIgnoreCase))?.Descriptor;
    }

    private static string UnknownIdMessage(HostInventory inventory, string id)
    {
        if (id.Length == 0)
        {
            return "no id after '#'; write FILE#DEVICE_ID or FILE#PARENT/TYPE_ID";
        }

        var known = inventory.Devices.Select(d => d.Id)
            .Concat(inventory.CreatableTypes.Select(t => t.Parent + "/" + t.TypeId))
            .ToList();
        var listed = known.Count == 0
            ? "the inventory has no devices or creatable types"
            : "known ids: " + string.Join(", ", known.Take(MaxListed)) + (known.Count > MaxListed ? $" and {known.Count - MaxListed} more" : string.Empty);
        return $"no device or creatable type '{id}' in this inventory ({listed})";
    }
}
