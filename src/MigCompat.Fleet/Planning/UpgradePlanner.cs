using System.Collections.Immutable;
using MigCompat.Core.Matching;
using MigCompat.Discovery.RulePacks;

namespace MigCompat.Fleet.Planning;

/// <summary>
/// Plans a rolling change (docs/planning.md): what-if per VM, then waves of hosts such that every VM
/// on a wave's hosts moves live, with free capacity, to a host outside the wave. Greedy and
/// deterministic: hosts in name order join the current wave when all their VMs can be placed
/// (targets: unchanged or already changed hosts first, then hosts still to change, each in name
/// order); a host whose VMs cannot be placed waits for a later wave; when no waiting host can join,
/// the next ones form a wave anyway and their unplaceable VMs are reported stranded (or moved cold).
/// </summary>
public static class UpgradePlanner
{
    /// <summary>Plans <paramref name="request"/> on <paramref name="snapshot"/> with the shipped rule packs.</summary>
    /// <param name="snapshot">The fleet.</param>
    /// <param name="request">The change and options.</param>
    public static PlanResult Plan(FleetSnapshot snapshot, UpgradeRequest request) => Plan(snapshot, request, RulePackLoader.LoadShipped().Packs);

    /// <summary>Plans <paramref name="request"/> on <paramref name="snapshot"/>.</summary>
    /// <param name="snapshot">The fleet.</param>
    /// <param name="request">The change and options.</param>
    /// <param name="packs">The rule packs descriptors are re-derived with.</param>
    public static PlanResult Plan(FleetSnapshot snapshot, UpgradeRequest request, ImmutableArray<RulePack> packs)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<string>();
        var fleet = PlanFleet.Build(snapshot, request, packs, errors);
        if (fleet is null)
        {
            return new PlanResult(null, [.. errors]);
        }

        var impacts = Impacts(fleet);
        var capacityLost = CapacityLost(fleet);
        var waves = ImmutableArray.CreateBuilder<PlanWave>();
        var stranded = ImmutableArray.CreateBuilder<StrandedVm>();
        var doors = ImmutableArray.CreateBuilder<OneWayDoor>();
        var byHost = fleet.Vms.GroupBy(v => v.Host).ToDictionary(g => g.Key, g => g.ToList());
        var pending = Enumerable.Range(0, fleet.Hosts.Count).Where(h => fleet.Hosts[h].Changed).ToList();
        var doorCache = new Dictionary<int, string?>();
        while (pending.Count > 0)
        {
            var number = waves.Count + 1;
            var members = new HashSet<int>();
            var targeted = new HashSet<int>();
            var moves = new List<(PlanVm Vm, int From, int To, PlanResource[] Resources, CompatibilityLevel Level)>();
            // VMs no device of the fleet takes live (before or after the change) cannot hold a host back: they are stranded in its wave.
            var hopeless = new List<(PlanVm Vm, int Host)>();
            foreach (var host in pending)
            {
                if (members.Count >= request.MaxHostsPerWave)
                {
                    break;
                }

                if (targeted.Contains(host))
                {
                    continue;
                }

                members.Add(host);
                var vms = VmsOn(byHost, host);
                var placed = Place(fleet, [.. vms.Where(v => !Hopeless(fleet, v))], members, CompatibilityLevel.Live);
                if (placed is null)
                {
                    members.Remove(host);
                    continue;
                }

                hopeless.AddRange(vms.Where(v => Hopeless(fleet, v)).Select(v => (v, host)));
                foreach (var move in placed)
                {
                    targeted.Add(move.To);
                    moves.Add((move.Vm, host, move.To, move.Resources, CompatibilityLevel.Live));
                }
            }

            var left = new HashSet<PlanVm>();
            HashSet<int>? offered = null;
            void Strand(PlanVm vm, int host, bool tryLive)
            {
                var live = tryLive ? fleet.Find(vm, members.Contains, CompatibilityLevel.Live) : null;
                var cold = live is null && request.AllowCold ? fleet.Find(vm, members.Contains, CompatibilityLevel.Cold) : null;
                if (live is null)
                {
                    stranded.Add(new StrandedVm(vm.Name, fleet.Hosts[host].Name, number, Stranded(fleet, vm, offered ??= fleet.OfferedNow(h => !members.Contains(h))), cold is not null));
                }

                if ((live ?? cold) is { } found)
                {
                    fleet.Take(found.Host, found.Resources);
                    moves.Add((vm, host, found.Host, found.Resources, live is null ? CompatibilityLevel.Cold : CompatibilityLevel.Live));
                }
            }

            if (members.Count == 0)
            {
                // No waiting host can have all its VMs placed: upgrade the next ones anyway and say who is stranded.
                foreach (var host in pending.Where(h => !targeted.Contains(h)).Take(request.MaxHostsPerWave))
                {
                    members.Add(host);
                }

                foreach (var host in members.Order())
                {
                    foreach (var vm in VmsOn(byHost, host))
                    {
                        Strand(vm, host, tryLive: true);
                    }
                }
            }

            foreach (var (vm, host) in hopeless)
            {
                Strand(vm, host, tryLive: false);
            }

            var waveMoves = ImmutableArray.CreateBuilder<PlanMove>(moves.Count);
            foreach (var (vm, from, to, resources, level) in moves)
            {
                waveMoves.Add(new PlanMove(vm.Name, fleet.Hosts[from].Name, fleet.Hosts[to].Name, level == CompatibilityLevel.Live ? "live" : "cold", [.. resources.Select((r, i) => new MoveDevice(i, vm.DeviceIds[i], r.Key, Evidence(fleet, vm, i, r)))]));
                fleet.Relocate(vm, to, resources, level == CompatibilityLevel.Live);
                left.Add(vm);
                byHost[from].Remove(vm);
                (byHost.TryGetValue(to, out var list) ? list : byHost[to] = []).Add(vm);
                if (level == CompatibilityLevel.Live && fleet.Hosts[to].Phase == HostPhase.Upgraded && OneWay(fleet, vm, resources, doorCache) is { } reason)
                {
                    doors.Add(new OneWayDoor(vm.Name, fleet.Hosts[to].Name, number, reason));
                }
            }

            foreach (var host in members.Order())
            {
                fleet.Upgrade(host, left, VmsOn(byHost, host));
            }

            pending.RemoveAll(members.Contains);
            waves.Add(new PlanWave(number, [.. members.Order().Select(h => fleet.Hosts[h].Name)], waveMoves.ToImmutable(), moves.Sum(m => (long)m.Resources.Length)));
        }

        var plan = new UpgradePlan(
            snapshot.AsOf,
            request,
            [.. fleet.Hosts.Where(h => h.Changed).Select(h => h.Name)],
            waves.ToImmutable(),
            stranded.ToImmutable(),
            doors.ToImmutable(),
            impacts,
            [.. fleet.Notes],
            capacityLost);
        return new PlanResult(plan, []);
    }

    /// <summary>True when some device of the VM has no live target anywhere in the fleet, before or after the change.</summary>
    private static bool Hopeless(PlanFleet fleet, PlanVm vm) => vm.Descriptors.Any(d => d < 0 || fleet.Targets(d, cold: false).Length == 0);

    private static List<PlanVm> VmsOn(Dictionary<int, List<PlanVm>> byHost, int host) =>
        byHost.TryGetValue(host, out var list) ? [.. list.OrderBy(v => v.Name, StringComparer.Ordinal)] : [];

    /// <summary>Places every VM outside <paramref name="members"/> (taking units at once); on failure gives back what it took and returns null.</summary>
    private static List<(PlanVm Vm, int To, PlanResource[] Resources)>? Place(PlanFleet fleet, List<PlanVm> vms, HashSet<int> members, CompatibilityLevel level)
    {
        var placed = new List<(PlanVm Vm, int To, PlanResource[] Resources)>();
        try
        {
            foreach (var vm in vms)
            {
                if (fleet.Find(vm, members.Contains, level) is not { } found)
                {
                    foreach (var (_, _, resources) in placed)
                    {
                        PlanFleet.Undo(resources);
                    }

                    return null;
                }

                fleet.Take(found.Host, found.Resources);
                fleet.Undoable++;
                placed.Add((vm, found.Host, found.Resources));
            }

            return placed;
        }
        finally
        {
            fleet.Undoable = 0;
        }
    }

    private static string Evidence(PlanFleet fleet, PlanVm vm, int device, PlanResource resource)
    {
        var evidence = fleet.Verdict(vm.Descriptors[device], resource.Descriptor).Evidence;
        return evidence.KindName + ": " + evidence.Detail;
    }

    /// <summary>Why no order keeps <paramref name="vm"/> live: an unknown device, no device outside the wave that takes it live, or no free unit there.</summary>
    private static string Stranded(PlanFleet fleet, PlanVm vm, HashSet<int> offered)
    {
        for (var i = 0; i < vm.Descriptors.Length; i++)
        {
            var descriptor = vm.Descriptors[i];
            if (descriptor < 0 || !fleet.Targets(descriptor, cold: false).Any(offered.Contains))
            {
                return $"device {vm.DeviceIds[i]}: no host outside its wave has a device that takes it live ({fleet.WhyNot(descriptor, offered.Where(d => fleet.Level(descriptor, d) > CompatibilityLevel.None))})";
            }
        }

        var refusals = vm.Descriptors.SelectMany(d => offered.Where(o => fleet.Level(d, o) == CompatibilityLevel.Cold).Select(o => (d, o))).ToList();
        return "INSUFFICIENT_CAPACITY: the hosts outside its wave that take its devices live have no free units left (claims, earlier moves) or are drained"
            + (refusals.Count == 0 ? string.Empty : "; the others refuse it: " + fleet.WhyNot(refusals[0].d, refusals.Where(r => r.d == refusals[0].d).Select(r => r.o)));
    }

    /// <summary>
    /// Why a VM just moved onto an upgraded host cannot go back live to any host as it was before the
    /// change: at once, or once its guest driver reloads there (its devices then are the target
    /// resources as offered: an NVIDIA vGPU may negotiate any version of the new range); null when it can.
    /// </summary>
    private static string? OneWay(PlanFleet fleet, PlanVm vm, PlanResource[] resources, Dictionary<int, string?> cache)
    {
        for (var i = 0; i < vm.Descriptors.Length; i++)
        {
            if (NoWayBack(fleet, vm.Descriptors[i], cache) is { } now)
            {
                return $"device {vm.DeviceIds[i]}: once moved, no device as it was before the change takes it live ({now})";
            }

            if (NoWayBack(fleet, resources[i].Descriptor, cache) is { } reload)
            {
                return $"device {vm.DeviceIds[i]}: after its guest driver reloads there, no device as it was before the change takes it live ({reload})";
            }
        }

        return null;
    }

    private static string? NoWayBack(PlanFleet fleet, int descriptor, Dictionary<int, string?> cache)
    {
        if (!cache.TryGetValue(descriptor, out var reason))
        {
            var before = fleet.BeforeDescriptors().ToHashSet();
            reason = descriptor >= 0 && fleet.Targets(descriptor, cold: false).Any(before.Contains)
                ? null
                : fleet.WhyNot(descriptor, before.Where(d => fleet.Level(descriptor, d) > CompatibilityLevel.None));
            cache[descriptor] = reason;
        }

        return reason;
    }

    private static ImmutableArray<VmImpact> Impacts(PlanFleet fleet)
    {
        var cache = new Dictionary<string, int>(StringComparer.Ordinal);
        int Count(int[] descriptors, int own, int state)
        {
            var signature = string.Join(',', descriptors.Order()) + "|" + state;
            if (!cache.TryGetValue(signature, out var total))
            {
                total = fleet.CountLive(descriptors, -1, state);
                cache[signature] = total;
            }

            // The VM's own host is no target: count it out when it would be one.
            return total - (OwnCounts(fleet, descriptors, own, state) ? 1 : 0);
        }

        return [.. fleet.Vms.OrderBy(v => fleet.Hosts[v.OriginalHost].Name, StringComparer.Ordinal).ThenBy(v => v.Name, StringComparer.Ordinal).Select(vm =>
            new VmImpact(vm.Name, fleet.Hosts[vm.OriginalHost].Name, Count(vm.Descriptors, vm.OriginalHost, 0), Count(vm.Descriptors, vm.OriginalHost, 2), Count(vm.AfterDescriptors, vm.OriginalHost, 1)))];
    }

    private static bool OwnCounts(PlanFleet fleet, int[] descriptors, int own, int state)
    {
        var host = fleet.Hosts[own];
        if (host.Drained || descriptors.Any(d => d < 0))
        {
            return false;
        }

        var before = state == 1 && host.Changed || fleet.Fit(descriptors, host, CompatibilityLevel.Live, host.Before, host.LockedBefore) is not null;
        var after = state == 0 || !host.Changed || fleet.Fit(descriptors, host, CompatibilityLevel.Live, host.After, host.LockedAfter) is not null;
        return before && after;
    }

    private static long CapacityLost(PlanFleet fleet)
    {
        var now = fleet.UsableBy(fleet.Vms.SelectMany(v => v.Descriptors));
        var after = fleet.UsableBy(fleet.Vms.SelectMany(v => v.AfterDescriptors));
        long lost = 0;
        foreach (var host in fleet.Hosts.Where(h => h.Changed))
        {
            foreach (var resource in host.Before)
            {
                var changed = Array.Find(host.After!, r => r.Key == resource.Key);
                if (resource.Free > 0 && now.Contains(resource.Descriptor) && (changed is null || !after.Contains(changed.Descriptor)))
                {
                    lost += resource.Free;
                }
            }
        }

        return lost;
    }
}
