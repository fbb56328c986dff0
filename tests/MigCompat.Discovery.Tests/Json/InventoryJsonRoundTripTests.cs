using CsCheck;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Tests.Json;

public sealed class InventoryJsonRoundTripTests
{
    [Fact]
    public void Any_valid_inventory_reads_back_to_the_same_inventory()
    {
        InventoryGenerators.Inventory.Sample(inventory =>
        {
            var json = InventoryJson.Serialize(inventory);
            var result = InventoryJson.Read(json, "gen.json");

            Assert.Empty(result.Diagnostics);
            Assert.NotNull(result.Inventory);
            InventoryAssert.Equal(inventory, result.Inventory);
            Assert.Equal(json, InventoryJson.Serialize(result.Inventory));
        });
    }

    [Fact]
    public void The_comparer_notices_a_changed_self_value()
    {
        // Guards the round-trip test itself: a comparer that always agrees would make it pass vacuously.
        InventoryGenerators.Inventory.Where(i => i.Devices.Any(d => d.Descriptor.Self.Length > 0)).Sample(inventory =>
        {
            var device = inventory.Devices.First(d => d.Descriptor.Self.Length > 0);
            var first = device.Descriptor.Self[0];
            var changedSelf = device.Descriptor.Self.SetItem(0, new(first.Key, first.Value + "x"));
            var changed = inventory with { Devices = inventory.Devices.Replace(device, device with { Descriptor = device.Descriptor with { Self = changedSelf } }) };

            Assert.False(InventoryAssert.AreEqual(inventory, changed));
        });
    }

    [Fact]
    public void Serialize_writes_non_ascii_text_as_utf8_not_escapes()
    {
        var inventory = JsonSamples.SmallHost() with { Host = "hôte-日本" };

        var json = InventoryJson.Serialize(inventory);

        Assert.Contains("\"host\": \"hôte-日本\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_omits_null_optional_values()
    {
        var json = InventoryJson.Serialize(JsonSamples.SmallHost());

        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
    }
}
