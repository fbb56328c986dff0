using System.Globalization;
using MigCompat.Discovery.Sysfs;

namespace MigCompat.Discovery.Tests.Sysfs;

/// <summary>Descriptor-relative I/O (openat/readlinkat/getdents64) and the bounded cache of open directories.</summary>
public class DirectoryHandleTests
{
    [Fact]
    public void Opening_a_child_directory_never_follows_a_link_and_lists_like_the_path_listing()
    {
        Assert.SkipUnless(NativeFs.AtSupported, "descriptor-relative calls are used on 64-bit Linux only");
        using var fixture = new SysfsFixture();
        fixture.File("d/file", "1\n").Dir("d/dir").Link("d/to-dir", "dir").Link("d/to-file", "file")
            .Link("d/dangling", "nowhere").Link("d/escaping", "/etc").Fifo("d/fifo");
        var root = NativeFs.OpenDirectoryPath(fixture.Root);
        Assert.True(root >= 0);
        try
        {
            Assert.True(NativeFs.OpenDirectoryAt(root, "d") is var d && d >= 0);
            try
            {
                Assert.Equal(-1, NativeFs.OpenDirectoryAt(d, "to-dir"));
                Assert.Equal(-1, NativeFs.OpenDirectoryAt(d, "escaping"));
                Assert.Equal(-1, NativeFs.OpenDirectoryAt(d, "file"));
                Assert.Equal(-1, NativeFs.OpenDirectoryAt(d, "missing"));
                Assert.Equal("/etc", NativeFs.ReadLinkAt(d, "escaping"));
                Assert.Equal("dir", NativeFs.ReadLinkAt(d, "to-dir"));
                Assert.Null(NativeFs.ReadLinkAt(d, "file"));

                var entries = new List<SysfsEntry>();
                Assert.Equal(7, NativeFs.ListAt(d, fixture.Root, "d", entries, new byte[64], new EntryNames(), out var error));
                Assert.Equal(0, error);
                var byPath = new List<SysfsEntry>();
                Assert.Equal(0, NativeFs.List(fixture.Full("d"), byPath));
                Assert.Equal(byPath.OrderBy(e => e.Name, StringComparer.Ordinal), entries.OrderBy(e => e.Name, StringComparer.Ordinal));
                Assert.True(NativeFs.Rewind(d));
                Assert.Equal(7, NativeFs.ListAt(d, fixture.Root, "d", null, new byte[4096], null, out _));
            }
            finally
            {
                NativeFs.Close(d);
            }
        }
        finally
        {
            NativeFs.Close(root);
        }
    }

    [Fact]
    public void A_scan_of_more_directories_than_the_descriptor_cache_holds_finds_everything()
    {
        using var fixture = new SysfsFixture();
        const int parents = 40;
        for (var p = 0; p < parents; p++)
        {
            var device = string.Create(CultureInfo.InvariantCulture, $"{SysfsFixture.PciRoot}/0000:{p + 1:x2}:00.0");
            fixture.MdevParent(device, driver: "i915").MdevType(device, "t", "T", "vfio-pci", 1);
            for (var i = 0; i < 2; i++)
            {
                fixture.MdevInstance(device, "t", string.Create(CultureInfo.InvariantCulture, $"{p:x8}-0000-4000-8000-{i:x12}"), iommuGroup: (p * 2) + i);
            }
        }

        var inventory = SysfsScanning.Scan(fixture);

        Assert.Equal(parents, inventory.CreatableTypes.Length);
        Assert.Equal(parents * 2, inventory.Devices.Count(d => d.MdevType == "t"));
        Assert.All(inventory.Devices.Where(d => d.MdevType == "t"), d => Assert.NotNull(d.IommuGroup));
    }
}
