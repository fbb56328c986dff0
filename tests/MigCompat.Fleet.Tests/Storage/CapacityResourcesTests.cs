using MigCompat.Fleet.Storage;

namespace MigCompat.Fleet.Tests.Storage;

public sealed class CapacityResourcesTests
{
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(null, false)]
    public void Only_a_device_known_to_be_free_offers_a_unit_and_one_whose_use_is_unknown_offers_nothing(bool? inUse, bool offered)
    {
        var inventory = Inventories.Host("h", freeInstances: 0, devices: [Inventories.Device("a", inUse)]);

        var resources = CapacityResources.From(inventory);

        KeyValuePair<string, long>[] expected = offered ? [new("device:a", 1L), new(Inventories.GvtKey, 0L)] : [new(Inventories.GvtKey, 0L)];
        Assert.Equal(expected, resources);
    }

    [Fact]
    public void A_key_listed_twice_counts_once_with_the_larger_capacity_and_negative_capacity_counts_as_zero()
    {
        var inventory = Inventories.Host("h", devices: [Inventories.Device("a", false), Inventories.Device("a", false)]) with
        {
            CreatableTypes = [Inventories.Type("t", 2), Inventories.Type("t", 7), Inventories.Type("n", -4)],
        };

        var resources = CapacityResources.From(inventory);

        Assert.Equal([new("device:a", 1L), new($"type:{Inventories.Gpu}/n", 0L), new($"type:{Inventories.Gpu}/t", 7L)], resources);
    }

    [Fact]
    public void An_inventory_with_default_arrays_offers_nothing()
    {
        var inventory = Inventories.Host("h") with { Devices = default, CreatableTypes = default };

        Assert.Empty(CapacityResources.From(inventory));
    }
}
