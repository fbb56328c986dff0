using MigCompat.Discovery.Importers;

namespace MigCompat.Discovery.Tests.Importers;

/// <summary>
/// The importers on real tool output: the samples in the workspace's <c>shared/realworld</c> (output
/// of mdevctl and libvirt as those projects record it in their own test data). They are read where
/// they are, never copied into the repository; found by walking up from the test binaries, or named
/// by <c>MIGCOMPAT_REALWORLD_DIR</c>. Where they are not present (a clone outside the workspace) the
/// tests are skipped, and the fixtures in <c>Fixtures/</c>, written in the same formats, still run.
/// </summary>
public sealed class RealWorldSampleTests
{
    public static TheoryData<string, ImportFormat, string[], string[], string[]> HostSamples => new()
    {
        {
            "mdevctl/list-multiple.json", ImportFormat.MdevctlList,
            ["200f228a-c80a-4d50-bfb7-f5a0e4e34045", "de807ffc-1923-4d5f-b6c9-b20ecebc6d4b", "435722ea-5f43-468a-874f-da34f1217f13", "783e6dbb-ea0e-411f-94e2-717eaad438bf"], [], []
        },
        { "mdevctl/types-pci.json", ImportFormat.MdevctlTypes, [], ["0000:00:02.0/mdev_type1", "0000:00:02.0/mdev_type2", "0000:00:02.0/mdev_type3"], [] },
        { "mdevctl/types-ccw.json", ImportFormat.MdevctlTypes, [], ["0.0.26ab/vfio_ccw-io"], ["MCM006"] }, // mdevctl's test data says device_api "vfio_mdev": kept, with a warning
        { "libvirt/nodedev-pci-mdev-types.xml", ImportFormat.LibvirtNodeDevice, [], ["0000:02:10.7/foo1", "0000:02:10.7/foo2"], [] },
        { "libvirt/nodedev-ap-matrix-mdev-types.xml", ImportFormat.LibvirtNodeDevice, [], ["matrix/vfio_ap-passthrough"], [] },
        { "libvirt/nodedev-mdev-gvtg.xml", ImportFormat.LibvirtNodeDevice, ["d069d019-36ea-4111-8f0a-8c9a70e21366"], [], [] },
        { "libvirt/nodedev-mdev-ap.xml", ImportFormat.LibvirtNodeDevice, ["ee0b88c4-f554-4dc1-809d-b2a01e8e48ad"], [], [] },
    };

    [Theory]
    [MemberData(nameof(HostSamples))]
    public void A_real_tool_output_imports_cleanly_with_every_device_and_type(string sample, ImportFormat format, string[] deviceIds, string[] types, string[] warningCodes)
    {
        var content = ReadSample(sample);

        var (inventory, diagnostics) = InventoryImporter.ImportWithDiagnostics(format, content, sample, "host-a");

        Assert.Equal(warningCodes, diagnostics.Select(d => d.Code));
        Assert.DoesNotContain(diagnostics, d => d.IsError);
        Assert.Equal(deviceIds, inventory.Devices.Select(d => d.Id));
        Assert.Equal(types, inventory.CreatableTypes.Select(t => t.Parent + "/" + t.TypeId));
        Assert.All(inventory.Devices, d => Assert.False(string.IsNullOrEmpty(d.MdevType)));
    }

    [Fact]
    public void A_real_domain_xml_names_the_mdev_its_hostdev_uses()
    {
        var content = ReadSample("libvirt/domain-hostdev-mdev.xml");

        var read = LibvirtDomainReader.Read(content, "domain-hostdev-mdev.xml");

        Assert.Empty(read.Diagnostics);
        Assert.NotNull(read.Devices);
        Assert.Equal("QEMUGuest2", read.Devices.DomainName);
        Assert.Equal("c7a5fdbd-edaf-9455-926a-d65c16db1809", read.Devices.DomainUuid);
        Assert.Equal(["53764d0e-85a0-42b4-af5c-2046b460b1dc"], read.Devices.MdevUuids);
        Assert.Empty(read.Devices.PciAddresses);
    }

    private static string ReadSample(string relative)
    {
        var directory = FindSamples();
        Assert.SkipWhen(directory is null, "the shared/realworld samples are not in this workspace (set MIGCOMPAT_REALWORLD_DIR to run these tests)");
        return File.ReadAllText(Path.Combine(directory!, relative));
    }

    private static string? FindSamples()
    {
        var named = Environment.GetEnvironmentVariable("MIGCOMPAT_REALWORLD_DIR");
        if (!string.IsNullOrEmpty(named))
        {
            return Directory.Exists(named) ? named : throw new DirectoryNotFoundException($"MIGCOMPAT_REALWORLD_DIR={named} does not exist");
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "realworld");
            if (Directory.Exists(Path.Combine(candidate, "mdevctl")) && Directory.Exists(Path.Combine(candidate, "libvirt")))
            {
                return candidate;
            }
        }

        return null;
    }
}
