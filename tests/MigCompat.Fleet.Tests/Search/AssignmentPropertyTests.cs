using CsCheck;
using MigCompat.Core.Matching;
using MigCompat.Core.Model;
using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Search;
using static MigCompat.Fleet.Tests.Search.TestFleet;

namespace MigCompat.Fleet.Tests.Search;

public class AssignmentPropertyTests
{
    private static readonly DescriptorFields[] Universe =
    [
        .. new[] { "nvidia-63", "nvidia-64" }.SelectMany(t => new[] { "17.0.0", "17.1.0", "17.2.0", "18.0.0" }.Select(v => Gpu(t, v))),
    ];

    private static readonly Descriptor[] Parsed = [.. Universe.Select(Parse)];

    /// <summary>A resource: descriptor index, true for a creatable type, its capacity and its claims.</summary>
    private sealed record Resource(int Descriptor, bool IsType, int Capacity, int Claimed);

    private static readonly Gen<Resource> ResourceGen =
        Gen.Select(Gen.Int[0, Universe.Length - 1], Gen.Bool, Gen.Int[0, 3], Gen.Int[0, 2], (d, type, capacity, claimed) => new Resource(d, type, type ? capacity : 1, claimed));

    private static readonly Gen<(Resource[][] Hosts, int[] Vm, bool IncludeCold)> FleetGen =
        Gen.Select(ResourceGen.Array[0, 4].Array[1, 5], Gen.Int[0, Universe.Length - 1].Array[1, 4], Gen.Bool);

    [Fact]
    public void Every_returned_assignment_is_valid_and_as_live_as_the_best_possible_one()
    {
        FleetGen.Sample(
            sample =>
            {
                var (hosts, vm, includeCold) = sample;
                using var index = new FleetIndex();
                for (var h = 0; h < hosts.Length; h++)
                {
                    index.Upsert(ToInventory(h, hosts[h]));
                    index.SetClaimed($"h{h}", hosts[h].Select((r, j) => (Key: Key(r, j), r.Claimed)).ToDictionary(p => p.Key, p => p.Claimed));
                }

                var result = index.FindTargets(QueryInline(vm.Select(i => Parsed[i]), includeCold, limit: 100));

                Assert.True(result.Succeeded);
                var expected = Enumerable.Range(0, hosts.Length).Select(h => (Host: $"h{h}", Cold: BestCold(hosts[h], vm, includeCold))).Where(p => p.Cold >= 0).ToList();
                Assert.Equal(expected.Select(p => p.Host).Order(StringComparer.Ordinal), result.Candidates.Select(c => c.Host).Order(StringComparer.Ordinal));
                foreach (var candidate in result.Candidates)
                {
                    var resources = hosts[int.Parse(candidate.Host[1..], System.Globalization.CultureInfo.InvariantCulture)];
                    Assert.Equal(Enumerable.Range(0, vm.Length), candidate.Assignments.Select(a => a.DeviceIndex));
                    foreach (var assignment in candidate.Assignments)
                    {
                        var j = Enumerable.Range(0, resources.Length).Single(j => Key(resources[j], j) == assignment.ResourceKey);
                        var level = Matcher.Check(Parsed[vm[assignment.DeviceIndex]], Parsed[resources[j].Descriptor]).Level;
                        Assert.Equal(level, assignment.Level);
                        Assert.True(level == CompatibilityLevel.Live || (level == CompatibilityLevel.Cold && includeCold));
                    }

                    foreach (var used in candidate.Assignments.GroupBy(a => a.ResourceKey))
                    {
                        var resource = resources[Enumerable.Range(0, resources.Length).Single(j => Key(resources[j], j) == used.Key)];
                        Assert.True(used.Count() <= resource.Capacity - resource.Claimed, $"{used.Key} over capacity");
                    }

                    var cold = candidate.Assignments.Count(a => a.Level == CompatibilityLevel.Cold);
                    Assert.Equal(expected.Single(p => p.Host == candidate.Host).Cold, cold);
                    Assert.Equal(cold == 0 ? CompatibilityLevel.Live : CompatibilityLevel.Cold, candidate.Level);
                }
            },
            iter: 300);
    }

    private static readonly Gen<(Resource[][] Hosts, bool[] Drained, int[] Vm, bool IncludeCold)> ScanGen =
        Gen.Select(ResourceGen.Array[0, 4].Array[1, 14], Gen.Bool.Array[14], Gen.Int[0, Universe.Length - 1].Array[1, 4], Gen.Bool);

    private static readonly Gen<(int Limit, int MaxRejected, bool BySource, int FirstLoad, int[] Removed)> QueryGen =
        Gen.Select(Gen.Int[1, 4], Gen.Int[0, 4], Gen.Bool, Gen.Int[0, 14], Gen.Int[0, 13].Array[0, 4]);

    [Fact]
    public void The_top_candidates_the_listed_rejected_hosts_and_the_counts_equal_a_full_brute_force_scan()
    {
        Gen.Select(ScanGen, QueryGen).Sample(
            sample =>
            {
                var ((hosts, drained, vm, includeCold), (limit, maxRejected, bySource, firstLoad, removed)) = sample;
                using var index = new FleetIndex();
                var present = new SortedSet<int>();
                var query = QueryInline(vm.Select(i => Parsed[i]), includeCold, limit) with { MaxRejected = maxRejected, SourceHost = bySource ? "h0" : string.Empty };

                // Load part of the fleet, search (so the name order is built), then add the rest, remove some and search again.
                for (var h = 0; h < hosts.Length; h++)
                {
                    if (h < firstLoad)
                    {
                        Add(h);
                    }
                }

                Check();
                for (var h = 0; h < hosts.Length; h++)
                {
                    if (!present.Contains(h))
                    {
                        Add(h);
                    }
                }

                foreach (var h in removed.Where(h => h < hosts.Length))
                {
                    index.Remove($"h{h}");
                    present.Remove(h);
                }

                Check();

                void Add(int h)
                {
                    index.Upsert(ToInventory(h, hosts[h]), drained[h]);
                    index.SetClaimed($"h{h}", hosts[h].Select((r, j) => (Key: Key(r, j), r.Claimed)).ToDictionary(p => p.Key, p => p.Claimed));
                    present.Add(h);
                }

                void Check()
                {
                    if (bySource && !present.Contains(0))
                    {
                        return;
                    }

                    var result = index.FindTargets(query);
                    Assert.True(result.Succeeded);
                    var considered = present.Where(h => !drained[h] && !(bySource && h == 0)).ToList();
                    var scanned = considered.Select(h => (Name: $"h{h}", Cold: BestCold(hosts[h], vm, includeCold), Near: IsNear(hosts[h], vm), Spare: Spare(hosts[h], vm, includeCold))).ToList();
                    var accepted = scanned.Where(s => s.Cold >= 0).ToList();
                    var rejected = scanned.Where(s => s.Cold < 0 && s.Near).Select(s => s.Name).Order(StringComparer.Ordinal).ToList();
                    var drainedHosts = present.Where(h => drained[h] && !(bySource && h == 0)).Select(h => $"h{h}").Order(StringComparer.Ordinal);
                    var nothingCompatible = scanned.Where(s => s.Cold < 0 && !s.Near).Select(s => s.Name).Order(StringComparer.Ordinal);
                    var listed = rejected.Concat(drainedHosts).Concat(nothingCompatible);
                    var top = accepted
                        .Select(s => (s.Name, Score: ((long)(vm.Length - s.Cold) << 32) | (uint)(s.Spare - vm.Length)))
                        .OrderByDescending(s => s.Score).ThenBy(s => s.Name, StringComparer.Ordinal).Take(limit).ToList();

                    Assert.Equal(top, result.Candidates.Select(c => (c.Host, c.Score)));
                    Assert.Equal(listed.Take(maxRejected), result.Rejected.Select(r => r.Host));
                    Assert.Equal(
                        (considered.Count, accepted.Count, rejected.Count, considered.Count - accepted.Count - rejected.Count),
                        (result.HostsConsidered, result.HostsAccepted, result.HostsRejected, result.HostsWithoutCompatibleResource));
                    Assert.Equal(drainedHosts.Count(), result.HostsDrained);
                }
            },
            iter: 300);
    }

    /// <summary>True when some resource (free or not) is at least cold-compatible with some VM device.</summary>
    private static bool IsNear(Resource[] resources, int[] vm) =>
        resources.Any(r => vm.Any(d => Matcher.Check(Parsed[d], Parsed[r.Descriptor]).Level != CompatibilityLevel.None));

    /// <summary>Free instances of the resources some VM device may use in this query.</summary>
    private static int Spare(Resource[] resources, int[] vm, bool includeCold) =>
        resources
            .Where(r => vm.Any(d => Matcher.Check(Parsed[d], Parsed[r.Descriptor]).Level is CompatibilityLevel.Live || (includeCold && Matcher.Check(Parsed[d], Parsed[r.Descriptor]).Level == CompatibilityLevel.Cold)))
            .Sum(r => Math.Max(0, r.Capacity - r.Claimed));

    private static string Key(Resource resource, int j) =>
        resource.IsType ? $"type:p{j}/{Universe[resource.Descriptor].Self[1].Value}" : $"device:d{j}";

    private static HostInventory ToInventory(int h, Resource[] resources) => Host(
        $"h{h}",
        resources.Select((r, j) => (r, j)).Where(p => !p.r.IsType).Select(p => Device($"d{p.j}", Universe[p.r.Descriptor])),
        resources.Select((r, j) => (r, j)).Where(p => p.r.IsType).Select(p => Type($"p{p.j}", Universe[p.r.Descriptor], p.r.Capacity)));

    /// <summary>Brute force over every way to give each VM device one free unit: the fewest cold devices, or -1 when impossible.</summary>
    private static int BestCold(Resource[] resources, int[] vm, bool includeCold)
    {
        var free = resources.Select(r => Math.Max(0, r.Capacity - r.Claimed)).ToArray();
        var best = int.MaxValue;
        Search(0, 0);
        return best == int.MaxValue ? -1 : best;

        void Search(int device, int cold)
        {
            if (device == vm.Length)
            {
                best = Math.Min(best, cold);
                return;
            }

            for (var j = 0; j < resources.Length; j++)
            {
                var level = Matcher.Check(Parsed[vm[device]], Parsed[resources[j].Descriptor]).Level;
                if (free[j] == 0 || level == CompatibilityLevel.None || (level == CompatibilityLevel.Cold && !includeCold))
                {
                    continue;
                }

                free[j]--;
                Search(device + 1, cold + (level == CompatibilityLevel.Cold ? 1 : 0));
                free[j]++;
            }
        }
    }
}
