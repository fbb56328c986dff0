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

    [Fact]
    public void The_domain_uuid_is_read_in_lower_case()
    {
        Assert.Equal("3f1c3a52-4b0e-4f6b-9a0c-3d4e5f607182", Domain.Value.Devices!.DomainUuid);
    }

    [Theory]
    [InlineData("<uuid>not-a-uuid</uuid>", null, 1)]
    [InlineData("<uuid>3F1C3A52-4B0E-4F6B-9A0C-3D4E5F607182</uuid>", "3f1c3a52-4b0e-4f6b-9a0c-3d4e5f607182", 0)]
    [InlineData("", null, 0)]
    public void A_domain_uuid_that_is_not_one_is_a_warning_and_the_vm_keeps_its_name(string uuidElement, string? expected, int warnings)
    {
        var read = LibvirtDomainReader.Read($"<domain type='kvm'><name>vm</name>{uuidElement}<devices/></domain>", "vm.xml");

        Assert.Equal(("vm", expected), (read.Devices?.DomainName, read.Devices?.DomainUuid));
        Assert.Equal(warnings, read.Diagnostics.Count(d => d.Code == ImportCodes.InvalidValue && !d.IsError));
    }

    [Fact]
    public void Mark_in_use_makes_the_domain_a_guest_with_the_inventorys_devices_it_uses()
    {
        var inventory = InventoryImporter.Import(ImportFormat.LibvirtNodeDevice, Fixture.Read("nodedev-wrapped.xml"), "n.xml", "h", JsonSamples.TakenAt);

        var marked = inventory.MarkInUse(Domain.Value.Devices!);

        var guest = Assert.Single(marked.Guests);
        Assert.Equal(new InventoryGuest("vm-render-07", "3f1c3a52-4b0e-4f6b-9a0c-3d4e5f607182", ["4b20d080-1b54-4048-85b3-a6a62d165c01", "0000:3b:00.2"]), guest);
        Assert.Empty(InventoryJson.Read(InventoryJson.Serialize(marked), "marked.json").Diagnostics);
    }

    [Fact]
    public void A_newer_domain_replaces_the_guest_of_its_name_or_uuid_and_takes_its_devices_from_other_guests()
    {
        var inventory = InventoryImporter.Import(ImportFormat.LibvirtNodeDevice, Fixture.Read("nodedev-wrapped.xml"), "n.xml", "h", JsonSamples.TakenAt) with
        {
            Guests =
            [
                new InventoryGuest("old-name", "3f1c3a52-4b0e-4f6b-9a0c-3d4e5f607182", []),
                new InventoryGuest("vm-render-07", null, ["7c8a3b3e-2f4d-4c1e-9a55-0b1c2d3e4f50"]),
                new InventoryGuest("other", null, ["0000:3b:00.2", "7c8a3b3e-2f4d-4c1e-9a55-0b1c2d3e4f50"]),
            ],
        };

        var marked = inventory.MarkInUse(Domain.Value.Devices!);

        Assert.Equal(
            ["other: 7c8a3b3e-2f4d-4c1e-9a55-0b1c2d3e4f50", "vm-render-07: 4b20d080-1b54-4048-85b3-a6a62d165c01 0000:3b:00.2"],
            marked.Guests.Select(g => $"{g.Name}: {string.Join(' ', g.DeviceIds)}"));
        Assert.Empty(InventoryJson.Read(InventoryJson.Serialize(marked), "marked.json").Diagnostics.Where(d => d.IsError));
    }
}
