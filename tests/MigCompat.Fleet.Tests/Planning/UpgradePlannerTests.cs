using System.Collections.Immutable;
using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Generation;
using MigCompat.Fleet.Planning;
using static MigCompat.Fleet.Tests.Planning.PlanFleets;

namespace MigCompat.Fleet.Tests.Planning;

public class UpgradePlannerTests
{
    /// <summary>
    /// Hosts a and b (one VM each, 1.2, 2 free) both change to <c>version</c> one at a time; c stays at 1.2 and is full.
    /// a's VM goes to b (still 1.2); then b's two VMs must go to a, upgraded.
    /// </summary>
    [Theory]
    [InlineData("1.2", 0, 0, "")]
    [InlineData("1.3", 0, 2, "")]
    [InlineData("2.0", 2, 0, "VERSION_MAJOR_DIFFERS")]
    [InlineData("1.1", 2, 0, "VERSION_MINOR_TOO_LOW")]
    public void A_rolling_bump_moves_forward_on_a_minor_version_strands_on_a_major_one_and_names_the_one_way_doors(string version, int stranded, int doors, string reason)
    {
        var a = VersionHost("a", "1.2", 2, 1);
        var b = VersionHost("b", "1.2", 2, 1);
        var c = VersionHost("c", "1.2", 0, 0);
        var plan = Plan(Snapshot(At(a), At(b), At(c)), Request(replacements: [Replacement(a, version), Replacement(b, version)]));

        Assert.Equal(["a", "b"], plan.ChangedHosts);
        Assert.Equal([["a"], ["b"]], plan.Waves.Select(w => w.Hosts.ToArray()));
        Assert.Equal(new PlanMove("a-vm0", "a", "b", "live", [new MoveDevice(0, "a-d0", "type:p0/t1", plan.Waves[0].Moves[0].Devices[0].Evidence)]), plan.Waves[0].Moves[0]);
        Assert.Equal(stranded, plan.Stranded.Length);
        Assert.Equal(2 - stranded, plan.Waves[1].Moves.Length);
        Assert.All(plan.Stranded, s => Assert.Contains(reason, s.Reason, StringComparison.Ordinal));
        Assert.Equal(doors, plan.OneWayDoors.Length);
        Assert.All(plan.OneWayDoors, d => Assert.Contains("VERSION_MINOR_TOO_LOW", d.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Cold_moves_are_planned_only_with_the_option_and_say_cold()
    {
        var a = VersionHost("a", "1.2", 2, 1);
        var b = VersionHost("b", "1.2", 2, 1);
        var snapshot = Snapshot(At(a), At(b));
        var replacements = new[] { Replacement(a, "2.0"), Replacement(b, "2.0") };

        var plan = Plan(snapshot, Request(replacements: replacements, allowCold: true));

        Assert.All(plan.Stranded, s => Assert.True(s.MovedCold));
        Assert.Equal(["cold", "cold"], plan.Waves[1].Moves.Select(m => m.Level));
        Assert.All(Plan(snapshot, Request(replacements: replacements)).Waves[1].Moves, m => Assert.Fail("no cold move without the option"));
    }

    [Theory]
    [InlineData(2, 0, false, "c")]
    [InlineData(2, 2, false, "b")]
    [InlineData(2, 0, true, "b")]
    [InlineData(0, 0, false, "b")]
    public void Stable_hosts_are_preferred_unless_claims_or_a_drain_take_them_out(int cFree, int cClaimed, bool cDrained, string firstTarget)
    {
        var a = VersionHost("a", "1.2", 2, 1);
        var b = VersionHost("b", "1.2", 2, 1);
        var c = VersionHost("c", "1.2", cFree, 0);
        var plan = Plan(
            Snapshot(At(a), At(b), At(c, cDrained, ("type:p0/t1", cClaimed))),
            Request(replacements: [Replacement(a, "1.3"), Replacement(b, "1.3")]));

        Assert.Equal(firstTarget, plan.Waves[0].Moves[0].To);
    }

    [Fact]
    public void When_capacity_runs_out_the_VM_left_over_is_stranded_for_lack_of_free_units()
    {
        var a = VersionHost("a", "1.2", 0, 1);
        var b = VersionHost("b", "1.2", 0, 1);
        var c = VersionHost("c", "1.2", 1, 0);
        var plan = Plan(Snapshot(At(a), At(b), At(c)), Request(replacements: [Replacement(a, "2.0"), Replacement(b, "2.0")]));

        Assert.Equal("c", plan.Waves[0].Moves[0].To);
        var stranded = Assert.Single(plan.Stranded);
        Assert.Equal(("b-vm0", "b", 2), (stranded.Vm, stranded.Host, stranded.Wave));
        Assert.StartsWith("INSUFFICIENT_CAPACITY", stranded.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Hosts_that_are_each_others_only_targets_go_in_different_waves_even_with_room_for_both_in_one()
    {
        var a = VersionHost("a", "1.2", 1, 1);
        var b = VersionHost("b", "1.2", 1, 1);
        var plan = Plan(Snapshot(At(a), At(b)), Request(replacements: [Replacement(a, "1.3", 2), Replacement(b, "1.3", 2)], maxPerWave: 10));

        Assert.Equal([["a"], ["b"]], plan.Waves.Select(w => w.Hosts.ToArray()));
        Assert.Empty(plan.Stranded);
    }

    [Fact]
    public void A_VM_with_two_devices_moves_only_to_a_host_that_takes_both()
    {
        var gpu = Search.TestFleet.Device("a-gpu", Sw("1.2", "t1"), inUse: true, parent: "p0");
        var vf = Search.TestFleet.Device("a-vf", Sw("1.2", "t2"), inUse: true, parent: "p1");
        var a = Search.TestFleet.Host("a", [gpu, vf]) with { Guests = [new InventoryGuest("both", null, ["a-gpu", "a-vf"])] };
        var onlyGpu = VersionHost("b", "1.2", 4, 0);
        var both = Search.TestFleet.Host("c", types: [Search.TestFleet.Type("p0", Sw("1.2", "t1"), 1), Search.TestFleet.Type("p1", Sw("1.2", "t2"), 1)]);

        var plan = Plan(Snapshot(At(a), At(onlyGpu), At(both)), Request(hosts: ["a"], replacements: [a with { Guests = [] }]));

        var move = Assert.Single(plan.Waves[0].Moves);
        Assert.Equal(("c", "live"), (move.To, move.Level));
        Assert.Equal(["type:p0/t1", "type:p1/t2"], move.Devices.Select(d => d.ResourceKey));
    }

    [Fact]
    public void A_vGPU_moved_onto_a_host_with_a_newer_NVIDIA_range_is_a_one_way_door_once_its_guest_driver_may_negotiate_above_the_old_maximum()
    {
        static DescriptorFields Vgpu(string range, string? negotiated) => new(
            [new("device_api", "vfio-pci"), new("mdev_type", "nvidia-1"), new("gpu", "10de:2236"), new("vgpu_range", range), new("vgpu_version", negotiated ?? range), new("rule.vgpu_version", "within vgpu_range"), new("migration.evidence", "profile test")],
            [], [], DescriptorOrigin.Profile, "test");
        HostInventory GpuHost(string name, string range, int vms, int free) =>
            Search.TestFleet.Host(name, Enumerable.Range(0, vms).Select(i => Search.TestFleet.Device($"{name}-d{i}", Vgpu(range, "18.1"), inUse: true)), [Search.TestFleet.Type("0000:3b:00.0", Vgpu(range, null), free)])
                with { Guests = [.. Enumerable.Range(0, vms).Select(i => new InventoryGuest($"{name}-vm{i}", null, [$"{name}-d{i}"]))] };
        var a = GpuHost("a", "7.1-20.1", 1, 2);
        var b = GpuHost("b", "7.1-20.1", 1, 2);

        var plan = Plan(Snapshot(At(a), At(b)), Request(replacements: [GpuHost("a", "18.1-26.1", 0, 3), GpuHost("b", "18.1-26.1", 0, 3)]));

        Assert.Empty(plan.Stranded);
        Assert.Equal(["a-vm0", "b-vm0"], plan.OneWayDoors.Select(d => d.Vm).Order());
        Assert.All(plan.OneWayDoors, d => Assert.Contains("after its guest driver reloads there", d.Reason, StringComparison.Ordinal));
        Assert.All(plan.OneWayDoors, d => Assert.Contains("vgpu_version", d.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void A_kernel_change_on_ConnectX_hosts_rederives_through_the_mlx5_rule_pack_and_only_identical_builds_stay_live()
    {
        var hosts = new[] { NicHost("x", "6.8.0-45-generic", 1, 2), NicHost("y", "6.8.0-45-generic", 1, 2), NicHost("z", "6.8.0-45-generic", 1, 2) };
        var snapshot = Snapshot([.. hosts.Select(h => At(h))]);

        var rack = Plan(snapshot, Request(hosts: ["x"], drivers: [new("mlx5_vfio_pci", "6.12.0-1-amd64")]));
        var everywhere = Plan(snapshot, Request(hosts: ["*"], drivers: [new("mlx5_vfio_pci", "6.12.0-1-amd64")], maxPerWave: 2));

        Assert.Equal("y", Assert.Single(rack.Waves.Single().Moves).To);
        Assert.Contains("rule-pack", rack.Waves[0].Moves[0].Devices[0].Evidence, StringComparison.Ordinal);
        Assert.Empty(rack.Notes);
        Assert.Equal(new VmImpact("x-vm0", "x", 2, 2, 0), rack.Impacts.Single(i => i.Vm == "x-vm0"));
        Assert.Equal(new VmImpact("y-vm0", "y", 2, 1, 1), rack.Impacts.Single(i => i.Vm == "y-vm0"));
        Assert.True(rack.Impacts.Single(i => i.Vm == "x-vm0").LosesAllLiveTargets);
        Assert.NotEmpty(everywhere.Stranded);
        Assert.All(everywhere.Stranded, s => Assert.Contains("driver_build", s.Reason, StringComparison.Ordinal));
        Assert.All(everywhere.Impacts, i => Assert.Equal(0, i.LiveDuring));
    }

    [Fact]
    public void A_driver_no_rule_pack_vouches_for_makes_its_devices_unknown_after_the_change_and_says_so()
    {
        var hosts = new[] { NicHost("x", "6.8.0-45-generic", 1, 1, "vfio-pci"), NicHost("y", "6.8.0-45-generic", 0, 2, "vfio-pci") };

        var plan = Plan(Snapshot([.. hosts.Select(h => At(h))]), Request(hosts: ["y"], drivers: [new("vfio-pci", "6.12.0-1-amd64")]));

        Assert.Contains(plan.Notes, n => n.Contains("vfio-pci at 6.12.0-1-amd64", StringComparison.Ordinal) && n.Contains("unknown", StringComparison.Ordinal));
        Assert.All(plan.Impacts, i => Assert.Equal(0, i.LiveAfter));
    }

    [Theory]
    [InlineData("nowhere", "matches no host")]
    [InlineData("a", "")]
    public void A_selector_that_matches_no_host_is_an_error_in_the_users_words(string selector, string error)
    {
        var result = UpgradePlanner.Plan(Snapshot(At(VersionHost("a", "1.2", 1, 0))), Request(hosts: [selector]));

        Assert.Equal(error.Length == 0, result.Plan is not null);
        Assert.All(result.Errors, e => Assert.Contains(error, e, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("label:rack=a", "a1 a2", "")]
    [InlineData("label:rack=?", "a1 a2 b1", "")]
    [InlineData("label:rack", "a1 a2 b1", "")]
    [InlineData("label:room=a", "", "the host selector 'label:room=a' matches no host")]
    [InlineData("label:rack=A", "", "matches no host")]
    public void Hosts_are_selected_by_a_label_of_their_inventory(string selector, string changed, string error)
    {
        static SnapshotHost Labeled(string name, string? rack) =>
            At(VersionHost(name, "1.2", 1, 0) with { Labels = rack is null ? [] : [KeyValuePair.Create("rack", rack)] });
        var snapshot = Snapshot(Labeled("a1", "a"), Labeled("a2", "a"), Labeled("b1", "b"), Labeled("c1", null));

        var result = UpgradePlanner.Plan(snapshot, Request(hosts: [selector], drivers: [new("nvidia", "580.82.07")]));

        Assert.Equal(changed, string.Join(' ', result.Plan?.ChangedHosts ?? []));
        Assert.Equal(error.Length == 0, result.Errors.IsEmpty);
        Assert.All(result.Errors, e => Assert.Contains(error, e, StringComparison.Ordinal));
    }

    [Fact]
    public void The_same_input_gives_the_same_plan_and_a_stored_plan_reports_the_moves_a_changed_fleet_no_longer_allows()
    {
        var fleet = FleetGenerator.Generate(200, 7).Select(h => At(h)).ToArray();
        var request = Request(hosts: ["host-00000?", "host-00001?"], drivers: [new("nvidia", "580.82.07")], maxPerWave: 5);

        var first = Plan(Snapshot(fleet), request);
        var second = Plan(Snapshot(fleet), request);
        Assert.Equal(first, second);
        Assert.NotEmpty(first.Waves.SelectMany(w => w.Moves));

        var target = first.Waves.SelectMany(w => w.Moves).First().To;
        var drained = fleet.Select(h => h.Inventory.Host == target ? h with { Drained = true } : h).ToArray();
        var check = PlanVerifier.Verify(Snapshot(drained), first);
        Assert.Contains(check.Problems, p => p.To == target && p.Reason.Contains("drained", StringComparison.Ordinal));
    }

    [Fact]
    public void A_kernel_change_everywhere_on_the_demo_fleet_says_which_devices_become_unknown_and_moves_only_live_between_identical_builds()
    {
        var fleet = FleetGenerator.Generate(60, 3).Select(h => At(h)).ToArray();
        var kernel = "6.12.0-1-amd64";

        var plan = Plan(Snapshot(fleet), Request(hosts: ["*"], drivers: [new("i915", kernel), new("mlx5_vfio_pci", kernel), new("vfio-pci", kernel)], maxPerWave: 10));

        Assert.Equal(60, plan.ChangedHosts.Length);
        Assert.Contains(plan.Notes, n => n.Contains("driver vfio-pci at " + kernel, StringComparison.Ordinal));
        Assert.All(plan.Waves.SelectMany(w => w.Moves), m => Assert.Equal("live", m.Level));
        Assert.All(plan.Waves.SelectMany(w => w.Moves).SelectMany(m => m.Devices), d => Assert.DoesNotContain("none", d.Evidence.Split(':')[0], StringComparison.Ordinal));
        Assert.Contains(plan.Stranded, s => s.Reason.Contains("MIGRATION_UNSUPPORTED", StringComparison.Ordinal));
    }
}
