using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Sysfs;

namespace MigCompat.Discovery.Tests.Sysfs;

/// <summary>
/// What a real kernel's sysfs does that fake trees used to leave out (checked in a real guest by
/// <c>lab/run-mtty</c>): sample-driver parents without a <c>driver</c> link whose instances are bound to
/// the mdev driver, and write-only action files (<c>create</c>, <c>remove</c>, vfio_ap's
/// <c>assign_*</c>) that sysfs refuses to open for reading even for root.
/// </summary>
public class RealKernelLayoutTests
{
    private const string SampleType = "sample-1";

    /// <summary>
    /// Case → where the driver name comes from. Expected driver and version for every type and every
    /// instance of the parent.
    /// </summary>
    public static TheoryData<string, string, string?> DriverCases => new()
    {
        { "mtty parent without a driver link, instances bound to mtty", "mtty", "0.1" },
        { "mtty parent without a driver link and without instances", "mtty", "0.1" },
        { "mtty without a module version", "mtty", null },
        { "an instance bound to a driver the type id does not name", "sample_mdev", "3.0" },
        { "a parent with a driver link and instances bound to another driver", "i915", null },
    };

    [Theory]
    [MemberData(nameof(DriverCases))]
    public void The_driver_of_an_mdev_parent_comes_from_its_link_else_an_instance_else_the_type_id(string layout, string driver, string? version)
    {
        using var fixture = BuildDriverCase(layout);

        var inventory = SysfsScanning.Scan(fixture);

        Assert.NotEmpty(inventory.CreatableTypes);
        Assert.All(inventory.CreatableTypes, t => Assert.Equal((driver, version), (t.Driver, t.DriverVersion)));
        Assert.All(inventory.Devices, d => Assert.Equal((driver, version), (d.Driver, d.DriverVersion)));
        Assert.All(inventory.CreatableTypes, t => Assert.Contains(KeyValuePair.Create("driver", driver), t.Descriptor.Self));
        Assert.Empty(inventory.Warnings);
    }

    public static TheoryData<string, string> WriteOnlyFiles => new()
    {
        { SysfsFixtures.Mtty, SysfsFixtures.MttyPath + "/mdev_supported_types/mtty-1/create" },
        { SysfsFixtures.Mtty, SysfsFixtures.MttyPath + "/mdev_supported_types/mtty-2/create" },
        { SysfsFixtures.Mtty, SysfsFixtures.MttyPath + "/" + SysfsFixtures.MttyOnePort + "/remove" },
        { SysfsFixtures.Gvtg, SysfsFixtures.IgdPath + "/mdev_supported_types/i915-GVTg_V5_4/create" },
        { SysfsFixtures.VfioAp, "devices/vfio_ap/matrix/ee0b88c4-f554-4dc1-809d-b2a01e8e48ad/assign_adapter" },
        { SysfsFixtures.VfioAp, "devices/vfio_ap/matrix/ee0b88c4-f554-4dc1-809d-b2a01e8e48ad/unassign_control_domain" },
    };

    [Theory]
    [MemberData(nameof(WriteOnlyFiles))]
    public void A_write_only_file_is_neither_a_value_nor_reported_as_unreadable(string fixtureName, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes");
            return;
        }

        using var fixture = SysfsFixtures.Build(fixtureName);
        Assert.Equal(UnixFileMode.UserWrite, File.GetUnixFileMode(fixture.Full(path)));
        var name = Path.GetFileName(path);

        var inventory = SysfsScanning.Scan(fixture);

        Assert.DoesNotContain(inventory.Warnings, w => w.Path.EndsWith("/" + name, StringComparison.Ordinal));
        Assert.DoesNotContain(inventory.Devices, d => d.Descriptor.Self.Any(f => f.Key == name));
    }

    [Fact]
    public void The_real_mtty_layout_scans_to_both_types_with_their_share_of_the_port_pool_and_no_warnings()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.Mtty);

        var inventory = SysfsScanning.Scan(fixture);

        Assert.Equal(
            [("mtty-1", "Single port serial", 21, 1), ("mtty-2", "Dual port serial", 10, 1)],
            inventory.CreatableTypes.Select(t => (t.TypeId, t.Name!, t.AvailableInstances, t.ExistingInstances)));
        Assert.All(inventory.CreatableTypes, t => Assert.Null(t.Description));
        Assert.Equal(
            [(SysfsFixtures.MttyOnePort, "mtty-1", 0), (SysfsFixtures.MttyTwoPorts, "mtty-2", 1)],
            inventory.Devices.Select(d => (d.Id, d.MdevType!, d.IommuGroup!.Value)));
        Assert.All(inventory.Devices, d => Assert.Equal(("mtty", DeviceKind.Mdev, "vfio-pci"), (d.Parent!, d.Kind, d.DeviceApi!)));
        Assert.Empty(inventory.Warnings);
    }

    [Theory]
    [InlineData("mtty-1", "mtty")]
    [InlineData("i915-GVTg_V5_4", "i915")]
    [InlineData("vfio_ccw-io", "vfio_ccw")]
    [InlineData("nvidia-63", "nvidia")]
    [InlineData("mbochs-small-1", "mbochs")]
    [InlineData("matrix", null)]
    [InlineData("-1", null)]
    public void The_driver_a_type_id_names_is_the_text_before_its_first_dash(string typeId, string? driver)
    {
        Assert.Equal(driver, MdevScan.DriverNamedByType(typeId));
    }

    private static SysfsFixture BuildDriverCase(string layout)
    {
        const string p = SysfsFixtures.MttyPath;
        const string sample = "devices/virtual/sample/sample";
        switch (layout)
        {
            case "mtty parent without a driver link, instances bound to mtty":
                return SysfsFixtures.Build(SysfsFixtures.Mtty);
            case "mtty parent without a driver link and without instances":
                return new SysfsFixture().Module("mtty", "0.1").MdevParent(p)
                    .MdevType(p, "mtty-1", "Single port serial", "vfio-pci", 24)
                    .MdevType(p, "mtty-2", "Dual port serial", "vfio-pci", 12);
            case "mtty without a module version":
                return new SysfsFixture().MdevParent(p)
                    .MdevType(p, "mtty-1", "Single port serial", "vfio-pci", 23)
                    .MdevInstance(p, "mtty-1", SysfsFixtures.MttyOnePort, iommuGroup: 0)
                    .MdevInstanceDriver(p, SysfsFixtures.MttyOnePort, "mtty");
            case "an instance bound to a driver the type id does not name":
                return new SysfsFixture().Module("sample_mdev", "3.0").MdevParent(sample)
                    .MdevType(sample, SampleType, "Sample", "vfio-pci", 3)
                    .MdevInstance(sample, SampleType, SysfsFixtures.MttyOnePort, iommuGroup: 0)
                    .MdevInstanceDriver(sample, SysfsFixtures.MttyOnePort, "sample_mdev");
            case "a parent with a driver link and instances bound to another driver":
                var gvtg = SysfsFixtures.Build(SysfsFixtures.Gvtg);
                gvtg.Module("intel_vgpu_mdev", "9.9")
                    .MdevInstanceDriver(SysfsFixtures.IgdPath, "d069d019-36ea-4111-8f0a-8c9a70e21366", "intel_vgpu_mdev");
                return gvtg;
            default:
                throw new ArgumentOutOfRangeException(nameof(layout), layout, "unknown layout");
        }
    }
}
