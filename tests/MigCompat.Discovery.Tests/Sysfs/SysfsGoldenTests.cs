using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Tests.Sysfs;

public class SysfsGoldenTests
{
    public static TheoryData<string> Fixtures => [.. SysfsFixtures.All];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Each_fixture_scans_to_its_golden_inventory(string fixtureName)
    {
        using var fixture = SysfsFixtures.Build(fixtureName);

        var inventory = SysfsScanning.Scan(fixture);

        var json = SysfsScanning.StableJson(inventory, fixture);
        GoldenFile.AssertMatches(json, $"Golden/{fixtureName}.json");
        var read = InventoryJson.Read(json);
        Assert.True(read.Inventory is not null, string.Join("\n", read.Diagnostics));
        Assert.Empty(read.Diagnostics);
    }
}
