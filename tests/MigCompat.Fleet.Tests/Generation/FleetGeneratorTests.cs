using MigCompat.Core.Matching;
using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Generation;
using MigCompat.Fleet.Search;

namespace MigCompat.Fleet.Tests.Generation;

public class FleetGeneratorTests
{
    private static readonly List<HostInventory> Fleet = [.. FleetGenerator.Generate(600, seed: 42)];

    [Fact]
    public void The_same_seed_gives_the_same_fleet_and_another_seed_another()
    {
        var again = FleetGenerator.Generate(600, seed: 42).Select(Fingerprint);
        var other = FleetGenerator.Generate(600, seed: 43).Select(Fingerprint);

        Assert.Equal(Fleet.Select(Fingerprint), again);
        Assert.NotEqual(Fleet.Select(Fingerprint), other);
        Assert.Equal(Fingerprint(Fleet[17]), Fingerprint(FleetGenerator.Generate(18, seed: 42).Last()));
    }

    [Fact]
    public void Every_host_has_8_to_16_devices_and_unique_names()
    {
        Assert.All(Fleet, h => Assert.InRange(h.Devices.Length, 8, 16));
        Assert.Equal(Fleet.Count, Fleet.Select(h => h.Host).Distinct().Count());
        Assert.All(Fleet, h => Assert.Equal(h.Devices.Length, h.Devices.Select(d => d.Id).Distinct().Count()));
    }

    [Fact]
    public void Every_generated_descriptor_parses()
    {
        using var index = new FleetIndex();
        var diagnostics = Fleet.SelectMany(h => index.Upsert(h).Diagnostics).ToList();

        Assert.Empty(diagnostics);
        Assert.InRange(index.DistinctDescriptorCount, 20, 1000);
    }

    [Theory]
    [InlineData("i915-GVTg_V5_1")]
    [InlineData("i915-GVTg_V5_8")]
    [InlineData("mlx5_vfio_pci")]
    [InlineData("vfio-pci")]
    [InlineData("GRID T4-")]
    [InlineData("NVIDIA A10-")]
    [InlineData("NVIDIA A16-")]
    public void The_fleet_mixes_gvtg_nvidia_and_sriov_nic_hosts(string marker)
    {
        Assert.Contains(Fleet, h =>
            h.CreatableTypes.Any(t => t.TypeId == marker || (t.Name ?? string.Empty).StartsWith(marker, StringComparison.Ordinal))
            || h.Devices.Any(d => d.Driver == marker));
    }

    [Fact]
    public void Nvidia_hosts_run_several_driver_branches_and_some_accept_older_branches_live()
    {
        var nvidia = Fleet.SelectMany(h => h.CreatableTypes).Where(t => t.Driver == "nvidia").ToList();
        Assert.True(nvidia.Select(t => t.DriverVersion![..3]).Distinct().Count() >= 3);
        Assert.Contains(nvidia, t => !t.Descriptor.Compatible.IsDefaultOrEmpty);
        Assert.Contains(nvidia, t => t.Descriptor.Compatible.IsDefaultOrEmpty);

        var withBlock = nvidia.First(t => !t.Descriptor.Compatible.IsDefaultOrEmpty);
        var version = withBlock.Descriptor.Self.Single(p => p.Key == "software_version").Value;
        var branch = int.Parse(version.Split('.')[0], System.Globalization.CultureInfo.InvariantCulture);
        var model = NvidiaCatalog.Models.Single(m => withBlock.Name!.StartsWith(m.NamePrefix, StringComparison.Ordinal));
        var profile = Array.FindIndex(model.ProfileSizesGb, s => withBlock.Name == model.ProfileName(Array.IndexOf(model.ProfileSizesGb, s)));
        var ecc = withBlock.Descriptor.Self.Single(p => p.Key == "ecc").Value;
        var previous = NvidiaCatalog.Branches.Single(b => b.Branch == branch - 1);
        var older = NvidiaHost.Descriptor(model, profile, branch - 1, previous.Minors - 1, ecc, acceptsOlder: false);

        var verdict = Matcher.Check(Search.TestFleet.Parse(older), Search.TestFleet.Parse(withBlock.Descriptor));

        Assert.Equal(CompatibilityLevel.Live, verdict.Level);
    }

    [Fact]
    public void Gvtg_types_share_one_gpu_so_bigger_suffixes_have_more_instances()
    {
        var gvtg = Fleet.First(h => h.CreatableTypes.Any(t => t.TypeId.StartsWith("i915", StringComparison.Ordinal)));
        var available = gvtg.CreatableTypes.Where(t => t.TypeId.StartsWith("i915", StringComparison.Ordinal)).Select(t => t.AvailableInstances).ToList();

        Assert.Equal(available.Order(), available);
        Assert.All(gvtg.CreatableTypes, t => Assert.Contains("aggregator", t.Descriptor.DynamicResources));
    }

    [Fact]
    public void A_negative_host_count_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => FleetGenerator.Generate(-1, 1).ToList());

    private static string Fingerprint(HostInventory host) =>
        host.Host + "|" + string.Join(";", host.Devices.Select(d => $"{d.Id},{d.InUse},{string.Join(",", d.Descriptor.Self)}"))
        + "|" + string.Join(";", host.CreatableTypes.Select(t => $"{t.Parent}/{t.TypeId}={t.AvailableInstances}"));
}
