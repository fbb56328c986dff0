using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Sysfs;

namespace MigCompat.Discovery.Tests.Sysfs;

/// <summary>The scan's I/O as seen in its output: timed reads in a scan (the reader itself: <see cref="AttributeReaderTests"/>) and a large tree of odd links.</summary>
public class ScanIoTests
{
    [Fact]
    public void A_type_attribute_that_blocks_is_abandoned_once_and_the_rest_of_the_type_is_skipped()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.Gvtg);
        const string type = SysfsFixtures.IgdPath + "/mdev_supported_types/i915-GVTg_V5_4";
        File.Delete(fixture.Full(type + "/device_api"));
        fixture.Fifo(type + "/device_api");
        var options = SysfsScanning.Options(fixture) with { ReadTimeout = TimeSpan.FromMilliseconds(300) };
        try
        {
            var inventory = SysfsScanner.Scan(options);

            Assert.Single(inventory.Warnings, w => w.Code == SysfsWarningCodes.ReadTimedOut && w.Path.EndsWith("i915-GVTg_V5_4/device_api", StringComparison.Ordinal));
            Assert.Contains(inventory.Warnings, w => w.Code == SysfsWarningCodes.ReadTimedOut && w.Path.EndsWith("i915-GVTg_V5_4/available_instances", StringComparison.Ordinal));
            Assert.Equal(4, inventory.CreatableTypes.Length);
            Assert.Equal(3, inventory.Devices.Length);
            Assert.Null(Assert.Single(inventory.CreatableTypes, t => t.TypeId == "i915-GVTg_V5_4").DeviceApi);
        }
        finally
        {
            using var writer = new FileStream(fixture.Full(type + "/device_api"), FileMode.Open, FileAccess.Write);
        }
    }

    [Fact]
    public void A_large_tree_with_odd_links_scans_every_reachable_device_and_warns_about_the_others()
    {
        using var fixture = BuildLargeOddTree();

        var inventory = SysfsScanning.Scan(fixture);

        Assert.Equal(48 + 2, inventory.Devices.Length); // and the one through a linked directory, and the absolute link's
        Assert.Contains(inventory.Warnings, w => w.Code == SysfsWarningCodes.LinkEscapesRoot);
        Assert.Contains(inventory.Warnings, w => w.Code == SysfsWarningCodes.LinkLoop);
        Assert.Contains(inventory.Warnings, w => w.Code == SysfsWarningCodes.DanglingLink);
        Assert.Equal(SysfsScanning.StableJson(inventory, fixture), SysfsScanning.StableJson(SysfsScanning.Scan(fixture), fixture));
    }

    /// <summary>
    /// GVT-g with 48 instances, plus odd entries in bus/mdev/devices: a link out of the root, a loop, a
    /// dangling link, an absolute link under the root, a path through a linked directory, a real
    /// directory and a file.
    /// </summary>
    private static SysfsFixture BuildLargeOddTree()
    {
        var f = new SysfsFixture();
        const string parent = SysfsFixtures.IgdPath;
        f.PciDevice("0000:00:02.0", "0x8086", "0x5912", driver: "i915", iommuGroup: 0)
            .Module("i915", null)
            .MdevParent(parent)
            .MdevType(parent, "i915-GVTg_V5_4", null, "vfio-pci", 1)
            .MdevType(parent, "i915-GVTg_V5_8", null, "vfio-pci", 2);
        for (var i = 0; i < 48; i++)
        {
            f.MdevInstance(parent, i % 2 == 0 ? "i915-GVTg_V5_4" : "i915-GVTg_V5_8", $"00000000-0000-4000-8000-{i:x12}", iommuGroup: 100 + i, ("aggregator", "1"));
        }

        const string via = "00000000-0000-4000-9000-000000000001";
        f.MdevInstance(parent, "i915-GVTg_V5_4", via, iommuGroup: 200);
        File.Delete(f.Full("bus/mdev/devices/" + via));
        f.Link("devices/linked-igd", "pci0000:00/0000:00:02.0")
            .Link("bus/mdev/devices/" + via, "../../../devices/linked-igd/" + via)
            .Link("bus/mdev/devices/00000000-0000-4000-9000-000000000002", "../../../../outside")
            .Link("bus/mdev/devices/00000000-0000-4000-9000-000000000003", "../../../bus/mdev/devices/00000000-0000-4000-9000-000000000003")
            .Link("bus/mdev/devices/00000000-0000-4000-9000-000000000004", "../../../devices/pci0000:00/0000:00:02.0/gone")
            .Link("bus/mdev/devices/00000000-0000-4000-9000-000000000005", f.Full(parent + "/00000000-0000-4000-8000-000000000000"))
            .Dir("bus/mdev/devices/00000000-0000-4000-9000-000000000006")
            .File("bus/mdev/devices/00000000-0000-4000-9000-000000000007", "not a device\n");
        return f;
    }
}
