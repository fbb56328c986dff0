using MigCompat.Discovery.Importers;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Tests.Importers;

public sealed class MdevctlTypesImporterTests
{
    [Fact]
    public void Types_of_several_parents_in_several_groups_are_all_imported_in_order()
    {
        var result = MdevctlTypesImporter.Import(Fixture.Read("mdevctl-types-multi.json"), "types.json");

        Assert.Empty(result.Diagnostics);
        Assert.Equal(
            ["0000:00:02.0/i915-GVTg_V5_4", "0000:00:02.0/i915-GVTg_V5_8", "0000:3b:00.0/nvidia-63", "0.0.26ab/vfio_ccw-io", "matrix/vfio_ap-passthrough"],
            result.CreatableTypes.Select(t => $"{t.Parent}/{t.TypeId}"));
    }

    [Fact]
    public void A_type_keeps_name_description_device_api_and_capacity()
    {
        var type = MdevctlTypesImporter.Import(Fixture.Read("mdevctl-types-multi.json"), "types.json").CreatableTypes.Single(t => t.TypeId == "nvidia-63");

        Assert.Equal(("GRID P4-1Q", "vfio-pci", 24, 0), (type.Name, type.DeviceApi, type.AvailableInstances, type.ExistingInstances));
        Assert.StartsWith("num_heads=4", type.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void An_imported_type_gets_a_conservative_descriptor_naming_the_tool()
    {
        var type = MdevctlTypesImporter.Import(Fixture.Read("mdevctl-types-multi.json"), "types.json").CreatableTypes.Single(t => t.TypeId == "vfio_ccw-io");

        Assert.Equal("device_api=vfio-ccw mdev_type=vfio_ccw-io", Fixture.Self(type.Descriptor.Self));
        Assert.Empty(type.Descriptor.Compatible);
        Assert.Equal((DescriptorOrigin.Imported, "mdevctl types"), (type.Descriptor.Origin, type.Descriptor.OriginDetail));
    }

    public static TheoryData<string, string, string> OddEntries => new()
    {
        { "vfio_ccw-io", ImportCodes.UnknownDeviceApi, "$[0][\"0.0.0042\"][0].vfio_ccw-io.device_api" },
        { "mtty-1", ImportCodes.InvalidValue, "$[0][\"0.0.0042\"][1].mtty-1" },
        { "mtty-2", ImportCodes.InvalidValue, "$[0][\"0.0.0042\"][2].mtty-2.available_instances" },
        { "mtty-1 again", ImportCodes.Duplicate, "$[0][\"0.0.0042\"][3].mtty-1" },
        { "a bare string entry", ImportCodes.UnexpectedShape, "$[0][\"0.0.0042\"][4]" },
        { "an unknown property", ImportCodes.Ignored, "$[0][\"0.0.0042\"][5].mbochs-small.migration_version" },
    };

    [Theory]
    [MemberData(nameof(OddEntries))]
    public void An_odd_entry_is_reported_at_its_json_path(string entry, string code, string path)
    {
        var diagnostics = MdevctlTypesImporter.Import(Fixture.Read("mdevctl-types-odd.json"), "odd.json").Diagnostics;

        Assert.True(diagnostics.Any(d => d.Code == code && d.Message.StartsWith(path + ": ", StringComparison.Ordinal) && d.Line > 0 && !d.IsError), $"{entry}: no {code} at {path} in\n{string.Join("\n", diagnostics)}");
    }

    [Fact]
    public void A_type_without_available_instances_is_imported_with_zero_capacity()
    {
        var types = MdevctlTypesImporter.Import(Fixture.Read("mdevctl-types-odd.json"), "odd.json").CreatableTypes;

        Assert.Equal(0, types.Single(t => t.TypeId == "mtty-1").AvailableInstances);
        Assert.Equal(0, types.Single(t => t.TypeId == "mtty-2").AvailableInstances);
    }

    [Fact]
    public void A_device_api_that_is_not_a_vfio_api_is_kept_so_it_only_matches_itself()
    {
        var type = MdevctlTypesImporter.Import(Fixture.Read("mdevctl-types-odd.json"), "odd.json").CreatableTypes.Single(t => t.TypeId == "vfio_ccw-io");

        Assert.Equal("vfio_mdev", type.DeviceApi);
    }
}
