using CsCheck;
using MigCompat.Core.Matching;
using MigCompat.Discovery.Inventory;
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

    /// <summary>A host with two types (t1 on p0, t2 on p1) at one version; its VMs use one t1 device and, when <c>Pairs</c>, a t2 device too.</summary>
    private sealed record PairSpec(int Version, int Free1, int Free2, int Vms, bool Pairs, int After, int FreeAfter);

    private static readonly Gen<PairSpec> PairGen =
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 3], Gen.Int[0, 3], Gen.Int[0, 2], Gen.Bool, Gen.Int[-1, 2], Gen.Int[0, 3])
            .Select(t => new PairSpec(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6, t.Item7));

    [Fact]
    public void VMs_with_two_devices_move_only_where_both_fit_live_with_free_units_at_their_wave()
    {
        Gen.Select(PairGen.Array[2, 5], Gen.Int[1, 2]).Sample(
            sample =>
            {
                var (specs, perWave) = sample;
                HostInventory Build(string name, string version, int free1, int free2, int vms, bool pairs, bool guests)
                {
                    var devices = Enumerable.Range(0, vms).SelectMany(i => new[] { Device($"{name}-a{i}", Sw(version, "t1"), inUse: true, parent: "p0") }
                        .Concat(pairs ? [Device($"{name}-b{i}", Sw(version, "t2"), inUse: true, parent: "p1")] : [])).ToList();
                    var host = Host(name, devices, [Type("p0", Sw(version, "t1"), free1), Type("p1", Sw(version, "t2"), free2)]);
                    return guests ? host with { Guests = [.. Enumerable.Range(0, vms).Select(i => new InventoryGuest($"{name}-vm{i}", null, pairs ? [$"{name}-a{i}", $"{name}-b{i}"] : [$"{name}-a{i}"]))] } : host;
                }

                var names = specs.Select((_, i) => $"h{i}").ToArray();
                var snapshot = Snapshot([.. specs.Select((s, i) => At(Build(names[i], Versions[s.Version], s.Free1, s.Free2, s.Vms, s.Pairs, true)))]);
                var replacements = specs.Select((s, i) => (s, i)).Where(p => p.s.After >= 0).Select(p => Build(names[p.i], Versions[p.s.After], p.s.FreeAfter, p.s.FreeAfter, p.s.Vms, p.s.Pairs, false)).ToList();
                if (replacements.Count == 0)
                {
                    return;
                }

                var plan = UpgradePlanner.Plan(snapshot, Request(hosts: [.. replacements.Select(r => r.Host)], replacements: replacements, maxPerWave: perWave)).Plan!;
                Assert.Empty(PlanVerifier.Verify(snapshot, plan).Problems);

                // Independent bookkeeping: free units per host and type, each VM's host and version.
                var upgraded = new bool[specs.Length];
                var free = specs.Select(s => new Dictionary<string, int> { ["type:p0/t1"] = s.Free1, ["type:p1/t2"] = s.Free2 }).ToArray();
                var where = new Dictionary<string, int>();
                var version = new Dictionary<string, string>();
                for (var h = 0; h < specs.Length; h++)
                {
                    for (var v = 0; v < specs[h].Vms; v++)
                    {
                        where[$"{names[h]}-vm{v}"] = h;
                        version[$"{names[h]}-vm{v}"] = Versions[specs[h].Version];
                    }
                }

                string HostVersion(int h) => Versions[upgraded[h] ? specs[h].After : specs[h].Version];
                foreach (var wave in plan.Waves)
                {
                    foreach (var move in wave.Moves)
                    {
                        var to = Array.IndexOf(names, move.To);
                        var origin = Array.IndexOf(names, move.Vm.Split('-')[0]);
                        Assert.Equal(move.From, names[where[move.Vm]]);
                        Assert.Equal(specs[origin].Pairs ? 2 : 1, move.Devices.Length);
                        foreach (var device in move.Devices)
                        {
                            Assert.Equal(device.Index == 0 ? "type:p0/t1" : "type:p1/t2", device.ResourceKey);
                            Assert.True(free[to][device.ResourceKey] > 0, $"{move.Vm} -> {move.To} {device.ResourceKey} over capacity at wave {wave.Number}");
                            free[to][device.ResourceKey]--;
                            var verdict = Matcher.Check(Parse(Sw(version[move.Vm], device.Index == 0 ? "t1" : "t2")), Parse(Sw(HostVersion(to), device.Index == 0 ? "t1" : "t2")));
                            Assert.Equal(CompatibilityLevel.Live, verdict.Level);
                            Assert.NotEqual(EvidenceKind.None, verdict.Evidence.Kind);
                        }

                        where[move.Vm] = to;
                        version[move.Vm] = HostVersion(to);
                    }

                    foreach (var h in wave.Hosts.Select(n => Array.IndexOf(names, n)))
                    {
                        foreach (var vm in where.Where(w => w.Value == h).Select(w => w.Key).ToList())
                        {
                            Assert.Single(plan.Stranded, s => s.Vm == vm && s.Wave == wave.Number);
                            version[vm] = Versions[specs[h].After];
                        }

                        var left = Enumerable.Range(0, specs[h].Vms).Count(v => where[$"{names[h]}-vm{v}"] != h);
                        upgraded[h] = true;
                        free[h] = new Dictionary<string, int> { ["type:p0/t1"] = specs[h].FreeAfter + left, ["type:p1/t2"] = specs[h].FreeAfter + (specs[h].Pairs ? left : 0) };
                    }
                }
            },
            iter: 300);
    }
}
