using BenchmarkDotNet.Attributes;
using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Generation;
using MigCompat.Fleet.Search;

namespace MigCompat.Benchmarks;

/// <summary>
/// The fleet index: loading a generated fleet, and target searches for a VM with one vGPU (by id
/// on its source host) and with eight devices (six identical vGPUs and two mlx5 VFs, inline).
/// </summary>
[MemoryDiagnoser]
public class FleetBenchmarks
{
    private const int Seed = 2025;
    private FleetIndex index = null!;
    private List<HostInventory> inventories = null!;
    private TargetQuery oneDevice = null!;
    private TargetQuery eightDevices = null!;
    private HostInventory joining = null!;

    /// <summary>How many hosts the fleet has.</summary>
    [Params(10_000, 100_000)]
    public int Hosts { get; set; }

    /// <summary>Builds the index and the queries (the generated inventories are not kept).</summary>
    [GlobalSetup(Targets = [nameof(FindTargetsOneDevice), nameof(FindTargetsEightDevices), nameof(FindTargetsEightDevicesAfterAHostJoins)])]
    public void SetupSearch()
    {
        index = new FleetIndex();
        HostInventory? source = null;
        foreach (var host in FleetGenerator.Generate(Hosts, Seed))
        {
            index.Upsert(host);
            if (source is null && host.Devices.Any(d => d.Driver == "nvidia" && d.InUse == true) && host.Devices.Any(d => d.Driver == "mlx5_vfio_pci"))
            {
                source = host;
            }
        }

        var gpu = source!.Devices.First(d => d.Driver == "nvidia" && d.InUse == true);
        var nic = source.Devices.First(d => d.Driver == "mlx5_vfio_pci");
        var gpuDescriptor = Parse(gpu.Descriptor);
        var nicDescriptor = Parse(nic.Descriptor);
        oneDevice = new TargetQuery(source.Host, [new VmDeviceRef(gpu.Id, null)]);
        eightDevices = new TargetQuery(source.Host, [.. Enumerable.Repeat(new VmDeviceRef(null, gpuDescriptor), 6), new VmDeviceRef(null, nicDescriptor), new VmDeviceRef(null, nicDescriptor)]);
        joining = source with { Host = "zz-joining-host" };
        var check = index.FindTargets(eightDevices);
        Console.WriteLine($"// fleet {Hosts}: {index.DistinctDescriptorCount} distinct descriptors; 1-device query: {index.FindTargets(oneDevice).HostsAccepted} hosts accept; 8-device query: {check.HostsAccepted} accept, {check.HostsRejected} near misses");
    }

    /// <summary>Generates the inventories the load benchmark indexes.</summary>
    [GlobalSetup(Target = nameof(LoadIndex))]
    public void SetupLoad() => inventories = [.. FleetGenerator.Generate(Hosts, Seed)];

    /// <summary>Indexes every host of the fleet into a new index.</summary>
    [Benchmark]
    public int LoadIndex()
    {
        using var fresh = new FleetIndex();
        foreach (var host in inventories)
        {
            fresh.Upsert(host);
        }

        return fresh.HostCount;
    }

    /// <summary>Top 10 targets for one vGPU.</summary>
    [Benchmark]
    public TargetSearchResult FindTargetsOneDevice() => index.FindTargets(oneDevice);

    /// <summary>Top 10 targets for six identical vGPUs and two NIC VFs.</summary>
    [Benchmark]
    public TargetSearchResult FindTargetsEightDevices() => index.FindTargets(eightDevices);

    /// <summary>
    /// A host leaves and joins again (the set of host names changes), then the 8-device search: includes
    /// bringing the index's host-name order up to date (a merge, not a full sort).
    /// </summary>
    [Benchmark]
    public TargetSearchResult FindTargetsEightDevicesAfterAHostJoins()
    {
        index.Remove(joining.Host);
        index.Upsert(joining);
        return index.FindTargets(eightDevices);
    }

    /// <summary>Releases the index.</summary>
    [GlobalCleanup]
    public void Cleanup() => index?.Dispose();

    private static MigCompat.Core.Model.Descriptor Parse(DescriptorFields fields) =>
        MigCompat.Core.Syntax.DescriptorParser.FromFields(fields.Self, fields.Compatible.Select(b => (IEnumerable<KeyValuePair<string, string>>)b), fields.DynamicResources).Descriptor!;
}
