using System.Collections.Immutable;
using MigCompat.Core.Model;
using MigCompat.Core.Syntax;
using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Search;

namespace MigCompat.Fleet.Tests.Search;

/// <summary>Small hand-made inventories and queries for the search tests.</summary>
internal static class TestFleet
{
    public static DescriptorFields Gpu(string type, string version, string api = "vfio-pci", ImmutableArray<ImmutableArray<KeyValuePair<string, string>>> compatible = default) =>
        new(
            [new("device_api", api), new("mdev_type", type), new("software_version", version), new("aggregator", "1")],
            compatible.IsDefault ? [] : compatible,
            ["aggregator"],
            DescriptorOrigin.Profile,
            "test");

    public static Descriptor Parse(DescriptorFields fields)
    {
        var result = DescriptorParser.FromFields(fields.Self, fields.Compatible.Select(b => (IEnumerable<KeyValuePair<string, string>>)b), fields.DynamicResources);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        return result.Descriptor!;
    }

    public static InventoryDevice Device(string id, DescriptorFields descriptor, bool? inUse = false, string parent = "0000:3b:00.0") =>
        new(id, DeviceKind.Mdev, "vfio-pci", descriptor.Self.FirstOrDefault(p => p.Key == "mdev_type").Value, parent, "nvidia", "550.90.07", null, null, null, inUse, descriptor);

    public static CreatableType Type(string parent, DescriptorFields descriptor, int available) =>
        new(parent, descriptor.Self.First(p => p.Key == "mdev_type").Value, null, null, "vfio-pci", available, 0, "nvidia", "550.90.07", descriptor);

    public static HostInventory Host(string name, IEnumerable<InventoryDevice>? devices = null, IEnumerable<CreatableType>? types = null) =>
        new(HostInventory.CurrentSchemaVersion, name, DateTimeOffset.UnixEpoch, [.. devices ?? []], [.. types ?? []], []);

    /// <summary>A source host running one VM device of <paramref name="descriptor"/> with id <c>vm-0</c>, <c>vm-1</c>, ...</summary>
    public static HostInventory Source(string name, DescriptorFields descriptor, int devices = 1) =>
        Host(name, Enumerable.Range(0, devices).Select(i => Device($"vm-{i}", descriptor, inUse: true)));

    public static TargetQuery QueryById(string source, int devices, bool includeCold = true, int limit = 10) =>
        new(source, [.. Enumerable.Range(0, devices).Select(i => new VmDeviceRef($"vm-{i}", null))], limit, includeCold);

    public static TargetQuery QueryInline(IEnumerable<Descriptor> devices, bool includeCold = true, int limit = 10) =>
        new(string.Empty, [.. devices.Select(d => new VmDeviceRef(null, d))], limit, includeCold);

    public static FleetIndex Index(params HostInventory[] hosts)
    {
        var index = new FleetIndex();
        foreach (var host in hosts)
        {
            var result = index.Upsert(host);
            Assert.True(result.Accepted);
            Assert.Empty(result.Diagnostics);
        }

        return index;
    }
}
