using System.Collections.Immutable;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Server.Tests;

/// <summary>Small valid inventories: GVT-g hosts whose type accepts itself.</summary>
internal static class TestInventories
{
    public const string Gpu = "0000:00:02.0";
    public const string Type = "i915-GVTg_V5_4";
    public const string SourceDevice = "53764d0e-85a0-42b4-af5c-2046b460b1dc";

    public static string TypeKey => $"type:{Gpu}/{Type}";

    public static DescriptorFields Descriptor(string compatibleType = Type) => new(
        [new("device_api", "vfio-pci"), new("mdev_type", Type), new("software_version", "1.2.0")],
        [[new("device_api", "vfio-pci"), new("mdev_type", compatibleType), new("software_version", "1.2.0")]],
        [],
        DescriptorOrigin.Profile,
        "test");

    public static HostInventory Host(string name, int freeInstances = 4, DescriptorFields? descriptor = null)
    {
        var fields = descriptor ?? Descriptor();
        return new HostInventory(
            HostInventory.CurrentSchemaVersion,
            name,
            new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero),
            [new InventoryDevice(SourceDevice, DeviceKind.Mdev, "vfio-pci", Type, Gpu, "i915", "1.2.0", null, 3, 0, true, fields)],
            [new CreatableType(Gpu, Type, "GVTg_V5_4", null, "vfio-pci", freeInstances, 1, "i915", "1.2.0", fields)],
            []);
    }

    public static string Json(HostInventory inventory) => InventoryJson.Serialize(inventory);

    /// <summary>An inventory whose COMPATIBLE template does not parse.</summary>
    public static HostInventory WithBrokenDescriptor(string name) => Host(name, descriptor: Descriptor("i915-GVTg_V5_{val1:int:"));
}
