using MigCompat.Discovery.Importers;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Tests.Importers;

public sealed class MdevctlListImporterTests
{
    private static readonly Lazy<ImportResult> Multi = new(() => MdevctlListImporter.Import(Fixture.Read("mdevctl-list-multi.json"), "list.json"));

    [Fact]
    public void Devices_of_every_parent_are_imported_with_normalized_uuids()
    {
        Assert.Empty(Multi.Value.Diagnostics);
        Assert.Equal(
            ["0000:00:02.0/4b20d080-1b54-4048-85b3-a6a62d165c01", "0000:00:02.0/53764d0e-85a0-42b4-af5c-2046b460b1dc", "matrix/7c8a3b3e-2f4d-4c1e-9a55-0b1c2d3e4f50", "0.0.0100/9e0c7ad2-7c3b-4d7c-8a16-7d7c1c1f3a01"],
            Multi.Value.Devices.Select(d => $"{d.Parent}/{d.Id}"));
        Assert.All(Multi.Value.Devices, d => Assert.Equal(DeviceKind.Mdev, d.Kind));
    }

    [Theory]
    [InlineData("4b20d080-1b54-4048-85b3-a6a62d165c01", "mdev_type=i915-GVTg_V5_4")]
    [InlineData("53764d0e-85a0-42b4-af5c-2046b460b1dc", "mdev_type=i915-GVTg_V5_8 aggregator=2")]
    [InlineData("7c8a3b3e-2f4d-4c1e-9a55-0b1c2d3e4f50", "mdev_type=vfio_ap-passthrough assign_adapter=3,7 assign_domain=0x1f,0x20 assign_control_domain=0x1f")]
    public void Attributes_become_self_fields_and_repeated_names_are_joined_in_order(string uuid, string expectedSelf)
    {
        var device = Multi.Value.Devices.Single(d => d.Id == uuid);

        Assert.Equal(expectedSelf, Fixture.Self(device.Descriptor.Self));
        Assert.Equal((DescriptorOrigin.Imported, "mdevctl list"), (device.Descriptor.Origin, device.Descriptor.OriginDetail));
        Assert.Null(device.InUse);
    }

    public static TheoryData<string, string, string> OddEntries => new()
    {
        { "a key that is not a UUID", ImportCodes.InvalidValue, "$[0][\"0000:00:02.0\"][0].not-a-uuid" },
        { "a device without mdev_type", ImportCodes.InvalidValue, "$[0][\"0000:00:02.0\"][1].11111111-2222-3333-4444-555555555555" },
        { "an attr object with two pairs", ImportCodes.UnusableAttribute, "$[0][\"0000:00:02.0\"][2].22222222-3333-4444-5555-666666666666.attrs[0]" },
        { "an attr named like a reserved field", ImportCodes.UnusableAttribute, "$[0][\"0000:00:02.0\"][2].22222222-3333-4444-5555-666666666666.attrs[1].mdev_type" },
        { "an attr with a boolean value", ImportCodes.UnusableAttribute, "$[0][\"0000:00:02.0\"][2].22222222-3333-4444-5555-666666666666.attrs[3].flag" },
        { "a repeated uuid", ImportCodes.Duplicate, "$[0][\"0000:00:02.0\"][3].22222222-3333-4444-5555-666666666666" },
    };

    [Theory]
    [MemberData(nameof(OddEntries))]
    public void An_odd_entry_is_reported_at_its_json_path(string entry, string code, string path)
    {
        var diagnostics = MdevctlListImporter.Import(Fixture.Read("mdevctl-list-odd.json"), "odd.json").Diagnostics;

        Assert.True(diagnostics.Any(d => d.Code == code && d.Message.StartsWith(path + ": ", StringComparison.Ordinal) && d.Line > 0), $"{entry}: no {code} at {path} in\n{string.Join("\n", diagnostics)}");
    }

    [Fact]
    public void A_numeric_attribute_value_is_kept_as_its_text_and_the_reserved_one_is_not()
    {
        var device = Assert.Single(MdevctlListImporter.Import(Fixture.Read("mdevctl-list-odd.json"), "odd.json").Devices);

        Assert.Equal("mdev_type=i915-GVTg_V5_4 weight=4", Fixture.Self(device.Descriptor.Self));
    }
}
