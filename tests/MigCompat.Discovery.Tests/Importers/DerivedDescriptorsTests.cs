using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Tests.Importers;

public sealed class DerivedDescriptorsTests
{
    [Theory]
    [InlineData("vfio-pci", "nvidia-63", "nvidia", "550.54.14", "device_api=vfio-pci mdev_type=nvidia-63 driver=nvidia driver_build=550.54.14")]
    [InlineData(null, "i915-GVTg_V5_4", null, null, "mdev_type=i915-GVTg_V5_4")]
    [InlineData("vfio-ccw", "vfio_ccw-io", "vfio_ccw", "", "device_api=vfio-ccw mdev_type=vfio_ccw-io driver=vfio_ccw")]
    public void An_mdev_descriptor_has_only_the_known_facts_in_a_fixed_order(string? deviceApi, string type, string? driver, string? build, string expected)
    {
        var descriptor = DerivedDescriptors.ForMdev(deviceApi, type, driver, build);

        Assert.Equal(expected, Fixture.Self(descriptor.Self));
        Assert.Empty(descriptor.Compatible);
        Assert.Empty(descriptor.DynamicResources);
        Assert.Equal(DescriptorOrigin.Derived, descriptor.Origin);
    }

    [Fact]
    public void Extra_mdev_fields_follow_and_cannot_override_the_derived_ones()
    {
        var descriptor = DerivedDescriptors.ForMdev("vfio-ap", "vfio_ap-passthrough", null, null, DescriptorOrigin.Imported, "x", [new("mdev_type", "spoof"), new("assign_adapter", "3,7")]);

        Assert.Equal("device_api=vfio-ap mdev_type=vfio_ap-passthrough assign_adapter=3,7", Fixture.Self(descriptor.Self));
    }

    [Theory]
    [InlineData("0x15B3", "0x101e", "0x15b3", "0x0071", "device_api=vfio-pci pci_id=15b3:101e subsystem_id=15b3:0071 driver=mlx5_vfio_pci driver_build=1.0")]
    [InlineData("10de", "1eb8", null, "12a2", "device_api=vfio-pci pci_id=10de:1eb8 driver=mlx5_vfio_pci driver_build=1.0")]
    public void A_pci_descriptor_carries_normalized_pci_and_subsystem_ids(string vendor, string device, string? subVendor, string? subDevice, string expected)
    {
        var descriptor = DerivedDescriptors.ForPciDevice("vfio-pci", new PciIds(vendor, device, subVendor, subDevice, null), "mlx5_vfio_pci", "1.0");

        Assert.Equal(expected, Fixture.Self(descriptor.Self));
    }
}
