using System.Collections.Immutable;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Fleet.Tests.Storage;

/// <summary>Small, valid inventories for the storage tests.</summary>
internal static class Inventories
{
    public static readonly DateTimeOffset TakenAt = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public const string Gpu = "0000:00:02.0";

    public const string GvtType = "i915-GVTg_V5_4";

    public static string GvtKey => $"type:{Gpu}/{GvtType}";

    public static DescriptorFields Descriptor(string mdevType) => new(
        [new("device_api", "vfio-pci"), new("mdev_type", mdevType)],
        [],
        [],
        DescriptorOrigin.Derived,
        null);

    public static InventoryDevice Device(string id, bool? inUse) =>
        new(id, DeviceKind.Mdev, "vfio-pci", GvtType, Gpu, "i915", null, null, 3, 0, inUse, Descriptor(GvtType));

    public static CreatableType Type(string typeId, int available) =>
        new(Gpu, typeId, "GVTg_V5_4", null, "vfio-pci", available, 1, "i915", null, Descriptor(typeId));

    /// <summary>
    /// A host with one GVT-g type (<paramref name="freeInstances"/> free), one device in use and
    /// one idle device (<c>device:idle-1</c>), unless other devices are given.
    /// </summary>
    public static HostInventory Host(string name, int freeInstances = 5, ImmutableArray<InventoryDevice>? devices = null) => new(
        HostInventory.CurrentSchemaVersion,
        name,
        TakenAt,
        devices ?? [Device("busy-1", inUse: true), Device("idle-1", inUse: false)],
        [Type(GvtType, freeInstances)],
        [new InventoryWarning("MCS001", "/sys/bus/mdev", "example warning")]);
}
