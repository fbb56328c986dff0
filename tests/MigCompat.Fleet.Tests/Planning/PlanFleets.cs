using System.Collections.Immutable;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.RulePacks;
using MigCompat.Fleet.Planning;
using static MigCompat.Fleet.Tests.Search.TestFleet;

namespace MigCompat.Fleet.Tests.Planning;

/// <summary>Small hand-made fleets with VMs for the planning tests.</summary>
internal static class PlanFleets
{
    /// <summary>A vGPU descriptor of type <paramref name="type"/> declaring <c>software_version</c> (the major.minor rule).</summary>
    public static DescriptorFields Sw(string version, string type = "t1") => Gpu(type, version);

    /// <summary>
    /// A host whose VMs <c>NAME-vm0</c>, ... each use one in-use device of <paramref name="version"/>, with
    /// a creatable type of the same version and <paramref name="free"/> free instances on parent <c>p0</c>.
    /// </summary>
    public static HostInventory VersionHost(string name, string version, int free, int vms, string type = "t1")
    {
        var devices = Enumerable.Range(0, vms).Select(i => Device($"{name}-d{i}", Sw(version, type), inUse: true, parent: "p0")).ToList();
        var guests = Enumerable.Range(0, vms).Select(i => new InventoryGuest($"{name}-vm{i}", null, [$"{name}-d{i}"]));
        return Host(name, devices, [Type("p0", Sw(version, type), free)]) with { Guests = [.. guests] };
    }

    /// <summary>The host <paramref name="name"/> after the change: the same devices and type at <paramref name="version"/>, no VMs.</summary>
    public static HostInventory Replacement(HostInventory before, string version, int? free = null) =>
        before with
        {
            Devices = [.. before.Devices.Select(d => d with { Descriptor = Sw(version, d.MdevType!) })],
            CreatableTypes = [.. before.CreatableTypes.Select(t => t with { Descriptor = Sw(version, t.TypeId), AvailableInstances = free ?? t.AvailableInstances })],
            Guests = [],
        };

    public static SnapshotHost At(HostInventory inventory, bool drained = false, params (string Key, long Units)[] claims) =>
        new(inventory, drained, [.. claims.Select(c => KeyValuePair.Create(c.Key, c.Units))]);

    public static FleetSnapshot Snapshot(params SnapshotHost[] hosts) => new(DateTimeOffset.UnixEpoch, [.. hosts]);

    public static UpgradeRequest Request(
        IEnumerable<string>? hosts = null,
        IEnumerable<DriverVersionChange>? drivers = null,
        IEnumerable<HostInventory>? replacements = null,
        int maxPerWave = 1,
        IEnumerable<string>? untouched = null,
        bool allowCold = false) =>
        new([.. hosts ?? []], [.. drivers ?? []], [.. replacements ?? []], maxPerWave, [.. untouched ?? []], allowCold);

    public static UpgradePlan Plan(FleetSnapshot snapshot, UpgradeRequest request)
    {
        var result = UpgradePlanner.Plan(snapshot, request);
        Assert.Empty(result.Errors);
        var plan = result.Plan!;
        var check = PlanVerifier.Verify(snapshot, plan);
        Assert.True(check.Problems.IsEmpty && check.Errors.IsEmpty, "the plan does not verify against its own fleet: " + string.Join("; ", check.Problems.Select(p => $"{p.Vm} {p.From}->{p.To}: {p.Reason}").Concat(check.Errors)));
        return plan;
    }

    /// <summary>
    /// A host with ConnectX VFs on <c>mlx5_vfio_pci</c> at kernel <paramref name="build"/>, the descriptors a scan derives
    /// (rule pack mlx5): <paramref name="vms"/> VFs in use by one VM each, <paramref name="free"/> free.
    /// </summary>
    public static HostInventory NicHost(string name, string build, int vms, int free, string driver = "mlx5_vfio_pci")
    {
        var pci = new PciIds("15b3", "101e", "15b3", "0016", "020000");
        var devices = Enumerable.Range(0, vms + free).Select(i => new InventoryDevice(
            $"0000:17:00.{i + 1}", DeviceKind.SriovVf, "vfio-pci", null, "0000:17:00.0", driver, build, pci, 60 + i, 0, i < vms,
            DerivedDescriptors.ForPciDevice("vfio-pci", pci, driver, build, DescriptorOrigin.Derived, "test")));
        var inventory = Host(name, devices) with { Guests = [.. Enumerable.Range(0, vms).Select(i => new InventoryGuest($"{name}-vm{i}", null, [$"0000:17:00.{i + 1}"]))] };
        return DescriptorSources.ApplyTo(inventory, [], RulePackLoader.LoadShipped().Packs);
    }
}
