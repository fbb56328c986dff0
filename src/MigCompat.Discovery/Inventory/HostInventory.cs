using System.Collections.Immutable;
using MigCompat.Core.Model;
using MigCompat.Core.Syntax;

namespace MigCompat.Discovery.Inventory;

/// <summary>
/// What one host has for assigned devices: the devices VMs use now, the mdev types it could
/// create for an incoming VM, and what the scan could not read. One document per host; the unit
/// the fleet service stores. Its JSON form is specified in <c>docs/inventory.md</c>.
/// </summary>
/// <param name="SchemaVersion">The inventory schema version; <see cref="CurrentSchemaVersion"/> when written by this code.</param>
/// <param name="Host">The host name.</param>
/// <param name="TakenAt">When the scan or import ran.</param>
/// <param name="Devices">Existing devices: mdev instances and VFIO-bound PCI devices.</param>
/// <param name="CreatableTypes">mdev types per parent with their free capacity.</param>
/// <param name="Warnings">What the scan skipped or could not read, and why.</param>
/// <remarks>The VMs that use the devices are <see cref="Guests"/>, set with <c>with { Guests = ... }</c>.</remarks>
public sealed record HostInventory(
    int SchemaVersion,
    string Host,
    DateTimeOffset TakenAt,
    ImmutableArray<InventoryDevice> Devices,
    ImmutableArray<CreatableType> CreatableTypes,
    ImmutableArray<InventoryWarning> Warnings)
{
    /// <summary>The schema version this code writes and reads.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>
    /// The VMs known to run on this host, each with the devices it uses (ids of <see cref="Devices"/>):
    /// from libvirt domain XML, from the QEMU processes a scan finds holding the devices, or as the
    /// client sent them. Empty when none is known — which says nothing about whether VMs run here.
    /// </summary>
    public ImmutableArray<InventoryGuest> Guests { get; init; } = [];

    /// <summary>
    /// The operator's labels for the host (<c>rack=a</c>), in key order: what <c>plan upgrade --hosts label:KEY=VALUE</c>
    /// selects by. Empty when none was given.
    /// </summary>
    public ImmutableArray<KeyValuePair<string, string>> Labels { get; init; } = [];

    /// <summary>Equal when every member is equal, the arrays by value.</summary>
    public bool Equals(HostInventory? other) =>
        other is not null && SchemaVersion == other.SchemaVersion && Host == other.Host && TakenAt == other.TakenAt
        && ArrayEquality.Equal(Devices, other.Devices) && ArrayEquality.Equal(CreatableTypes, other.CreatableTypes) && ArrayEquality.Equal(Warnings, other.Warnings)
        && ArrayEquality.Equal(Guests, other.Guests) && ArrayEquality.Equal(Labels, other.Labels);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(Host);
        hash.Add(TakenAt);
        ArrayEquality.Add(ref hash, Devices);
        ArrayEquality.Add(ref hash, CreatableTypes);
        ArrayEquality.Add(ref hash, Guests);
        ArrayEquality.Add(ref hash, Labels);
        return hash.ToHashCode();
    }
}

/// <summary>What kind of assigned device an inventory entry is.</summary>
public enum DeviceKind
{
    /// <summary>A mediated device instance (<c>/sys/bus/mdev/devices/UUID</c>).</summary>
    Mdev,

    /// <summary>A whole PCI device or SR-IOV physical function bound to <c>vfio-pci</c> or a vfio variant driver.</summary>
    PciDevice,

    /// <summary>An SR-IOV virtual function (has a <c>physfn</c> link) bound to a vfio driver.</summary>
    SriovVf,
}

/// <summary>Where a descriptor came from; every descriptor in an inventory says it.</summary>
public enum DescriptorOrigin
{
    /// <summary>Read from driver-exposed migration attributes in sysfs (any upstream proposal layout).</summary>
    Driver,

    /// <summary>Supplied by an operator or vendor profile file.</summary>
    Profile,

    /// <summary>Derived conservatively from what sysfs exposes (device_api, type, driver, version, PCI ids).</summary>
    Derived,

    /// <summary>Imported from another tool's export (mdevctl, libvirt).</summary>
    Imported,
}

/// <summary>
/// A device's descriptor as plain fields, in the descriptor language's value syntax: the form an
/// inventory carries. <see cref="Self"/> values are concrete; <see cref="Compatible"/> values may be
/// accepted-value templates. Field order is kept.
/// </summary>
/// <param name="Self">The device's self fields, name to value text.</param>
/// <param name="Compatible">The accepted-values blocks (each a complete alternative); empty when unknown.</param>
/// <param name="DynamicResources">Names of self fields that are claimed on the target, not matched.</param>
/// <param name="Origin">Where the descriptor came from.</param>
/// <param name="OriginDetail">A path, profile file name or tool name that says exactly where.</param>
public sealed record DescriptorFields(
    ImmutableArray<KeyValuePair<string, string>> Self,
    ImmutableArray<ImmutableArray<KeyValuePair<string, string>>> Compatible,
    ImmutableArray<string> DynamicResources,
    DescriptorOrigin Origin,
    string? OriginDetail)
{
    /// <summary>Equal when self fields, blocks, dynamic names, origin and detail are equal, in order (the arrays by value).</summary>
    public bool Equals(DescriptorFields? other)
    {
        if (other is null || Origin != other.Origin || OriginDetail != other.OriginDetail
            || !ArrayEquality.Equal(Self, other.Self) || !ArrayEquality.Equal(DynamicResources, other.DynamicResources))
        {
            return false;
        }

        var blocks = Compatible.IsDefault ? [] : Compatible;
        var otherBlocks = other.Compatible.IsDefault ? [] : other.Compatible;
        if (blocks.Length != otherBlocks.Length)
        {
            return false;
        }

        for (var i = 0; i < blocks.Length; i++)
        {
            if (!ArrayEquality.Equal(blocks[i], otherBlocks[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(Origin);
        ArrayEquality.Add(ref hash, Self);
        foreach (var block in Compatible.IsDefault ? [] : Compatible)
        {
            ArrayEquality.Add(ref hash, block);
        }

        return hash.ToHashCode();
    }

    /// <summary>
    /// Reads these fields with the descriptor language (<see cref="DescriptorParser.FromFields"/>);
    /// default (never set) arrays count as empty. Diagnostics name <paramref name="origin"/>.
    /// </summary>
    /// <param name="origin">What the diagnostics should name, e.g. <c>inventory.json#DEVICE</c>.</param>
    public ParseResult Parse(string? origin) =>
        DescriptorParser.FromFields(
            Self.IsDefault ? [] : Self,
            Compatible.IsDefault ? [] : Compatible.Select(static block => (IEnumerable<KeyValuePair<string, string>>)(block.IsDefault ? [] : block)),
            DynamicResources.IsDefault ? [] : DynamicResources,
            origin);
}

/// <summary>PCI identity of a device or of an mdev's parent, as hex strings without <c>0x</c> (e.g. <c>8086</c>).</summary>
/// <param name="Vendor">The vendor id.</param>
/// <param name="Device">The device id.</param>
/// <param name="SubsystemVendor">The subsystem vendor id, when known.</param>
/// <param name="SubsystemDevice">The subsystem device id, when known.</param>
/// <param name="Class">The class code (e.g. <c>030000</c>), when known.</param>
public sealed record PciIds(string Vendor, string Device, string? SubsystemVendor, string? SubsystemDevice, string? Class);

/// <summary>One assigned device that exists on the host now.</summary>
/// <param name="Id">Stable id on this host: the mdev UUID, or the PCI address (<c>0000:3b:00.2</c>).</param>
/// <param name="Kind">What kind of device it is.</param>
/// <param name="DeviceApi">The VFIO device API (<c>vfio-pci</c>, <c>vfio-ccw</c>, <c>vfio-ap</c>...), when known.</param>
/// <param name="MdevType">The mdev type id, for mediated devices.</param>
/// <param name="Parent">The parent device (mdev parent, or the PF of an SR-IOV VF).</param>
/// <param name="Driver">The bound driver (<c>vfio-pci</c>, <c>mlx5_vfio_pci</c>, or the mdev parent's driver).</param>
/// <param name="DriverVersion">The driver's module version, when exposed.</param>
/// <param name="Pci">PCI ids of the device (or of an mdev's parent).</param>
/// <param name="IommuGroup">The IOMMU group number, when known.</param>
/// <param name="NumaNode">The NUMA node, when known (-1 means none).</param>
/// <param name="InUse">True when a VM uses the device (a process holds its VFIO group or device file open, found by a sysfs scan in procfs; or from libvirt domain XML); false when a scan could see every process and none holds it; null when unknown.</param>
/// <param name="Descriptor">The device's self and compatible declaration.</param>
public sealed record InventoryDevice(
    string Id,
    DeviceKind Kind,
    string? DeviceApi,
    string? MdevType,
    string? Parent,
    string? Driver,
    string? DriverVersion,
    PciIds? Pci,
    int? IommuGroup,
    int? NumaNode,
    bool? InUse,
    DescriptorFields Descriptor);

/// <summary>An mdev type a parent can create instances of, with its free capacity.</summary>
/// <param name="Parent">The parent device (PCI address, CCW bus id, or <c>matrix</c>).</param>
/// <param name="TypeId">The type id (directory name, e.g. <c>i915-GVTg_V5_4</c>).</param>
/// <param name="Name">The type's <c>name</c> attribute (e.g. <c>GRID P4-1Q</c>), when present.</param>
/// <param name="Description">The type's <c>description</c> attribute, when present.</param>
/// <param name="DeviceApi">The type's <c>device_api</c>.</param>
/// <param name="AvailableInstances">How many more instances can be created now.</param>
/// <param name="ExistingInstances">How many instances of this type exist now (entries in <c>devices/</c>).</param>
/// <param name="Driver">The parent's driver, when known.</param>
/// <param name="DriverVersion">The parent driver's module version, when known.</param>
/// <param name="Descriptor">The self and compatible declaration a new instance of this type would have.</param>
public sealed record CreatableType(
    string Parent,
    string TypeId,
    string? Name,
    string? Description,
    string? DeviceApi,
    int AvailableInstances,
    int ExistingInstances,
    string? Driver,
    string? DriverVersion,
    DescriptorFields Descriptor);

/// <summary>Something a scan or import skipped or could not read.</summary>
/// <param name="Code">A stable code (e.g. <c>MCS001</c>); listed in <c>docs/inventory.md</c>.</param>
/// <param name="Path">The file, link or input location concerned.</param>
/// <param name="Message">What happened and what it means for the inventory, for a person.</param>
public sealed record InventoryWarning(string Code, string Path, string Message);

/// <summary>A VM on the host and the assigned devices it uses.</summary>
/// <param name="Name">The VM's name (libvirt domain name, QEMU <c>-name guest=</c>); unique in the host.</param>
/// <param name="Uuid">The VM's UUID in lower case (libvirt domain <c>uuid</c>, QEMU <c>-uuid</c>; Nova's instance UUID), when known; unique in the host.</param>
/// <param name="DeviceIds">The ids of the host's devices (<see cref="InventoryDevice.Id"/>) the VM uses, each in at most one guest.</param>
public sealed record InventoryGuest(string Name, string? Uuid, ImmutableArray<string> DeviceIds)
{
    /// <summary>Equal when the name, UUID and device ids (in order) are equal.</summary>
    public bool Equals(InventoryGuest? other) =>
        other is not null && Name == other.Name && Uuid == other.Uuid && ArrayEquality.Equal(DeviceIds, other.DeviceIds);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(Name);
        hash.Add(Uuid);
        ArrayEquality.Add(ref hash, DeviceIds);
        return hash.ToHashCode();
    }
}
