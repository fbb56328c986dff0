using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Sysfs;

namespace MigCompat.Discovery.Tests.Sysfs;

public class SysfsScannerTests
{
    [Fact]
    public void Gvtg_types_carry_name_description_capacity_and_existing_instances()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.Gvtg);

        var inventory = SysfsScanning.Scan(fixture);

        var v58 = Assert.Single(inventory.CreatableTypes, t => t.TypeId == "i915-GVTg_V5_8");
        Assert.Equal(("0000:00:02.0", "vfio-pci", 2, 2, "i915"), (v58.Parent, v58.DeviceApi, v58.AvailableInstances, v58.ExistingInstances, v58.Driver));
        Assert.StartsWith("low_gm_size: 64MB\nhigh_gm_size", v58.Description, StringComparison.Ordinal);
        Assert.Equal(4, inventory.CreatableTypes.Length);
        Assert.Empty(inventory.Warnings);
    }

    [Fact]
    public void An_mdev_instance_gets_type_parent_parent_pci_ids_and_iommu_group_from_its_links()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.Gvtg);

        var device = Assert.Single(SysfsScanning.Scan(fixture).Devices, d => d.Id == "d069d019-36ea-4111-8f0a-8c9a70e21366");

        Assert.Equal((DeviceKind.Mdev, "i915-GVTg_V5_4", "0000:00:02.0", "vfio-pci", 12), (device.Kind, device.MdevType, device.Parent, device.DeviceApi, device.IommuGroup));
        Assert.Equal(new PciIds("8086", "5912", "1028", "07a1", "030000"), device.Pci);
        Assert.Equal(DescriptorOrigin.Derived, device.Descriptor.Origin);
    }

    public static TheoryData<string, string, DeviceKind, string?> PciCases => new()
    {
        { SysfsFixtures.SriovVfs, "0000:65:01.0", DeviceKind.SriovVf, "0000:65:00.0" },
        { SysfsFixtures.SriovVfs, "0000:ca:00.1", DeviceKind.SriovVf, "0000:ca:00.0" },
        { SysfsFixtures.NvgraceVariant, "0009:01:00.0", DeviceKind.PciDevice, null },
    };

    [Theory]
    [MemberData(nameof(PciCases))]
    public void A_pci_device_bound_to_vfio_pci_or_a_variant_driver_is_listed_with_its_kind_and_parent(string fixtureName, string address, DeviceKind kind, string? parent)
    {
        using var fixture = SysfsFixtures.Build(fixtureName);

        var device = Assert.Single(SysfsScanning.Scan(fixture).Devices, d => d.Id == address);

        Assert.Equal((kind, parent, "vfio-pci"), (device.Kind, device.Parent, device.DeviceApi));
    }

    [Fact]
    public void Pci_devices_on_other_drivers_are_not_listed()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.SriovVfs);

        var ids = SysfsScanning.Scan(fixture).Devices.Select(d => d.Id).ToArray();

        Assert.Equal(["0000:65:01.0", "0000:65:01.1", "0000:ca:00.1"], ids);
    }

    [Theory]
    [InlineData("vfio-pci", true)]
    [InlineData("mlx5_vfio_pci", true)]
    [InlineData("hisi_acc_vfio_pci", true)]
    [InlineData("nvgrace_gpu_vfio_pci", true)]
    [InlineData("virtio_vfio_pci", true)]
    [InlineData("some-vfio-pci", true)]
    [InlineData("vfio_pci_core", false)]
    [InlineData("i915", false)]
    [InlineData(null, false)]
    public void Vfio_drivers_are_recognised_by_name(string? driver, bool expected) =>
        Assert.Equal(expected, VfioDrivers.IsVfioPciDriver(driver));

    public static TheoryData<string, string, string> DriverLayoutCases => new()
    {
        // instance uuid prefix, the origin detail's tail, one self field it must carry
        { "a0000000", "mdev_supported_types/mtty-1", "aggregator=2" },
        { "b0000000", "mdev_supported_types/mtty-2/migration_version", "migration_version=mtty-2-v1-8086:1234" },
        { "c0000000", "c0000000-0000-4000-8000-00000000000c/migration_version", "migration_version=mtty-2 {instance c} \"v2\"" },
        { "d0000000", "d0000000-0000-4000-8000-00000000000d/migration_compatible", "software_version=1.1.0" },
        { "e0000000", "e0000000-0000-4000-8000-00000000000e/migration", "software_version=2.0.1" },
        { "f0000000", "f0000000-0000-4000-8000-00000000000f/migration", "mdev_type=mtty-2" },
        { "90000000", "mdev_supported_types/mtty-2/migration_version", "migration_version=mtty-2-v1-8086:1234" },
    };

    [Theory]
    [MemberData(nameof(DriverLayoutCases))]
    public void Each_upstream_migration_attribute_layout_becomes_a_driver_descriptor(string uuidPrefix, string detailTail, string selfField)
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.MigrationLayouts);

        var device = Assert.Single(SysfsScanning.Scan(fixture).Devices, d => d.Id.StartsWith(uuidPrefix, StringComparison.Ordinal));

        Assert.Equal(DescriptorOrigin.Driver, device.Descriptor.Origin);
        Assert.EndsWith(detailTail, device.Descriptor.OriginDetail, StringComparison.Ordinal);
        Assert.Contains(selfField, device.Descriptor.Self.Select(f => f.Key + "=" + f.Value));
    }

    [Fact]
    public void Sept_2020_attributes_give_a_compatible_block_and_dynamic_resources()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.MigrationLayouts);

        var type = Assert.Single(SysfsScanning.Scan(fixture).CreatableTypes, t => t.TypeId == "mtty-1");

        Assert.Equal(DescriptorOrigin.Driver, type.Descriptor.Origin);
        Assert.Equal(["aggregator"], type.Descriptor.DynamicResources);
        var block = Assert.Single(type.Descriptor.Compatible);
        Assert.Contains(block, f => f.Key == "mdev_type" && f.Value.Contains("mtty-legacy", StringComparison.Ordinal));
    }

    [Fact]
    public void A_broken_driver_declaration_is_reported_with_its_line_and_the_next_source_is_used()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.MigrationLayouts);

        var inventory = SysfsScanning.Scan(fixture);

        var warning = Assert.Single(inventory.Warnings, w => w.Path.Contains("90000000-", StringComparison.Ordinal));
        Assert.Equal(SysfsWarningCodes.DriverDescriptorInvalid, warning.Code);
        Assert.Matches(@"90000000-0000-4000-8000-000000000009/migration_compatible:2:\d+$", warning.Path);
        var device = Assert.Single(inventory.Devices, d => d.Id.StartsWith("90000000", StringComparison.Ordinal));
        Assert.EndsWith("mtty-2/migration_version", device.Descriptor.OriginDetail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_root_gives_an_empty_inventory_with_a_warning()
    {
        var inventory = SysfsScanner.Scan(new SysfsScanOptions { SysfsRoot = "/nonexistent/sys", ProfilesDirectory = null, HostName = "h" });

        Assert.Empty(inventory.Devices);
        Assert.Equal(SysfsWarningCodes.RootMissing, Assert.Single(inventory.Warnings).Code);
    }
}
