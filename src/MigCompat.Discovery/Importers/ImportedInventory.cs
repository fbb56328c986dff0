using System.Collections.Immutable;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Importers;

/// <summary>What importing adds to an inventory: the devices a domain uses (and the domain as a guest), and what imported devices lack.</summary>
public static class ImportedInventory
{
    /// <summary>
    /// Sets <see cref="InventoryDevice.InUse"/> to true on every device the domain uses (mdev UUID
    /// or PCI address, compared case-insensitively); other devices are unchanged. The domain becomes
    /// a guest of the inventory (<see cref="HostInventory.Guests"/>; see <see cref="WithGuest"/>).
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
        return (inventory with { Devices = [.. devices.Select(d => used.Contains(d.Id) ? d with { InUse = true } : d)] }).WithGuest(assigned);
    }

    /// <summary>
    /// Adds the domain as a guest: its name, its UUID, and the ids (as the inventory spells them) of the
    /// inventory's devices it is assigned, in the domain's order (mdevs, then PCI devices). The domain XML
    /// is the newest word on that VM: a guest of the same name or UUID is replaced, and a device another
    /// guest listed moves to this one, so the guests stay valid (MCI014, MCI015). A domain with none of
    /// the inventory's devices is still a guest, with no devices.
    /// </summary>
    /// <param name="inventory">The host inventory.</param>
    /// <param name="assigned">What one domain on this host is assigned.</param>
    /// <returns>The inventory with the guest.</returns>
    public static HostInventory WithGuest(this HostInventory inventory, DomainAssignedDevices assigned)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(assigned);
        var devices = inventory.Devices.IsDefault ? [] : inventory.Devices;
        var ids = assigned.MdevUuids.Concat(assigned.PciAddresses)
            .Select(id => devices.FirstOrDefault(d => string.Equals(d.Id, id, StringComparison.OrdinalIgnoreCase))?.Id)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToImmutableArray();
        var others = (inventory.Guests.IsDefault ? [] : inventory.Guests)
            .Where(g => g.Name != assigned.DomainName && (g.Uuid is null || g.Uuid != assigned.DomainUuid))
            .Select(g => g with { DeviceIds = [.. (g.DeviceIds.IsDefault ? [] : g.DeviceIds).Where(id => !ids.Contains(id))] });
        return inventory with { Guests = [.. others, new InventoryGuest(assigned.DomainName, assigned.DomainUuid, ids)] };
    }

    /// <summary>
    /// Fills in what an mdev device lacks from the creatable type of the same parent and type id in
    /// the same inventory: its device API, and its driver and driver version when the type knows them
    /// (<c>mdevctl list</c> names only the type; <c>mdevctl types</c> or a node-device export of the same
    /// host gives the rest). An importer-derived descriptor (origin
    /// <see cref="DescriptorOrigin.Imported"/>) gains the same fields, in the derived order
    /// (<c>device_api</c>, <c>mdev_type</c>, <c>driver</c>, <c>driver_build</c>, then its own), so it
    /// matches the type's descriptor on another host imported the same way. Nothing already known is
    /// changed; descriptors from drivers or profiles are left as they are.
    /// </summary>
    /// <param name="inventory">The host inventory.</param>
    /// <returns>The inventory with the devices completed.</returns>
    public static HostInventory CompleteFromCreatableTypes(this HostInventory inventory)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        var devices = inventory.Devices.IsDefault ? [] : inventory.Devices;
        var types = inventory.CreatableTypes.IsDefault ? [] : inventory.CreatableTypes;
        if (devices.IsEmpty || types.IsEmpty)
        {
            return inventory;
        }

        var byKey = new Dictionary<(string, string), CreatableType>();
        foreach (var type in types)
        {
            if (type?.Parent is { } parent && type.TypeId is { } typeId)
            {
                byKey.TryAdd((parent, typeId), type);
            }
        }

        return inventory with { Devices = [.. devices.Select(d => Complete(d, byKey))] };
    }

    private static InventoryDevice Complete(InventoryDevice device, Dictionary<(string, string), CreatableType> types)
    {
        if (device is not { Kind: DeviceKind.Mdev, Parent: { } parent, MdevType: { } typeId }
            || !types.TryGetValue((parent, typeId), out var type)
            || (device.DeviceApi is not null && device.Driver is not null && device.DriverVersion is not null))
        {
            return device;
        }

        var completed = device with
        {
            DeviceApi = device.DeviceApi ?? type.DeviceApi,
            Driver = device.Driver ?? type.Driver,
            DriverVersion = device.DriverVersion ?? type.DriverVersion,
        };
        if (completed == device || device.Descriptor is not { Origin: DescriptorOrigin.Imported } descriptor)
        {
            return completed;
        }

        var own = descriptor.Self.IsDefault ? [] : descriptor.Self;
        var derived = DerivedDescriptors.ForMdev(
            Known(own, DerivedDescriptors.DeviceApiField) ?? completed.DeviceApi,
            Known(own, DerivedDescriptors.MdevTypeField) ?? typeId,
            Known(own, DerivedDescriptors.DriverField) ?? completed.Driver,
            Known(own, DerivedDescriptors.DriverBuildField) ?? completed.DriverVersion,
            DescriptorOrigin.Imported,
            descriptor.OriginDetail,
            own);
        return completed with { Descriptor = descriptor with { Self = derived.Self } };
    }

    private static string? Known(IEnumerable<KeyValuePair<string, string>> fields, string name) =>
        fields.FirstOrDefault(f => f.Key == name).Value;
}
