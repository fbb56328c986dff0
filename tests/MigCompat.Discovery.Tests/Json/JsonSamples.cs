using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Tests.Json;

/// <summary>Hand-built inventories shared by the JSON tests.</summary>
internal static class JsonSamples
{
    public static readonly DateTimeOffset TakenAt = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A GVT-g host with one vGPU in use, one mlx5 VF, two creatable types and one warning.</summary>
    public static HostInventory SmallHost() => new(
        HostInventory.CurrentSchemaVersion,
        "node-a1",
        TakenAt,
        [
            new InventoryDevice(
                "53764d0e-85a0-42b4-af5c-2046b460b1dc",
                DeviceKind.Mdev,
                "vfio-pci",
                "i915-GVTg_V5_4",
                "0000:00:02.0",
                "i915",
                null,
                new PciIds("8086", "3e92", "1028", "0869", "030000"),
                12,
                0,
                true,
                new DescriptorFields(
                    [new("device_api", "vfio-pci"), new("mdev_type", "i915-GVTg_V5_4"), new("aggregator", "1"), new("software_version", "1.2.0")],
                    [[new("mdev_type", "i915-GVTg_V5_{val1:int:2,4}"), new("software_version", "1.2.0")]],
                    ["aggregator"],
                    DescriptorOrigin.Driver,
                    "/sys/bus/mdev/devices/53764d0e-85a0-42b4-af5c-2046b460b1dc/migration")),
            new InventoryDevice(
                "0000:3b:00.2",
                DeviceKind.SriovVf,
                "vfio-pci",
                null,
                "0000:3b:00.0",
                "mlx5_vfio_pci",
                null,
                new PciIds("15b3", "101e", null, null, null),
                40,
                -1,
                null,
                DerivedDescriptors.ForPciDevice("vfio-pci", new PciIds("15b3", "101e", null, null, null), "mlx5_vfio_pci", null, DescriptorOrigin.Derived, "/sys/bus/pci/devices/0000:3b:00.2")),
        ],
        [
            new CreatableType("0000:00:02.0", "i915-GVTg_V5_4", "GVTg_V5_4", "low_gm_size: 128MB\nhigh_gm_size: 512MB", "vfio-pci", 1, 1, "i915", null,
                DerivedDescriptors.ForMdev("vfio-pci", "i915-GVTg_V5_4", "i915", null, DescriptorOrigin.Derived, "/sys/class/mdev_bus/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4")),
            new CreatableType("0000:00:02.0", "i915-GVTg_V5_8", null, null, "vfio-pci", 2, 0, "i915", null,
                DerivedDescriptors.ForMdev("vfio-pci", "i915-GVTg_V5_8", "i915", null, DescriptorOrigin.Derived, "/sys/class/mdev_bus/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_8")),
        ],
        [new InventoryWarning("MCS001", "/sys/bus/pci/devices/0000:af:00.0/numa_node", "numa_node could not be read: permission denied.")]);
}
