using MigCompat.Fleet.Storage;

namespace MigCompat.Fleet.Tests.Storage;

public sealed class CapacityResourcesTests
{
    [Fact]
    public void Devices_in_use_offer_nothing_and_devices_of_unknown_use_offer_one_unit()
    {
        var inventory = Inventories.Host("h", freeInstances: 0,
            devices: [Inventories.Device("a", true), Inventories.Device("b", false), Inventories.Device("c", null)]);

        var resources = CapacityResources.From(inventory);

        Assert.Equal([new("device:b", 1L), new("device:c", 1L), new(Inventories.GvtKey, 0L)], resources);
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
