using System.Collections.Immutable;
using System.Globalization;
using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Fleet.Search;

/// <summary>Turns an inventory into a compact <see cref="HostEntry"/>, interning its descriptors.</summary>
internal static class HostEntryBuilder
{
    public static HostEntry Build(HostInventory inventory, bool drained, IReadOnlyDictionary<string, int>? claims, DescriptorTable table, ImmutableArray<Diagnostic>.Builder diagnostics)
    {
        var host = inventory.Host;
        var resources = new List<HostResource>();
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        var devices = new List<(string Id, int Descriptor)>();
        var seenDevices = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        foreach (var device in inventory.Devices.IsDefault ? [] : inventory.Devices)
        {
            if (device is null || string.IsNullOrWhiteSpace(device.Id))
            {
                diagnostics.Add(Diagnostic.Warning(IndexDiagnosticCodes.DuplicateOrEmptyId, $"a device on host {host} has no id; it cannot be a source or a target and is skipped", host, 0, 0));
                continue;
            }

            var id = Describe(table, device.Descriptor, host, $"device {device.Id}", diagnostics);
            if (!seenDevices.Add(device.Id))
            {
                diagnostics.Add(Diagnostic.Warning(IndexDiagnosticCodes.DuplicateOrEmptyId, $"device {device.Id} is listed twice on host {host}; the first entry is used as a source", host, 0, 0));
            }
            else
            {
                devices.Add((device.Id, id));
            }

            // Only a device known to be free is capacity: one whose use is unknown may be in use.
            if (device.InUse == false && id >= 0)
            {
                Add(resources, keys, new HostResource(id, 1, 0, ResourceKind.Device, device.Id, table.Share(device.Parent), table.Share(device.MdevType)));
            }
        }

        foreach (var type in inventory.CreatableTypes.IsDefault ? [] : inventory.CreatableTypes)
        {
            if (type is null || string.IsNullOrWhiteSpace(type.Parent) || string.IsNullOrWhiteSpace(type.TypeId))
            {
                diagnostics.Add(Diagnostic.Warning(IndexDiagnosticCodes.DuplicateOrEmptyId, $"a creatable type on host {host} has no parent or type id; it is skipped", host, 0, 0));
                continue;
            }

            var id = Describe(table, type.Descriptor, host, $"type {type.Parent}/{type.TypeId}", diagnostics);
            if (id >= 0)
            {
                var capacity = Math.Max(0, type.AvailableInstances);
                Add(resources, keys, new HostResource(id, capacity, 0, ResourceKind.CreatableType, table.Share(type.TypeId)!, table.Share(type.Parent), table.Share(type.TypeId)));
            }
        }

        if (claims is not null)
        {
            for (var i = 0; i < resources.Count; i++)
            {
                if (claims.TryGetValue(resources[i].Key, out var claimed))
                {
                    resources[i] = resources[i] with { Claimed = Math.Max(0, claimed) };
                }
            }
        }

        var sorted = resources.ToArray();
        Array.Sort(sorted, CompareResources);
        devices.Sort((a, b) => StringComparer.OrdinalIgnoreCase.Compare(a.Id, b.Id));
        return new HostEntry(host, drained, sorted, [.. devices.Select(d => d.Id)], [.. devices.Select(d => d.Descriptor)]);
    }

    private static int Describe(DescriptorTable table, DescriptorFields? fields, string host, string what, ImmutableArray<Diagnostic>.Builder diagnostics)
    {
        if (fields is null)
        {
            diagnostics.Add(Diagnostic.Warning(IndexDiagnosticCodes.DescriptorDoesNotParse, $"{what} on host {host} has no descriptor; it is left out of the search", host, 0, 0));
            return -1;
        }

        var id = table.Intern(fields, out var errors);
        if (id < 0)
        {
            var first = errors.IsDefaultOrEmpty ? "no detail" : string.Create(CultureInfo.InvariantCulture, $"{errors[0].Code}: {errors[0].Message}");
            diagnostics.Add(Diagnostic.Warning(IndexDiagnosticCodes.DescriptorDoesNotParse, $"{what} on host {host}: its descriptor does not parse ({first}); it is left out of the search until the inventory is fixed", host, 0, 0));
        }

        return id;
    }

    /// <summary>Adds a resource; a key seen before keeps the larger capacity (as storage does).</summary>
    private static void Add(List<HostResource> resources, Dictionary<string, int> keys, HostResource resource)
    {
        var key = resource.Key;
        if (keys.TryGetValue(key, out var index))
        {
            if (resource.Capacity > resources[index].Capacity)
            {
                resources[index] = resource;
            }

            return;
        }

        keys[key] = resources.Count;
        resources.Add(resource);
    }

    private static int CompareResources(HostResource a, HostResource b)
    {
        var byDescriptor = a.DescriptorId.CompareTo(b.DescriptorId);
        if (byDescriptor != 0)
        {
            return byDescriptor;
        }

        var byKind = a.Kind.CompareTo(b.Kind);
        if (byKind != 0)
        {
            return byKind;
        }

        var byParent = string.CompareOrdinal(a.Parent, b.Parent);
        return byParent != 0 ? byParent : string.CompareOrdinal(a.Id, b.Id);
    }
}
