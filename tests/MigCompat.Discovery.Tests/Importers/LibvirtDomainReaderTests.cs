using MigCompat.Discovery.Importers;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Tests.Json;

namespace MigCompat.Discovery.Tests.Importers;

public sealed class LibvirtDomainReaderTests
{
    private static readonly Lazy<DomainReadResult> Domain = new(() => LibvirtDomainReader.Read(Fixture.Read("domain-hostdevs.xml"), "vm.xml"));

    [Fact]
    public void The_domain_lists_its_mdev_uuids_and_normalized_pci_addresses()
    {
        var devices = Domain.Value.Devices!;

        Assert.Equal("vm-render-07", devices.DomainName);
        Assert.Equal(["4b20d080-1b54-4048-85b3-a6a62d165c01"], devices.MdevUuids);
        Assert.Equal(["0000:3b:00.2", "0000:3b:01.3"], devices.PciAddresses);
    }

    [Fact]
    public void Usb_hostdevs_and_mdev_hostdevs_without_uuid_are_reported_not_dropped()
    {
        Assert.Equal(
            [(ImportCodes.HostdevSkipped, 27), (ImportCodes.HostdevSkipped, 33)],
            Domain.Value.Diagnostics.Select(d => (d.Code, d.Line)));
    }

    [Theory]
    [InlineData("0x0000", "0x3b", "0x00", "0x2", "0000:3b:00.2")]
    [InlineData("0", "59", "0", "2", "0000:3b:00.2")]
    [InlineData("0x0001", "0xAF", "0x1f", "0x7", "0001:af:1f.7")]
    [InlineData("0x0000", "0x3b", "0x20", "0x0", null)]
    [InlineData("0x0000", "0x3b", "0x00", "0x8", null)]
    [InlineData("0x0000", null, "0x00", "0x0", null)]
    [InlineData("0x0000", "bus", "0x00", "0x0", null)]
    public void A_pci_address_is_normalized_or_refused(string? domain, string? bus, string? slot, string? function, string? expected)
    {
        Assert.Equal(expected, LibvirtNames.PciAddress(domain, bus, slot, function));
    }

    [Fact]
    public void Mark_in_use_sets_in_use_on_matching_devices_only_and_reports_the_rest()
    {
        var inventory = InventoryImporter.Import(ImportFormat.LibvirtNodeDevice, Fixture.Read("nodedev-wrapped.xml"), "n.xml", "h", JsonSamples.TakenAt);

        var marked = inventory.MarkInUse(Domain.Value.Devices!, out var notFound);

        Assert.Equal(
            ["4b20d080-1b54-4048-85b3-a6a62d165c01=True", "7c8a3b3e-2f4d-4c1e-9a55-0b1c2d3e4f50=", "0000:3b:00.2=True"],
            marked.Devices.Select(d => $"{d.Id}={d.InUse}"));
        Assert.Equal(["0000:3b:01.3"], notFound);
    }
}
