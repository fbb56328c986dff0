using MigCompat.Discovery.Importers;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Tests.Importers;

/// <summary>An mdev device takes what it lacks from the creatable type of the same parent and type id.</summary>
public sealed class CompleteFromCreatableTypesTests
{
    private const string Parent = "0000:00:02.0";
    private const string Type = "i915-GVTg_V5_4";

    [Fact]
    public void An_imported_mdev_without_a_device_api_takes_its_types_and_its_derived_self_gains_it_in_order()
    {
        var device = Mdev(DerivedDescriptors.ForMdev(null, Type, null, null, DescriptorOrigin.Imported, "mdevctl list", [KeyValuePair.Create("aggregator", "2")]));

        var completed = Single(Inventory(device, TypeWith("vfio-pci", "i915", "6.8.0")));

        Assert.Equal("vfio-pci", completed.DeviceApi);
        Assert.Equal("i915", completed.Driver);
        Assert.Equal("6.8.0", completed.DriverVersion);
        Assert.Equal(["device_api=vfio-pci", "mdev_type=i915-GVTg_V5_4", "driver=i915", "driver_build=6.8.0", "aggregator=2"], completed.Descriptor.Self.Select(f => f.Key + "=" + f.Value));
        Assert.Equal("mdevctl list", completed.Descriptor.OriginDetail);
    }

    [Theory]
    [InlineData(DescriptorOrigin.Profile)]
    [InlineData(DescriptorOrigin.Driver)]
    public void A_descriptor_from_a_profile_or_driver_is_left_as_it_is(DescriptorOrigin origin)
    {
        var descriptor = new DescriptorFields([KeyValuePair.Create("mdev_type", "gvtg-4")], [], [], origin, "x");

        var completed = Single(Inventory(Mdev(descriptor), TypeWith("vfio-pci", null, null)));

        Assert.Equal("vfio-pci", completed.DeviceApi);
        Assert.Same(descriptor, completed.Descriptor);
    }

    [Fact]
    public void What_the_device_knows_is_not_replaced_and_a_device_without_a_matching_type_is_unchanged()
    {
        var known = Mdev(DerivedDescriptors.ForMdev("vfio-pci", Type, "i915", "6.1", DescriptorOrigin.Imported, "x")) with { DeviceApi = "vfio-pci", Driver = "i915", DriverVersion = "6.1" };
        var other = Mdev(DerivedDescriptors.ForMdev(null, "i915-GVTg_V5_8", null, null, DescriptorOrigin.Imported, "x")) with { Id = "other", MdevType = "i915-GVTg_V5_8" };

        var inventory = Inventory(known, TypeWith("vfio-ccw", "other", "9")) with { Devices = [known, other] };
        var completed = inventory.CompleteFromCreatableTypes();

        Assert.Equal(known, completed.Devices[0]);
        Assert.Equal(other, completed.Devices[1]);
    }

    private static InventoryDevice Single(HostInventory inventory) => Assert.Single(inventory.CompleteFromCreatableTypes().Devices);

    private static InventoryDevice Mdev(DescriptorFields descriptor) =>
        new("d069d019-36ea-4111-8f0a-8c9a70e21366", DeviceKind.Mdev, null, Type, Parent, null, null, null, null, null, null, descriptor);

    private static CreatableType TypeWith(string deviceApi, string? driver, string? version) =>
        new(Parent, Type, "GVTg_V5_4", null, deviceApi, 1, 1, driver, version, DerivedDescriptors.ForMdev(deviceApi, Type, driver, version, DescriptorOrigin.Imported, "mdevctl types"));

    private static HostInventory Inventory(InventoryDevice device, CreatableType type) =>
        new(HostInventory.CurrentSchemaVersion, "host-a", DateTimeOffset.UnixEpoch, [device], [type], []);
}
