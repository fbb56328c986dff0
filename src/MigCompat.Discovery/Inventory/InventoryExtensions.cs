using MigCompat.Discovery.Importers;

namespace MigCompat.Discovery.Inventory;

/// <summary>Operations that combine an inventory with other inputs.</summary>
public static class InventoryExtensions
{
    /// <summary>
    /// Sets <see cref="InventoryDevice.InUse"/> to true on every device the domain uses (mdev UUID
    /// or PCI address, compared case-insensitively); other devices are unchanged.
    /// </summary>
    /// <param name="inventory">The host inventory.</param>
    /// <param name="assigned">What one domain on this host is assigned.</param>
    /// <returns>The inventory with the matching devices marked.</returns>
    public static HostInventory MarkInUse(this HostInventory inventory, DomainAssignedDevices assigned) =>
        inventory.MarkInUse(assigned, out _);

    /// <summary>Like <see cref="MarkInUse(HostInventory, DomainAssignedDevices)"/>, and reports which assigned ids are not in the inventory.</summary>
    /// <param name="inventory">The host inventory.</param>
    /// <param name="assigned">What one domain on this host is assigned.</param>
    /// <param name="notFound">Assigned mdev UUIDs and PCI addresses that match no device.</param>
    /// <returns>The inventory with the matching devices marked.</returns>
    public static HostInventory MarkInUse(this HostInventory inventory, DomainAssignedDevices assigned, out IReadOnlyList<string> notFound)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(assigned);
        var used = new HashSet<string>(assigned.MdevUuids.Concat(assigned.PciAddresses), StringComparer.OrdinalIgnoreCase);
        var devices = inventory.Devices.IsDefault ? [] : inventory.Devices;
        notFound = [.. assigned.MdevUuids.Concat(assigned.PciAddresses).Distinct(StringComparer.OrdinalIgnoreCase).Where(id => !devices.Any(d => string.Equals(d.Id, id, StringComparison.OrdinalIgnoreCase)))];
        return inventory with { Devices = [.. devices.Select(d => used.Contains(d.Id) ? d with { InUse = true } : d)] };
    }
}
