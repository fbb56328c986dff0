using MigCompat.Discovery.RulePacks;
using MigCompat.Fleet.Generation;
using MigCompat.Fleet.Planning;
using static MigCompat.Fleet.Tests.Planning.PlanFleets;

namespace MigCompat.Fleet.Tests.Planning;

/// <summary>A rule-pack version as a change (docs/planning.md, "The change"): the selected hosts' devices re-derived with it.</summary>
public class RulePackChangeTests
{
    private const string Build68 = "6.8.0-45-generic";
    private const string Build612 = "6.12.0-1-amd64";

    /// <summary>The shipped pack <paramref name="name"/> with <paramref name="from"/> replaced by <paramref name="to"/> and its version raised, as an operator copies it.</summary>
    public static RulePack Edited(string name, string from, string to)
    {
        var text = RulePackLoader.LoadShipped().Packs.Single(p => p.Name == name).Text;
        Assert.Contains(from, text, StringComparison.Ordinal);
        var parsed = RulePackLoader.Parse(text.Replace(from, to, StringComparison.Ordinal).Replace("version  = 1", "version  = 2", StringComparison.Ordinal), $"/etc/migcompat/rules.d/{name}.rules");
        Assert.Empty(parsed.Warnings);
        return Assert.Single(parsed.Packs);
    }

    /// <summary>
    /// x runs one VM on a ConnectX VF at <c>xBuild</c>; y (no VM, 2 free VFs) at <c>yBuild</c> gets the edited mlx5 pack.
    /// Relaxing <c>driver_build</c> on y makes it a live target for x's VM across builds; tightening <c>pci_id</c> to another
    /// device takes a live target away; a pack for another driver changes nothing.
    /// </summary>
    [Theory]
    [InlineData(Build68, Build612, "mlx5", "rule.driver_build=exact", "rule.driver_build=ignore", 0, 1)]
    [InlineData(Build68, Build68, "mlx5", "rule.driver_build=exact", "rule.driver_build=ignore", 1, 1)]
    [InlineData(Build68, Build68, "mlx5", "migrates = yes", "migrates = no", 1, 0)]
    [InlineData(Build68, Build612, "xe", "rule.driver_build=exact", "rule.driver_build=ignore", 0, 0)]
    public void A_rule_pack_on_the_target_host_decides_its_live_targets_after_the_change(string xBuild, string yBuild, string pack, string from, string to, int liveNow, int liveAfter)
    {
        var snapshot = Snapshot(At(NicHost("x", xBuild, 1, 0)), At(NicHost("y", yBuild, 0, 2)));

        var plan = Plan(snapshot, Request(hosts: ["y"]) with { RulePacks = [Edited(pack, from, to)] });

        var impact = Assert.Single(plan.Impacts);
        Assert.Equal(("x-vm0", liveNow, liveAfter), (impact.Vm, impact.LiveNow, impact.LiveAfter));
        Assert.Equal(["y"], plan.ChangedHosts);
        Assert.Contains(plan.Notes, n => n.Contains($"rule pack {pack} 2 (/etc/migcompat/rules.d/{pack}.rules)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_pack_that_says_the_driver_no_longer_migrates_strands_the_VMs_of_the_last_wave_with_the_reason()
    {
        var snapshot = Snapshot(At(NicHost("x", Build68, 1, 2)), At(NicHost("y", Build68, 1, 2)));

        var plan = Plan(snapshot, Request(hosts: ["*"]) with { RulePacks = [Edited("mlx5", "migrates = yes", "migrates = no")] });

        Assert.Equal("y", Assert.Single(plan.Waves[0].Moves).To);
        Assert.Equal(["x-vm0", "y-vm0"], plan.Stranded.Select(s => s.Vm).Order());
        Assert.All(plan.Stranded, s => Assert.Contains("MIGRATION_UNSUPPORTED", s.Reason, StringComparison.Ordinal));
        Assert.All(plan.Impacts, i => Assert.True(i.LosesAllLiveTargets));
    }

    [Fact]
    public void A_kernel_change_with_a_pack_that_ignores_the_driver_build_keeps_ConnectX_VMs_live_across_builds()
    {
        var hosts = new[] { NicHost("x", Build68, 1, 2), NicHost("y", Build68, 1, 2), NicHost("z", Build68, 1, 2) };
        var change = Request(hosts: ["*"], drivers: [new("mlx5_vfio_pci", Build612)], maxPerWave: 2);

        var strict = Plan(Snapshot([.. hosts.Select(h => At(h))]), change);
        var relaxed = Plan(Snapshot([.. hosts.Select(h => At(h))]), change with { RulePacks = [Edited("mlx5", "rule.driver_build=exact", "rule.driver_build=ignore")] });

        Assert.NotEmpty(strict.Stranded);
        Assert.Empty(relaxed.Stranded);
        Assert.All(relaxed.Impacts, i => Assert.Equal(2, i.LiveAfter));
    }

    [Fact]
    public void An_NVIDIA_upgrade_with_the_operator_pack_that_ignores_the_manager_build_keeps_more_VMs_live_and_names_the_one_way_doors()
    {
        var fleet = FleetGenerator.Generate(60, 3).Select(h => At(h)).ToArray();
        var change = Request(hosts: ["*"], drivers: [new("nvidia", "580.82.07")], maxPerWave: 20);

        var strict = Plan(Snapshot(fleet), change);
        var relaxed = Plan(Snapshot(fleet), change with { RulePacks = [Edited("nvidia-vgpu", "rule.driver_build=exact", "rule.driver_build=ignore")] });

        Assert.Empty(strict.OneWayDoors);
        Assert.NotEmpty(relaxed.OneWayDoors);
        Assert.True(relaxed.Stranded.Length < strict.Stranded.Length, $"{relaxed.Stranded.Length} stranded with the relaxed pack, {strict.Stranded.Length} without");
        // The hosts as they were keep the shipped pack: they still refuse another manager build, so the way back is closed.
        Assert.All(relaxed.OneWayDoors, d => Assert.Contains("VALUE_MISMATCH: driver_build", d.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void A_request_with_the_same_packs_is_equal_and_one_with_another_pack_is_not()
    {
        var request = Request(hosts: ["y"]) with { RulePacks = [Edited("mlx5", "migrates = yes", "migrates = no")] };

        Assert.Equal(request, Request(hosts: ["y"]) with { RulePacks = [Edited("mlx5", "migrates = yes", "migrates = no")] });
        Assert.NotEqual(request, Request(hosts: ["y"]));
    }
}
