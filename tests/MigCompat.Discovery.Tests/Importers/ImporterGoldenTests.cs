using MigCompat.Discovery.Importers;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Tests.Json;

namespace MigCompat.Discovery.Tests.Importers;

public sealed class ImporterGoldenTests
{
    public static TheoryData<ImportFormat, string> Inputs => new()
    {
        { ImportFormat.MdevctlTypes, "mdevctl-types-multi.json" },
        { ImportFormat.MdevctlTypes, "mdevctl-types-odd.json" },
        { ImportFormat.MdevctlList, "mdevctl-list-multi.json" },
        { ImportFormat.MdevctlList, "mdevctl-list-odd.json" },
        { ImportFormat.LibvirtNodeDevice, "nodedev-wrapped.xml" },
        { ImportFormat.LibvirtNodeDevice, "nodedev-concatenated.xml" },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void An_imported_fixture_gives_the_golden_inventory(ImportFormat format, string fixture)
    {
        var inventory = InventoryImporter.Import(format, Fixture.Read(fixture), fixture, "node-a1", JsonSamples.TakenAt);

        GoldenFile.AssertMatches(InventoryJson.Serialize(inventory), Path.ChangeExtension(fixture, ".inventory.json"));
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void An_imported_inventory_survives_the_json_round_trip(ImportFormat format, string fixture)
    {
        var inventory = InventoryImporter.Import(format, Fixture.Read(fixture), fixture, "node-a1", JsonSamples.TakenAt);

        var read = InventoryJson.Read(InventoryJson.Serialize(inventory));

        Assert.Empty(read.Diagnostics);
        InventoryAssert.Equal(inventory, read.Inventory!);
    }
}
