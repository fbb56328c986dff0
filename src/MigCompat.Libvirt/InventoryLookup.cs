using MigCompat.Discovery.Inventory;

namespace MigCompat.Libvirt;

/// <summary>Finds an assigned device of a domain in a host inventory.</summary>
internal static class InventoryLookup
{
    /// <summary>The device with this id (mdev UUIDs and PCI addresses compared case-insensitively), or null.</summary>
    public static InventoryDevice? Device(HostInventory inventory, string id) =>
        (inventory.Devices.IsDefault ? [] : inventory.Devices).FirstOrDefault(d => d is not null && string.Equals(d.Id, id, StringComparison.OrdinalIgnoreCase));
}
