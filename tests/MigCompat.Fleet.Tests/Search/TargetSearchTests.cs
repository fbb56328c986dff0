using MigCompat.Core.Matching;
using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Search;
using static MigCompat.Fleet.Tests.Search.TestFleet;

namespace MigCompat.Fleet.Tests.Search;

public class TargetSearchTests
{
    private static readonly DescriptorFields V11 = Gpu("nvidia-63", "17.1.0");

    [Theory]
    [InlineData("17.3.0", CompatibilityLevel.Live)]
    [InlineData("17.1.0", CompatibilityLevel.Live)]
    [InlineData("17.0.0", CompatibilityLevel.Cold)]
    [InlineData("18.1.0", CompatibilityLevel.Cold)]
    public void A_single_device_goes_to_a_creatable_type_at_the_level_the_version_rule_gives(string targetVersion, CompatibilityLevel expected)
    {
        using var index = Index(Source("src", V11), Host("dst", types: [Type("0000:3b:00.0", Gpu("nvidia-63", targetVersion), 4)]));

        var result = index.FindTargets(QueryById("src", 1));

        Assert.True(result.Succeeded);
        var candidate = Assert.Single(result.Candidates);
        Assert.Equal("dst", candidate.Host);
        Assert.Equal(expected, candidate.Level);
        var assignment = Assert.Single(candidate.Assignments);
        Assert.Equal((0, "vm-0", "type:0000:3b:00.0/nvidia-63", null, "0000:3b:00.0", "nvidia-63", expected), (assignment.DeviceIndex, assignment.SourceDeviceId, assignment.ResourceKey, assignment.TargetDeviceId, assignment.Parent, assignment.TypeId, assignment.Level));
        Assert.Equal([new DynamicResourceClaim("aggregator", "1")], assignment.DynamicResources);
    }

    [Theory]
    [InlineData("17.3.0", CompatibilityLevel.Live, "")]
    [InlineData("17.0.0", CompatibilityLevel.Cold, "VERSION_MINOR_TOO_LOW software_version")]
    [InlineData("18.1.0", CompatibilityLevel.Cold, "VERSION_MAJOR_DIFFERS software_version")]
    public void A_cold_assignment_carries_its_verdicts_reasons_and_a_live_one_none(string targetVersion, CompatibilityLevel level, string reasons)
    {
        var target = Gpu("nvidia-63", targetVersion);
        using var index = Index(Source("src", V11), Host("dst", types: [Type("p", target, 4)]));

        var assignment = Assert.Single(Assert.Single(index.FindTargets(QueryById("src", 1)).Candidates).Assignments);

        Assert.Equal(level, assignment.Level);
        Assert.Equal(reasons, string.Join(", ", assignment.Reasons.Select(r => $"{r.Code} {r.Field}")));
        Assert.Equal(Matcher.Check(Parse(V11), Parse(target)).Reasons, assignment.Reasons);
        Assert.All(assignment.Reasons, r => Assert.False(string.IsNullOrWhiteSpace(r.Message)));
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(null, false)]
    public void Only_a_device_known_to_be_free_is_offered_and_one_whose_use_is_unknown_is_not(bool? inUse, bool offered)
    {
        using var index = Index(Source("src", V11), Host("dst", [Device("free?", V11, inUse)]));

        var result = index.FindTargets(QueryById("src", 1));

        Assert.Equal(offered ? ["device:free?"] : [], result.Candidates.SelectMany(c => c.Assignments).Select(a => a.ResourceKey));
        Assert.Equal(offered ? 1 : 0, result.HostsAccepted);
    }

    public static TheoryData<string, DescriptorFields, DescriptorFields, CompatibilityLevel, string, string> EvidenceCases => new()
    {
        { "the target's own version field", V11, Gpu("nvidia-63", "17.3.0"), CompatibilityLevel.Live, "declaration", "" },
        { "a rule pack the target names", Stated(V11), Stated(Gpu("nvidia-63", "17.3.0")), CompatibilityLevel.Live, "rule-pack", "" },
        { "identical builds of a migrating driver", Vf("mlx5_vfio_pci", "6.8.0"), Vf("mlx5_vfio_pci", "6.8.0"), CompatibilityLevel.Live, "identical-build", "" },
        { "nothing", Bare(), Bare(), CompatibilityLevel.Cold, "none", ReasonCodes.NoEvidence },
        { "nothing, for a driver that cannot migrate", Vf("vfio-pci", "6.8.0"), Vf("vfio-pci", "6.8.0"), CompatibilityLevel.Cold, "none", ReasonCodes.MigrationUnsupported },
    };

    [Theory]
    [MemberData(nameof(EvidenceCases))]
    public void Each_assignment_carries_the_evidence_of_its_verdict(string what, DescriptorFields source, DescriptorFields target, CompatibilityLevel level, string kind, string reasons)
    {
        using var index = Index(Host("src", [Device("vm-0", source, inUse: true)]), Host("dst", [Device("free", target)]));

        var assignment = Assert.Single(Assert.Single(index.FindTargets(QueryById("src", 1)).Candidates).Assignments);

        var verdict = Matcher.Check(Parse(source), Parse(target));
        Assert.True(level == assignment.Level, what);
        Assert.Equal(verdict.Evidence, assignment.Evidence);
        Assert.Equal(kind, assignment.Evidence.KindName);
        Assert.Equal(reasons, string.Join(",", assignment.Reasons.Select(r => r.Code).Distinct()));
    }

    [Fact]
    public void On_a_host_taking_one_device_live_and_one_cold_only_the_cold_assignment_has_reasons()
    {
        using var index = Index(Source("src", V11, devices: 2), Host("dst", [Device("new", Gpu("nvidia-63", "17.2.0")), Device("old", Gpu("nvidia-63", "17.0.0"))]));

        var candidate = Assert.Single(index.FindTargets(QueryById("src", 2)).Candidates);

        Assert.Equal(CompatibilityLevel.Cold, candidate.Level);
        Assert.Equal(
            [("new", CompatibilityLevel.Live, ""), ("old", CompatibilityLevel.Cold, ReasonCodes.VersionMinorTooLow)],
            candidate.Assignments.Select(a => (a.TargetDeviceId, a.Level, string.Join(",", a.Reasons.Select(r => r.Code)))).OrderBy(a => a.TargetDeviceId, StringComparer.Ordinal));
    }

    [Fact]
    public void Rejected_hosts_are_listed_by_name_after_hosts_come_go_and_are_replaced()
    {
        var full = Type("p", V11, 0);
        using var index = Index([Source("src", V11), .. new[] { "m", "c", "x", "a" }.Select(n => Host(n, types: [full]))]);
        Assert.Equal(["a", "c", "m", "x"], index.FindTargets(QueryById("src", 1)).Rejected.Select(r => r.Host));

        index.Remove("c");
        index.Upsert(Host("b", types: [full]));
        index.Upsert(Host("m", types: [full]));
        index.Upsert(Host("z", types: [Type("p", V11, 1)]));
        index.Remove("a");
        index.Upsert(Host("a", types: [full]));
        var result = index.FindTargets(QueryById("src", 1) with { MaxRejected = 3 });

        Assert.Equal(["a", "b", "m"], result.Rejected.Select(r => r.Host));
        Assert.Equal(["z"], result.Candidates.Select(c => c.Host));
        Assert.Equal((5, 1, 4, 0), (result.HostsConsidered, result.HostsAccepted, result.HostsRejected, result.HostsWithoutCompatibleResource));
    }

    [Theory]
    [InlineData("nvidia-64", "vfio-pci", ReasonCodes.TypeNotAccepted)]
    [InlineData("nvidia-63", "vfio-ccw", ReasonCodes.DeviceApiMismatch)]
    public void A_host_with_nothing_compatible_is_counted_and_listed_with_its_closest_refusal(string type, string api, string code)
    {
        using var index = Index(Source("src", V11), Host("dst", types: [Type("p", Gpu(type, "17.1.0", api), 4)]));

        var result = index.FindTargets(QueryById("src", 1));

        Assert.Empty(result.Candidates);
        var rejected = Assert.Single(result.Rejected);
        Assert.Equal("dst", rejected.Host);
        Assert.Contains(new ReasonCount(code, 1), rejected.Reasons);
        Assert.Equal((1, 0, 0, 1), (result.HostsConsidered, result.HostsAccepted, result.HostsRejected, result.HostsWithoutCompatibleResource));
    }

    [Fact]
    public void Every_host_not_chosen_is_listed_close_misses_first_then_drained_hosts_then_hosts_with_nothing_compatible()
    {
        using var index = Index(
            Source("src", V11),
            Host("a-other-type", types: [Type("p", Gpu("nvidia-64", "17.1.0"), 4)]),
            Host("b-drained", types: [Type("p", V11, 4)]),
            Host("c-full", types: [Type("p", V11, 0)]),
            Host("d-free", types: [Type("p", V11, 4)]),
            Host("e-empty"));
        index.SetDrained("b-drained", true);

        var result = index.FindTargets(QueryById("src", 1));

        Assert.Equal(["d-free"], result.Candidates.Select(c => c.Host));
        Assert.Equal(
            [("c-full", SearchReasonCodes.InsufficientCapacity), ("b-drained", SearchReasonCodes.HostDrained), ("a-other-type", ReasonCodes.TypeNotAccepted), ("e-empty", SearchReasonCodes.NoResources)],
            result.Rejected.Select(r => (r.Host, r.Reasons[0].Code)));
        Assert.Equal((1, 1, 2, 1), (result.HostsAccepted, result.HostsRejected, result.HostsWithoutCompatibleResource, result.HostsDrained));
        Assert.Equal(["c-full", "b-drained"], index.FindTargets(QueryById("src", 1) with { MaxRejected = 2 }).Rejected.Select(r => r.Host));
    }

    [Theory]
    [InlineData("d-free", HostExplanation.Live, "")]
    [InlineData("c-cold", HostExplanation.Cold, "")]
    [InlineData("b-full", HostExplanation.Rejected, SearchReasonCodes.InsufficientCapacity)]
    [InlineData("a-drained", HostExplanation.Drained, SearchReasonCodes.HostDrained)]
    [InlineData("src", HostExplanation.Source, SearchReasonCodes.SourceHost)]
    public void Explaining_a_host_gives_its_outcome_and_every_devices_verdict_against_every_resource_there(string host, string outcome, string reason)
    {
        using var index = Index(
            Host("src", [Device("vm-0", V11, inUse: true), Device("vm-1", V11, inUse: true)]),
            Host("a-drained", types: [Type("p", V11, 4)]),
            Host("b-full", types: [Type("p", V11, 1), Type("q", Gpu("nvidia-64", "17.1.0"), 4)]),
            Host("c-cold", types: [Type("p", Gpu("nvidia-63", "17.0.0"), 4)]),
            Host("d-free", types: [Type("p", V11, 2), Type("q", Gpu("nvidia-64", "17.1.0"), 4)]));
        index.SetDrained("a-drained", true);

        var result = index.FindTargets(QueryById("src", 2) with { ExplainHost = host });

        var explanation = Assert.IsType<HostExplanation>(result.Explanation);
        Assert.Equal((host, outcome), (explanation.Host, explanation.Outcome));
        Assert.Equal(reason, string.Join(" ", explanation.Reasons.Select(r => r.Code)));
        Assert.Equal([0, 1], explanation.Devices.Select(d => d.DeviceIndex));
        Assert.Equal(["vm-0", "vm-1"], explanation.Devices.Select(d => d.SourceDeviceId));
        foreach (var device in explanation.Devices)
        {
            Assert.Equal(index.FindTargets(QueryById("src", 2) with { ExplainHost = host }).Explanation!.Devices[device.DeviceIndex], device);
            Assert.All(device.Resources, r => Assert.StartsWith(host == "src" ? "device:" : "type:", r.ResourceKey, StringComparison.Ordinal));
            Assert.All(device.Resources.Where(r => r.TypeId == "nvidia-64"), r => Assert.Equal(CompatibilityLevel.None, r.Verdict.Level));
        }
    }

    [Fact]
    public void Explaining_a_host_the_index_does_not_know_is_a_query_error()
    {
        using var index = Index(Source("src", V11));

        var result = index.FindTargets(QueryById("src", 1) with { ExplainHost = "nowhere" });

        Assert.Equal([QueryErrorCodes.UnknownExplainHost], result.Errors.Select(e => e.Code));
    }

    [Fact]
    public void Rejected_hosts_say_which_rule_failed_for_how_many_devices()
    {
        var cold = Host("cold", types: [Type("p", Gpu("nvidia-63", "18.0.0"), 4), Type("q", Gpu("nvidia-64", "17.1.0"), 4)]);
        using var index = Index(Source("src", V11, devices: 2), cold);

        var result = index.FindTargets(QueryById("src", 2, includeCold: false));

        Assert.Empty(result.Candidates);
        var rejected = Assert.Single(result.Rejected);
        Assert.Equal("cold", rejected.Host);
        Assert.Equal([new ReasonCount(ReasonCodes.VersionMajorDiffers, 2)], rejected.Reasons);
    }

    [Fact]
    public void The_source_host_and_drained_hosts_are_never_candidates()
    {
        var free = Type("p", V11, 4);
        using var index = Index(
            Host("src", [Device("vm-0", V11, inUse: true)], [free]),
            Host("drained", types: [free]),
            Host("open", types: [free]));
        index.SetDrained("drained", true);

        var result = index.FindTargets(QueryById("src", 1));

        Assert.Equal(["open"], result.Candidates.Select(c => c.Host));
        Assert.Equal(1, result.HostsConsidered);
        index.SetDrained("drained", false);
        Assert.Equal(["drained", "open"], index.FindTargets(QueryById("src", 1)).Candidates.Select(c => c.Host).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Live_hosts_rank_before_cold_hosts_then_more_spare_capacity_then_name()
    {
        using var index = Index(
            Source("src", V11),
            Host("a-cold", types: [Type("p", Gpu("nvidia-63", "17.0.0"), 16)]),
            Host("b-live-small", types: [Type("p", V11, 2)]),
            Host("c-live-big", types: [Type("p", V11, 8)]),
            Host("d-live-small", types: [Type("p", V11, 2)]));

        var result = index.FindTargets(QueryById("src", 1));

        Assert.Equal(["c-live-big", "b-live-small", "d-live-small", "a-cold"], result.Candidates.Select(c => c.Host));
        Assert.Equal(CompatibilityLevel.Cold, result.Candidates[^1].Level);
        Assert.True(result.Candidates.Zip(result.Candidates.Skip(1)).All(p => p.First.Score >= p.Second.Score));
    }

    [Fact]
    public void Cold_hosts_are_left_out_when_the_query_excludes_them()
    {
        using var index = Index(Source("src", V11), Host("cold", types: [Type("p", Gpu("nvidia-63", "17.0.0"), 4)]));

        var result = index.FindTargets(QueryById("src", 1, includeCold: false));

        Assert.Empty(result.Candidates);
        Assert.Equal([new ReasonCount(ReasonCodes.VersionMinorTooLow, 1)], Assert.Single(result.Rejected).Reasons);
    }

    [Fact]
    public void The_limit_keeps_the_best_hosts()
    {
        var hosts = Enumerable.Range(0, 30).Select(i => Host($"h{i:D2}", types: [Type("p", V11, 1 + (i % 7))])).Prepend(Source("src", V11)).ToArray();
        using var index = Index(hosts);

        var result = index.FindTargets(QueryById("src", 1, limit: 3));

        Assert.Equal(["h06", "h13", "h20"], result.Candidates.Select(c => c.Host));
        Assert.Equal(30, result.HostsAccepted);
    }

    [Theory]
    [InlineData(3, 1, 0, false)]
    [InlineData(3, 3, 0, true)]
    [InlineData(3, 0, 3, true)]
    [InlineData(3, 1, 2, true)]
    [InlineData(3, 1, 1, false)]
    [InlineData(4, 2, 1, false)]
    public void Several_devices_need_distinct_devices_or_instances(int vmDevices, int typeCapacity, int freeDevices, bool accepted)
    {
        var devices = Enumerable.Range(0, freeDevices).Select(i => Device($"free-{i}", V11));
        using var index = Index(Source("src", V11, vmDevices), Host("dst", devices, [Type("0000:3b:00.0", V11, typeCapacity)]));

        var result = index.FindTargets(QueryById("src", vmDevices));

        Assert.Equal(accepted, result.Candidates.Length == 1);
        if (accepted)
        {
            var assignments = result.Candidates[0].Assignments;
            Assert.Equal(Enumerable.Range(0, vmDevices), assignments.Select(a => a.DeviceIndex));
            Assert.All(assignments.GroupBy(a => a.ResourceKey), g => Assert.True(g.Key.StartsWith("type:", StringComparison.Ordinal) ? g.Count() <= typeCapacity : g.Count() == 1));
            Assert.Equal(assignments.Count(a => a.TargetDeviceId is not null), assignments.Select(a => a.TargetDeviceId).OfType<string>().Distinct().Count());
        }
        else
        {
            Assert.Equal([new ReasonCount(SearchReasonCodes.InsufficientCapacity, vmDevices - typeCapacity - freeDevices)], Assert.Single(result.Rejected).Reasons);
        }
    }

    [Theory]
    [InlineData(8, 8)]
    [InlineData(16, 16)]
    [InlineData(64, 64)]
    public void Many_identical_gpus_with_as_many_devices_requested_are_assigned_one_each(int gpus, int requested)
    {
        var devices = Enumerable.Range(0, gpus).Select(i => Device($"0000:{i + 16:x2}:00.0", V11, parent: $"0000:{i + 16:x2}:00.0"));
        using var index = Index(Source("src", V11, requested), Host("dst", devices));

        var result = index.FindTargets(QueryById("src", requested));

        var candidate = Assert.Single(result.Candidates);
        Assert.Equal(CompatibilityLevel.Live, candidate.Level);
        Assert.Equal(requested, candidate.Assignments.Select(a => a.TargetDeviceId).Distinct().Count());
    }

    [Fact]
    public void Claims_reduce_capacity_and_are_replaced_not_added()
    {
        using var index = Index(Source("src", V11, 2), Host("dst", [Device("free-0", V11)], [Type("p", V11, 2)]));

        index.SetClaimed("dst", new Dictionary<string, int> { ["type:p/nvidia-63"] = 2 });
        var claimed = index.FindTargets(QueryById("src", 2));
        index.SetClaimed("dst", new Dictionary<string, int> { ["type:p/nvidia-63"] = 1 });
        var released = index.FindTargets(QueryById("src", 2));

        Assert.Empty(claimed.Candidates);
        Assert.Equal([new ReasonCount(SearchReasonCodes.InsufficientCapacity, 1)], Assert.Single(claimed.Rejected).Reasons);
        Assert.Equal(["device:free-0", "type:p/nvidia-63"], Assert.Single(released.Candidates).Assignments.Select(a => a.ResourceKey).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Claims_set_before_the_inventory_arrives_apply_to_it()
    {
        using var index = Index(Source("src", V11));
        index.SetClaimed("dst", new Dictionary<string, int> { ["device:free-0"] = 1 });

        index.Upsert(Host("dst", [Device("free-0", V11)]));

        Assert.Empty(index.FindTargets(QueryById("src", 1)).Candidates);
    }

    [Fact]
    public void The_assignment_prefers_live_for_every_device_even_when_that_reroutes_another()
    {
        // d0 (17.0) can go live to both groups; d1 (17.3) only live to the 17.5 group, cold to 17.2.
        var d0 = Parse(Gpu("nvidia-63", "17.0.0"));
        var d1 = Parse(Gpu("nvidia-63", "17.3.0"));
        using var index = Index(Host("dst", [Device("a", Gpu("nvidia-63", "17.5.0")), Device("b", Gpu("nvidia-63", "17.2.0"))]));

        var candidate = Assert.Single(index.FindTargets(QueryInline([d0, d1])).Candidates);

        Assert.Equal(CompatibilityLevel.Live, candidate.Level);
        Assert.Equal(["b", "a"], candidate.Assignments.Select(a => a.TargetDeviceId));
    }

    [Fact]
    public void Inline_descriptors_work_without_a_source_host()
    {
        using var index = Index(Host("dst", types: [Type("p", V11, 1)]));

        var result = index.FindTargets(QueryInline([Parse(V11)]));

        Assert.Equal("dst", Assert.Single(result.Candidates).Host);
        Assert.Null(result.Candidates[0].Assignments[0].SourceDeviceId);
    }

    [Theory]
    [InlineData("nowhere", "vm-0", QueryErrorCodes.UnknownSourceHost)]
    [InlineData("", "vm-0", QueryErrorCodes.UnknownSourceHost)]
    [InlineData("src", "vm-9", QueryErrorCodes.UnknownDevice)]
    [InlineData("src", "broken", QueryErrorCodes.InvalidDescriptor)]
    public void Unknown_hosts_devices_and_unreadable_descriptors_are_errors_not_exceptions(string source, string device, string code)
    {
        var broken = Gpu("nvidia-63", "17.1.0") with { Compatible = [[new("mdev_type", "{x:int:")]] };
        using var index = new FleetIndex();
        var upsert = index.Upsert(Host("src", [Device("vm-0", V11, inUse: true), Device("broken", broken, inUse: true)]));
        Assert.Contains(upsert.Diagnostics, d => d.Code == IndexDiagnosticCodes.DescriptorDoesNotParse);

        var result = index.FindTargets(new TargetQuery(source, [new VmDeviceRef(device, null)]));

        Assert.Equal(code, Assert.Single(result.Errors).Code);
        Assert.Empty(result.Candidates);
    }

    [Theory]
    [InlineData(0, 10, 20, QueryErrorCodes.InvalidDeviceCount)]
    [InlineData(65, 10, 20, QueryErrorCodes.InvalidDeviceCount)]
    [InlineData(1, 0, 20, QueryErrorCodes.InvalidLimit)]
    [InlineData(1, 10, -1, QueryErrorCodes.InvalidLimit)]
    public void Queries_out_of_range_are_refused_with_a_code(int devices, int limit, int maxRejected, string code)
    {
        using var index = Index(Source("src", V11));

        var result = index.FindTargets(QueryById("src", devices) with { Limit = limit, MaxRejected = maxRejected });

        Assert.Equal(code, Assert.Single(result.Errors).Code);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_device_ref_needs_exactly_one_of_id_and_descriptor(bool both)
    {
        using var index = Index(Source("src", V11));
        var device = both ? new VmDeviceRef("vm-0", Parse(V11)) : new VmDeviceRef(null, null);

        var result = index.FindTargets(new TargetQuery("src", [device]));

        Assert.Equal(QueryErrorCodes.InvalidDeviceRef, Assert.Single(result.Errors).Code);
    }

    [Fact]
    public void Removing_and_replacing_hosts_updates_the_answer()
    {
        using var index = Index(Source("src", V11), Host("dst", types: [Type("p", V11, 1)]));

        Assert.True(index.Remove("dst"));
        Assert.False(index.Remove("dst"));
        Assert.Empty(index.FindTargets(QueryById("src", 1)).Candidates);
        index.Upsert(Host("dst", types: [Type("p", Gpu("nvidia-63", "17.0.0"), 1)]));
        Assert.Equal(CompatibilityLevel.Cold, Assert.Single(index.FindTargets(QueryById("src", 1)).Candidates).Level);
        Assert.Equal(2, index.HostCount);
    }

    [Fact]
    public void An_inventory_without_a_host_name_is_refused()
    {
        using var index = new FleetIndex();

        var result = index.Upsert(Host(" "));

        Assert.False(result.Accepted);
        Assert.Equal(IndexDiagnosticCodes.MissingHostName, Assert.Single(result.Diagnostics).Code);
        Assert.Equal(0, index.HostCount);
    }

    [Fact]
    public void Identical_descriptors_across_hosts_are_compiled_once()
    {
        var hosts = Enumerable.Range(0, 200).Select(i => Host($"h{i}", [Device($"d{i}", V11)], [Type("p", V11, 3), Type("q", Gpu("nvidia-64", "17.1.0"), 1)]));
        using var index = Index([.. hosts]);

        Assert.Equal(2, index.DistinctDescriptorCount);
    }

    private static DescriptorFields Stated(DescriptorFields fields) =>
        fields with { Self = [.. fields.Self, new("migration.evidence", "rule-pack test-pack 1")] };

    private static DescriptorFields Vf(string driver, string build) =>
        new([new("device_api", "vfio-pci"), new("pci_id", "15b3:101e"), new("driver", driver), new("driver_build", build)], [], [], DescriptorOrigin.Derived, "test");

    private static DescriptorFields Bare() =>
        new([new("device_api", "vfio-pci"), new("mdev_type", "nvidia-63")], [], [], DescriptorOrigin.Imported, "test");
}
