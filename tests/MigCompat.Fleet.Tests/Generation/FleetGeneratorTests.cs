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

    [Theory]
    [InlineData("535", "7.1-18.1")]
    [InlineData("550", "7.1-20.1")]
    [InlineData("570", "18.1-24.2")]
    [InlineData("580", "18.1-26.1")]
    public void Nvidia_types_state_the_rule_packs_fields_with_their_branchs_vgpu_range(string branch, string range)
    {
        var type = Fleet.SelectMany(h => h.CreatableTypes).First(t => t.Driver == "nvidia" && t.DriverVersion!.StartsWith(branch + ".", StringComparison.Ordinal));
        var self = type.Descriptor.Self.ToDictionary(p => p.Key, p => p.Value);

        Assert.Equal(
            ["device_api", "mdev_type", "gpu", "ecc", "driver", "driver_build", "vgpu_range", "vgpu_version", "rule.vgpu_version", "rule.driver_build", "migration.evidence"],
            type.Descriptor.Self.Select(p => p.Key));
        Assert.Equal((type.TypeId, "nvidia", type.DriverVersion, range, range), (self["mdev_type"], self["driver"], self["driver_build"], self["vgpu_range"], self["vgpu_version"]));
        Assert.Equal(("within vgpu_range", "exact", "rule-pack nvidia-vgpu 1"), (self["rule.vgpu_version"], self["rule.driver_build"], self["migration.evidence"]));
        Assert.Matches("^10de:[0-9a-f]{4}$", self["gpu"]);
    }

    [Fact]
    public void A_running_nvidia_vgpu_states_the_version_it_negotiated_inside_its_hosts_range()
    {
        var vgpus = Fleet.SelectMany(h => h.Devices).Where(d => d.Driver == "nvidia").Select(d => d.Descriptor.Self.ToDictionary(p => p.Key, p => p.Value)).ToList();

        Assert.All(vgpus, v => Assert.Matches(@"^\d+\.\d+$", v["vgpu_version"]));
        Assert.All(vgpus, v => Assert.Equal(CompatibilityLevel.Live, Matcher.Check(Descriptor(v), Descriptor(v)).Level));
        Assert.True(vgpus.Select(v => v["vgpu_version"]).Distinct().Count() >= 4);
    }

    public static TheoryData<string, DescriptorFields, DescriptorFields, CompatibilityLevel, string?, EvidenceKind> Verdicts => new()
    {
        { "a vGPU to a type of the same profile, build and ECC mode", Vgpu("550.127.05", "on", "20.1"), VgpuType("550.127.05", "on"), CompatibilityLevel.Live, null, EvidenceKind.RulePack },
        { "a vGPU whose guest negotiated an older version", Vgpu("550.127.05", "on", "18.1"), VgpuType("550.127.05", "on"), CompatibilityLevel.Live, null, EvidenceKind.RulePack },
        { "a vGPU to another build of its branch", Vgpu("550.127.05", "on", "20.1"), VgpuType("550.144.02", "on"), CompatibilityLevel.Cold, ReasonCodes.ValueMismatch, EvidenceKind.RulePack },
        { "a vGPU to a GPU in another ECC mode", Vgpu("550.127.05", "on", "20.1"), VgpuType("550.127.05", "off"), CompatibilityLevel.Cold, ReasonCodes.ValueMismatch, EvidenceKind.RulePack },
        { "a GVT-g vGPU to the same type and build", GvtgHost.Descriptor(4, "6.8.0-45-generic"), GvtgHost.Descriptor(4, "6.8.0-45-generic"), CompatibilityLevel.Cold, ReasonCodes.MigrationUnsupported, EvidenceKind.None },
        { "an mlx5 VF to a VF of the same build", NicHost.Descriptor(true, "6.8.0-45-generic"), NicHost.Descriptor(true, "6.8.0-45-generic"), CompatibilityLevel.Live, null, EvidenceKind.IdenticalBuild },
        { "an mlx5 VF to a VF of another build", NicHost.Descriptor(true, "6.8.0-45-generic"), NicHost.Descriptor(true, "5.15.0-119-generic"), CompatibilityLevel.Cold, ReasonCodes.ValueMismatch, EvidenceKind.None },
        { "an E810 VF on plain vfio-pci to the same build", NicHost.Descriptor(false, "6.8.0-45-generic"), NicHost.Descriptor(false, "6.8.0-45-generic"), CompatibilityLevel.Cold, ReasonCodes.MigrationUnsupported, EvidenceKind.None },
    };

    [Theory]
    [MemberData(nameof(Verdicts))]
    public void Generated_devices_migrate_as_their_drivers_allow_with_evidence(string what, DescriptorFields source, DescriptorFields target, CompatibilityLevel level, string? code, EvidenceKind evidence)
    {
        var verdict = Matcher.Check(Search.TestFleet.Parse(source), Search.TestFleet.Parse(target));

        Assert.True(level == verdict.Level, $"{what}: {verdict.Level} {string.Join("; ", verdict.Reasons.Select(r => r.Message))}");
        Assert.Equal(code, verdict.Reasons.Select(r => r.Code).Distinct().SingleOrDefault());
        Assert.Equal(evidence, verdict.Evidence.Kind);
    }

    [Fact]
    public void An_in_use_nvidia_vgpu_of_the_fleet_finds_live_targets_with_evidence_and_cold_ones_with_reasons()
    {
        using var index = new FleetIndex();
        foreach (var host in Fleet)
        {
            index.Upsert(host);
        }

        var (source, vgpu) = Fleet.SelectMany(h => h.Devices.Where(d => d.Driver == "nvidia" && d.InUse == true).Select(d => (h.Host, d.Id))).First();
        var result = index.FindTargets(new TargetQuery(source, [new VmDeviceRef(vgpu, null)], Limit: 1000));

        var assignments = result.Candidates.Select(c => Assert.Single(c.Assignments)).ToList();
        Assert.Contains(assignments, a => a.Level == CompatibilityLevel.Live);
        Assert.All(assignments, a => Assert.Equal(("rule-pack", "nvidia-vgpu 1"), (a.Evidence.KindName, a.Evidence.Detail)));
        Assert.All(assignments.Where(a => a.Level == CompatibilityLevel.Cold), a => Assert.NotEmpty(a.Reasons));
    }

    [Fact]
    public void Gvtg_types_share_one_gpu_so_bigger_suffixes_have_more_instances()
    {
        var gvtg = Fleet.First(h => h.CreatableTypes.Any(t => t.TypeId.StartsWith("i915", StringComparison.Ordinal)));
        var available = gvtg.CreatableTypes.Where(t => t.TypeId.StartsWith("i915", StringComparison.Ordinal)).Select(t => t.AvailableInstances).ToList();

        Assert.Equal(available.Order(), available);
    }

    [Fact]
    public void A_negative_host_count_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => FleetGenerator.Generate(-1, 1).ToList());

    private static DescriptorFields Vgpu(string build, string ecc, string negotiated) => NvidiaHost.Descriptor(NvidiaCatalog.Models[0], 1, 1, build, ecc, negotiated);

    private static DescriptorFields VgpuType(string build, string ecc) => NvidiaHost.Descriptor(NvidiaCatalog.Models[0], 1, 1, build, ecc, negotiated: null);

    private static MigCompat.Core.Model.Descriptor Descriptor(Dictionary<string, string> self) =>
        Search.TestFleet.Parse(new DescriptorFields([.. self], [], [], DescriptorOrigin.Profile, "test"));

    private static string Fingerprint(HostInventory host) =>
        host.Host + "|" + string.Join(";", host.Devices.Select(d => $"{d.Id},{d.InUse},{string.Join(",", d.Descriptor.Self)}"))
        + "|" + string.Join(";", host.CreatableTypes.Select(t => $"{t.Parent}/{t.TypeId}={t.AvailableInstances}"));
}
