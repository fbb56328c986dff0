using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Tests.Json;

public class ValueEqualityTests
{
    [Fact]
    public void An_inventory_read_twice_is_equal_to_itself_and_its_descriptors_compare_by_value()
    {
        var inventory = new HostInventory(1, "h", DateTimeOffset.UnixEpoch, [new InventoryDevice("d", DeviceKind.Mdev, "vfio-pci", "mtty-2", "mtty", "mtty", "0.1", null, 3, -1, false, DerivedDescriptors.ForMdev("vfio-pci", "mtty-2", "mtty", "0.1"))], [], [new InventoryWarning("MCS001", "/sys", "m")]);
        var json = InventoryJson.Serialize(inventory);
        var first = InventoryJson.Read(json, "a").Inventory!;
        var second = InventoryJson.Read(json, "b").Inventory!;

        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.Equal(first.Devices[0].Descriptor, DerivedDescriptors.ForMdev("vfio-pci", "mtty-2", "mtty", "0.1") with { OriginDetail = first.Devices[0].Descriptor.OriginDetail });
        Assert.NotEqual(first, second with { Warnings = [] });
    }
}
