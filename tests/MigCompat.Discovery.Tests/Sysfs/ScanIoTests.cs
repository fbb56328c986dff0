using MigCompat.Discovery.Sysfs;

namespace MigCompat.Discovery.Tests.Sysfs;

/// <summary>The scan's low-level I/O: native listing (d_type, no stat) and timed reads in a scan (the reader itself: <see cref="AttributeReaderTests"/>).</summary>
public class ScanIoTests
{
    [Fact]
    public void The_native_listing_gives_each_entry_its_own_kind_without_following_links()
    {
        Assert.SkipUnless(NativeFs.IsSupported, "libc listing is used on 64-bit Linux only");
        using var fixture = new SysfsFixture();
        fixture.File("d/file", "1\n").Dir("d/dir").Link("d/to-dir", "dir").Link("d/to-file", "file")
            .Link("d/dangling", "nowhere").Link("d/escaping", "/etc").Fifo("d/fifo");
        var entries = new List<SysfsEntry>();

        var error = NativeFs.List(fixture.Full("d"), entries);

        Assert.Equal(0, error);
        var kinds = entries.ToDictionary(e => e.Name, e => e.Kind);
        Assert.Equal(7, kinds.Count);
        Assert.Equal(SysfsEntryKind.File, kinds["file"]);
        Assert.Equal(SysfsEntryKind.Directory, kinds["dir"]);
        Assert.Equal(SysfsEntryKind.Link, kinds["to-dir"]);
        Assert.Equal(SysfsEntryKind.Link, kinds["to-file"]);
        Assert.Equal(SysfsEntryKind.Link, kinds["dangling"]);
        Assert.Equal(SysfsEntryKind.Link, kinds["escaping"]);
        Assert.Equal(SysfsEntryKind.File, kinds["fifo"]);
        Assert.Equal(7, NativeFs.Count(fixture.Full("d"), out _));
        Assert.Equal("/etc", NativeFs.ReadLink(fixture.Root, "d/escaping"));
        Assert.Null(NativeFs.ReadLink(fixture.Root, "d/file"));
        Assert.NotEqual(0, NativeFs.List(fixture.Full("d/missing"), entries));
    }

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
}
