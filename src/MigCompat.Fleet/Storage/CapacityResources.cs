using System.Collections.Immutable;
using System.Globalization;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Fleet.Storage;

/// <summary>The capacity resources an inventory offers, and their keys.</summary>
public static class CapacityResources
{
    /// <summary>The key of the resource an existing device offers: <c>device:ID</c>.</summary>
    /// <param name="deviceId">The device id (mdev UUID or PCI address).</param>
    public static string DeviceKey(string deviceId) => "device:" + deviceId;

    /// <summary>The key of the resource a creatable mdev type offers: <c>type:PARENT/TYPEID</c>.</summary>
    /// <param name="parent">The parent device.</param>
    /// <param name="typeId">The mdev type id.</param>
    public static string TypeKey(string parent, string typeId) => string.Create(CultureInfo.InvariantCulture, $"type:{parent}/{typeId}");

    /// <summary>
    /// The resources of an inventory, ordered by key: capacity 1 per device known to be free
    /// (<c>in_use</c> false; a device whose use is unknown may be in use and is never offered), and <see cref="CreatableType.AvailableInstances"/> (never below 0) per creatable type. A key
    /// listed twice counts once, with the larger capacity; entries with an empty id are skipped.
    /// </summary>
    /// <param name="inventory">The inventory.</param>
    public static ImmutableArray<KeyValuePair<string, long>> From(HostInventory inventory)
    {
        var capacities = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var device in inventory.Devices.IsDefault ? [] : inventory.Devices)
        {
            if (device is null || device.InUse != false || string.IsNullOrWhiteSpace(device.Id))
            {
                continue;
            }

            Add(capacities, DeviceKey(device.Id), 1);
        }

        foreach (var type in inventory.CreatableTypes.IsDefault ? [] : inventory.CreatableTypes)
        {
            if (type is null || string.IsNullOrWhiteSpace(type.Parent) || string.IsNullOrWhiteSpace(type.TypeId))
            {
                continue;
            }

            Add(capacities, TypeKey(type.Parent, type.TypeId), Math.Max(0, type.AvailableInstances));
        }

        return [.. capacities.OrderBy(pair => pair.Key, StringComparer.Ordinal)];
    }

    private static void Add(Dictionary<string, long> capacities, string key, long capacity) =>
        capacities[key] = capacities.TryGetValue(key, out var existing) ? Math.Max(existing, capacity) : capacity;
}
