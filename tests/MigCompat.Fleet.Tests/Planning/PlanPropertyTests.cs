using CsCheck;
using MigCompat.Core.Matching;
using MigCompat.Fleet.Planning;
using static MigCompat.Fleet.Tests.Planning.PlanFleets;
using static MigCompat.Fleet.Tests.Search.TestFleet;

namespace MigCompat.Fleet.Tests.Planning;

public class PlanPropertyTests
{
    private static readonly string[] Versions = ["1.2", "1.3", "2.0", "1.1"];

    /// <summary>One host: version index, free units, VMs, drained, claimed units; changed to version index (or -1) with free units after.</summary>
    private sealed record HostSpec(int Version, int Free, int Vms, bool Drained, int Claimed, int After, int FreeAfter);

    private static readonly Gen<HostSpec> HostGen =
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, 3], Gen.Int[0, 2], Gen.Int[0, 5].Select(d => d == 0), Gen.Int[0, 4].Select(c => c == 0 ? 1 : 0), Gen.Int[-1, 3], Gen.Int[0, 3])
            .Select(t => new HostSpec(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6, t.Item7));

    private static readonly Gen<(HostSpec[] Hosts, int PerWave, bool AllowCold)> FleetGen =
        Gen.Select(HostGen.Array[2, 6], Gen.Int[1, 3], Gen.Bool);

    [Fact]
    public void Every_move_is_live_by_the_matcher_within_capacity_at_its_wave_and_every_VM_not_moved_live_is_stranded_for_a_true_reason()
    {
        FleetGen.Sample(
            sample =>
            {
                var (specs, perWave, allowCold) = sample;
                var names = specs.Select((_, i) => $"h{i}").ToArray();
                var inventories = specs.Select((s, i) => VersionHost(names[i], Versions[s.Version], s.Free, s.Vms)).ToArray();
                var snapshot = Snapshot([.. specs.Select((s, i) => At(inventories[i], s.Drained, ("type:p0/t1", s.Claimed)))]);
                var replacements = specs.Select((s, i) => (s, i)).Where(p => p.s.After >= 0).Select(p => Replacement(inventories[p.i], Versions[p.s.After], p.s.FreeAfter)).ToList();
                var request = Request(hosts: [.. replacements.Select(r => r.Host)], replacements: replacements, maxPerWave: perWave, allowCold: allowCold);
                if (replacements.Count == 0)
                {
                    return;
                }

                var plan = UpgradePlanner.Plan(snapshot, request).Plan!;
                Assert.Empty(PlanVerifier.Verify(snapshot, plan).Problems);
                BruteForce(specs, names, plan);
            },
            iter: 400);
    }

    /// <summary>Plays the plan with its own bookkeeping (no planner code): versions, free units, where each VM is.</summary>
    private static void BruteForce(HostSpec[] specs, string[] names, UpgradePlan plan)
    {
        var changed = specs.Select(s => s.After >= 0).ToArray();
        var upgraded = new bool[specs.Length];
        var free = specs.Select(s => Math.Max(0, s.Free - s.Claimed)).ToArray();
        var location = new Dictionary<string, int>();
        var version = new Dictionary<string, string>();
        for (var h = 0; h < specs.Length; h++)
        {
            for (var v = 0; v < specs[h].Vms; v++)
            {
                location[$"{names[h]}-vm{v}"] = h;
                version[$"{names[h]}-vm{v}"] = Versions[specs[h].Version];
            }
        }

        string HostVersion(int h) => Versions[upgraded[h] ? specs[h].After : specs[h].Version];
        CompatibilityLevel Level(string from, string to)
        {
            var verdict = Matcher.Check(Parse(Sw(from)), Parse(Sw(to)));
            return verdict.Level == CompatibilityLevel.Live && verdict.Evidence.Kind == EvidenceKind.None ? CompatibilityLevel.Cold : verdict.Level;
        }

        Assert.Equal(changed.Count(c => c), plan.Waves.Sum(w => w.Hosts.Length));
        foreach (var wave in plan.Waves)
        {
            var members = wave.Hosts.Select(n => Array.IndexOf(names, n)).ToHashSet();
            Assert.True(wave.Hosts.Length <= plan.Request.MaxHostsPerWave);
            foreach (var move in wave.Moves)
            {
                var to = Array.IndexOf(names, move.To);
                Assert.Equal(move.From, names[location[move.Vm]]);
                Assert.DoesNotContain(to, members);
                Assert.False(specs[to].Drained);
                Assert.True(free[to] > 0, $"{move.Vm} -> {move.To} over capacity at wave {wave.Number}");
                var level = Level(version[move.Vm], HostVersion(to));
                Assert.True(move.Level == "live" ? level == CompatibilityLevel.Live : level >= CompatibilityLevel.Cold && plan.Request.AllowCold, $"{move.Vm} {version[move.Vm]} -> {HostVersion(to)} is {level}, planned {move.Level}");
                free[to]--;
                location[move.Vm] = to;
                version[move.Vm] = HostVersion(to);
            }

            foreach (var h in members)
            {
                foreach (var vm in location.Where(l => l.Value == h).Select(l => l.Key).ToList())
                {
                    var stranded = Assert.Single(plan.Stranded, s => s.Vm == vm && s.Wave == wave.Number);
                    var accepting = Enumerable.Range(0, specs.Length).Where(t => !members.Contains(t) && !specs[t].Drained && Level(version[vm], HostVersion(t)) == CompatibilityLevel.Live).ToList();
                    Assert.True(stranded.Reason.StartsWith("INSUFFICIENT_CAPACITY", StringComparison.Ordinal) ? accepting.All(t => free[t] == 0) && accepting.Count > 0 : accepting.Count == 0, $"{vm}: {stranded.Reason}");
                    version[vm] = Versions[specs[h].After];
                }

                var left = Enumerable.Range(0, specs[h].Vms).Count(v => location[$"{names[h]}-vm{v}"] != h);
                upgraded[h] = true;
                free[h] = Math.Max(0, specs[h].FreeAfter - specs[h].Claimed) + left;
            }
        }

        Assert.All(plan.Stranded.Where(s => !s.MovedCold), s => Assert.Equal(s.Host, names[location[s.Vm]]));
    }
}
