using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Tests.Json;

public sealed class InventoryJsonGoldenTests
{
    [Fact]
    public void A_small_host_serializes_to_the_documented_form()
    {
        GoldenFile.AssertMatches(InventoryJson.Serialize(JsonSamples.SmallHost()), "small-host.json");
    }

    [Fact]
    public void The_golden_small_host_reads_back_without_diagnostics()
    {
        var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Json", "Golden", "small-host.json"));

        var result = InventoryJson.Read(json, "small-host.json");

        Assert.Empty(result.Diagnostics);
        InventoryAssert.Equal(JsonSamples.SmallHost(), result.Inventory!);
    }
}
