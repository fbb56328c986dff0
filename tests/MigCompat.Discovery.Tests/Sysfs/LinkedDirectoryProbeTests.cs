using MigCompat.Discovery.Sysfs;

namespace MigCompat.Discovery.Tests.Sysfs;

/// <summary>
/// The read-ahead of device directories: it only fills the tree's caches, so a scan with it gives
/// exactly the inventory (and the warnings) of a scan without it, whichever thread reads what.
/// </summary>
public class LinkedDirectoryProbeTests
{
    public static TheoryData<string> Fixtures => [.. SysfsFixtures.All];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Each_fixture_scans_to_its_golden_inventory_when_probes_read_every_device_first(string fixtureName)
    {
        Assert.SkipUnless(NativeFs.AtSupported, "probes use descriptor-relative system calls");
        using var fixture = SysfsFixtures.Build(fixtureName);
        var options = SysfsScanning.Options(fixture) with { ProbeThreads = 2, ProbeMinimumEntries = 0, ProbeBeforeScanning = true };

        var inventory = SysfsScanner.Scan(options);

        GoldenFile.AssertMatches(SysfsScanning.StableJson(inventory, fixture), $"Golden/{fixtureName}.json");
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(3, true)]
    [InlineData(3, false)]
    public void A_large_tree_with_odd_links_scans_the_same_with_and_without_probes(int threads, bool probeFirst)
    {
        using var fixture = BuildLargeOddTree();
        var without = SysfsScanner.Scan(SysfsScanning.Options(fixture) with { ProbeThreads = 0 });
        var with = SysfsScanner.Scan(SysfsScanning.Options(fixture) with { ProbeThreads = threads, ProbeMinimumEntries = 0, ProbeBeforeScanning = probeFirst });

        Assert.Equal(SysfsScanning.StableJson(without, fixture), SysfsScanning.StableJson(with, fixture));
        Assert.Equal(48 + 2, without.Devices.Length); // and the one through a linked directory, and the absolute link's
        Assert.Contains(without.Warnings, w => w.Code == SysfsWarningCodes.LinkEscapesRoot);
        Assert.Contains(without.Warnings, w => w.Code == SysfsWarningCodes.LinkLoop);
        Assert.Contains(without.Warnings, w => w.Code == SysfsWarningCodes.DanglingLink);
    }

    [Theory]
    [InlineData("bus/mdev/devices", "../../../devices/pci0000:00/0000:00:02.0/u1", "devices/pci0000:00/0000:00:02.0/u1")]
    [InlineData("a/b", "../c", "a/c")]
    [InlineData("a/b", "./c/./d/", "a/b/c/d")]
    [InlineData("a/b", "c//d", "a/b/c/d")]
    [InlineData("a", "/sysroot/x/y", "x/y")]
    [InlineData("a/b", "../../c", "c")]
    public void A_plain_link_target_is_taken_lexically_from_its_directory(string directory, string target, string expected) =>
        Assert.Equal(expected, LinkedDirectoryProbe.PlainTarget(directory, target, "/sysroot"));

    [Theory]
    [InlineData("a/b", "c/../d")]        // ".." after a named component: depends on what c is
    [InlineData("a", "../../x")]         // climbs above the root
    [InlineData("a", "/elsewhere/x")]    // absolute outside the root
    [InlineData("a", "/sysrootx/y")]     // a sibling of the root, not under it
    [InlineData("a", "/sysroot/../x")]   // absolute with ".."
    [InlineData("a/b", "..")]            // names nothing
    [InlineData("a", "/sysroot")]        // the root itself
    public void A_link_target_that_is_not_plain_is_left_to_the_resolver(string directory, string target) =>
        Assert.Null(LinkedDirectoryProbe.PlainTarget(directory, target, "/sysroot"));

    [Theory]
    [InlineData(new byte[] { 0x6d, 0x64, 0x65, 0x76, 0x5f, 0x74, 0x79, 0x70, 0x65 }, "mdev_type")]
    [InlineData(new byte[] { 0x61, 0xff, 0x62 }, "a\uFFFDb")]
    [InlineData(new byte[] { 0xc3, 0xa9 }, "\u00e9")]
    public void Entry_names_are_decoded_as_utf8_and_a_recurring_short_name_is_one_string(byte[] utf8, string expected)
    {
        var names = new EntryNames();

        var first = names.Get(utf8);
        var second = names.Get(utf8);

        Assert.Equal(expected, first);
        Assert.Same(first, second);
    }

    [Fact]
    public void A_long_entry_name_such_as_a_uuid_is_not_kept()
    {
        var names = new EntryNames();
        var uuid = "d069d019-36ea-4111-8f0a-8c9a70e21366"u8.ToArray();

        var first = names.Get(uuid);
        var second = names.Get(uuid);

        Assert.Equal("d069d019-36ea-4111-8f0a-8c9a70e21366", first);
        Assert.NotSame(first, second);
    }

    /// <summary>
    /// GVT-g with 48 instances, plus entries in bus/mdev/devices the probe must leave alone: a link out
    /// of the root, a loop, a dangling link, an absolute link under the root, a path through a linked
    /// directory, a real directory and a file.
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
