using MigCompat.Discovery.Importers;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Tests.Importers;

public sealed class LibvirtNodeDeviceImporterTests
{
    private static readonly Lazy<ImportResult> Wrapped = new(() => LibvirtNodeDeviceImporter.Import(Fixture.Read("nodedev-wrapped.xml"), "nodedev.xml"));

    [Fact]
    public void Mdev_types_of_pci_css_and_ap_parents_are_imported_with_sysfs_parent_ids()
    {
        Assert.Equal(
            ["0000:00:02.0/i915-GVTg_V5_4/1/i915", "0000:00:02.0/i915-GVTg_V5_8/2/i915", "0.0.0100/vfio_ccw-io/1/", "matrix/vfio_ap-passthrough/65535/"],
            Wrapped.Value.CreatableTypes.Select(t => $"{t.Parent}/{t.TypeId}/{t.AvailableInstances}/{t.Driver}"));
    }

    [Fact]
    public void An_mdev_takes_device_api_and_driver_from_its_parent_in_the_same_input()
    {
        var gvt = Wrapped.Value.Devices.Single(d => d.Id == "4b20d080-1b54-4048-85b3-a6a62d165c01");

        Assert.Equal(("0000:00:02.0", "vfio-pci", "i915", 12), (gvt.Parent, gvt.DeviceApi, gvt.Driver, gvt.IommuGroup));
        Assert.Equal("device_api=vfio-pci mdev_type=i915-GVTg_V5_4 driver=i915", Fixture.Self(gvt.Descriptor.Self));
    }

    [Fact]
    public void An_ap_mdev_without_uuid_element_takes_it_from_its_name_and_joins_repeated_attrs()
    {
        var ap = Wrapped.Value.Devices.Single(d => d.MdevType == "vfio_ap-passthrough");

        Assert.Equal(("7c8a3b3e-2f4d-4c1e-9a55-0b1c2d3e4f50", "matrix"), (ap.Id, ap.Parent));
        Assert.Equal("device_api=vfio-ap mdev_type=vfio_ap-passthrough assign_adapter=3,7 assign_domain=0x1f", Fixture.Self(ap.Descriptor.Self));
    }

    [Fact]
    public void A_pci_device_bound_to_a_vfio_variant_driver_is_imported_as_a_vf_of_its_pf()
    {
        var vf = Wrapped.Value.Devices.Single(d => d.Id == "0000:3b:00.2");

        Assert.Equal((DeviceKind.SriovVf, "0000:3b:00.0", "mlx5_vfio_pci", 40, 0), (vf.Kind, vf.Parent, vf.Driver, vf.IommuGroup, vf.NumaNode));
        Assert.Equal(new PciIds("15b3", "101e", null, null, "020000"), vf.Pci);
        Assert.Equal("device_api=vfio-pci pci_id=15b3:101e driver=mlx5_vfio_pci", Fixture.Self(vf.Descriptor.Self));
    }

    [Fact]
    public void A_device_that_cannot_be_assigned_is_reported_with_its_line()
    {
        var warning = Assert.Single(Wrapped.Value.Diagnostics);

        Assert.Equal((ImportCodes.NotAnAssignableDevice, 110), (warning.Code, warning.Line));
        Assert.Contains("usb_1_1", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Concatenated_devices_are_read_and_a_bad_capacity_becomes_zero_with_a_warning()
    {
        var result = LibvirtNodeDeviceImporter.Import(Fixture.Read("nodedev-concatenated.xml"), "cat.xml");

        Assert.Equal(["0000:02:10.7/nvidia-222/16", "0000:02:10.7/nvidia-223/0"], result.CreatableTypes.Select(t => $"{t.Parent}/{t.TypeId}/{t.AvailableInstances}"));
        var mdev = Assert.Single(result.Devices);
        Assert.Equal(("e2451f73-c95b-4124-b900-e008af37c576", "0000:02:10.7", "vfio-pci"), (mdev.Id, mdev.Parent, mdev.DeviceApi));
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal((ImportCodes.InvalidValue, 20), (warning.Code, warning.Line));
    }

    [Theory]
    [InlineData("pci_0000_00_02_0", "0000:00:02.0")]
    [InlineData("pci_0000_3B_00_2", "0000:3b:00.2")]
    [InlineData("css_0_0_fffe", "0.0.fffe")]
    [InlineData("ap_matrix", "matrix")]
    [InlineData("computer", null)]
    [InlineData("pci_0000_00_02", null)]
    public void A_libvirt_node_device_name_maps_to_its_sysfs_id(string name, string? expected)
    {
        Assert.Equal(expected, LibvirtNames.ToSysfsId(name));
    }
}
