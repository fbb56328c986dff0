using System.Collections.Immutable;
using System.Globalization;
using MigCompat.Core.Matching;
using MigCompat.Discovery.RulePacks;

namespace MigCompat.Fleet.Planning;

/// <summary>
/// Re-checks a stored plan against the fleet as it is now (docs/planning.md): the plan's change is
/// applied again and its waves are played in order; each move must find its VM on its host, a target
/// that is neither drained nor in the move's wave, and per device the named resource with a free unit
/// and a matcher verdict at the move's level (live with evidence). A move that no longer holds is
/// reported and not played.
/// </summary>
public static class PlanVerifier
{
    /// <summary>Checks <paramref name="plan"/> against <paramref name="snapshot"/> with the shipped rule packs.</summary>
    /// <param name="snapshot">The fleet now.</param>
    /// <param name="plan">The stored plan.</param>
    public static PlanCheck Verify(FleetSnapshot snapshot, UpgradePlan plan) => Verify(snapshot, plan, RulePackLoader.LoadShipped().Packs);

    /// <summary>Checks <paramref name="plan"/> against <paramref name="snapshot"/>.</summary>
    /// <param name="snapshot">The fleet now.</param>
    /// <param name="plan">The stored plan.</param>
    /// <param name="packs">The rule packs descriptors are re-derived with.</param>
    public static PlanCheck Verify(FleetSnapshot snapshot, UpgradePlan plan, ImmutableArray<RulePack> packs)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(plan);
        var errors = new List<string>();
        var fleet = PlanFleet.Build(snapshot, plan.Request, packs, errors);
        if (fleet is null)
        {
            return new PlanCheck(snapshot.AsOf, 0, [], [.. errors]);
        }

        var problems = ImmutableArray.CreateBuilder<MoveProblem>();
        var checkedMoves = 0;
        var byHost = fleet.Vms.GroupBy(v => v.Host).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var wave in plan.Waves.IsDefault ? [] : plan.Waves)
        {
            var members = (wave.Hosts.IsDefault ? [] : wave.Hosts).Where(fleet.HostIndex.ContainsKey).Select(h => fleet.HostIndex[h]).ToHashSet();
            var left = new List<PlanVm>();
            foreach (var move in wave.Moves.IsDefault ? [] : wave.Moves)
            {
                checkedMoves++;
                if (Check(fleet, byHost, move, members, out var vm, out var to, out var resources) is { } problem)
                {
                    problems.Add(new MoveProblem(wave.Number, move.Vm, move.From, move.To, problem));
                    continue;
                }

                byHost[vm!.Host].Remove(vm);
                fleet.Take(to, resources!);
                fleet.Relocate(vm, to, resources!, move.Level != "cold");
                (byHost.TryGetValue(to, out var there) ? there : byHost[to] = []).Add(vm);
                left.Add(vm);
            }

            var stranded = (plan.Stranded.IsDefault ? [] : plan.Stranded).Where(s => s.Wave == wave.Number).Select(s => (s.Host, s.Vm)).ToHashSet();
            foreach (var host in members.Order())
            {
                var stayed = byHost.TryGetValue(host, out var on) ? on.OrderBy(v => v.Name, StringComparer.Ordinal).ToList() : [];
                foreach (var vm in stayed.Where(v => !stranded.Contains((fleet.Hosts[host].Name, v.Name))))
                {
                    problems.Add(new MoveProblem(wave.Number, vm.Name, fleet.Hosts[host].Name, string.Empty, $"the VM is on {fleet.Hosts[host].Name} when wave {wave.Number} changes it, and the plan neither moves it nor names it stranded"));
                }

                fleet.Upgrade(host, left, stayed);
            }
        }

        return new PlanCheck(snapshot.AsOf, checkedMoves, problems.ToImmutable(), []);
    }

    private static string? Check(PlanFleet fleet, Dictionary<int, List<PlanVm>> byHost, PlanMove move, HashSet<int> members, out PlanVm? vm, out int to, out PlanResource[]? resources)
    {
        vm = null;
        resources = null;
        to = -1;
        if (!fleet.HostIndex.TryGetValue(move.From, out var from))
        {
            return $"the host {move.From} is no longer in the fleet";
        }

        vm = byHost.TryGetValue(from, out var on) ? on.Find(v => v.Name == move.Vm) : null;
        if (vm is null)
        {
            return $"the VM {move.Vm} is not on {move.From}";
        }

        if (!fleet.HostIndex.TryGetValue(move.To, out to))
        {
            return $"the target {move.To} is no longer in the fleet";
        }

        var target = fleet.Hosts[to];
        if (to == from || members.Contains(to))
        {
            return $"the target {move.To} is changed in the same wave";
        }

        if (target.Drained)
        {
            return $"the target {move.To} is drained";
        }

        var devices = move.Devices.IsDefault ? [] : move.Devices;
        if (devices.Length != vm.Descriptors.Length || devices.Select(d => d.Index).Order().Where((index, i) => index != i).Any())
        {
            return string.Create(CultureInfo.InvariantCulture, $"the move places {devices.Length} devices; the VM has {vm.Descriptors.Length}");
        }

        var level = move.Level == "cold" ? CompatibilityLevel.Cold : CompatibilityLevel.Live;
        var chosen = new PlanResource[devices.Length];
        var locks = new Dictionary<string, string>(target.CurrentLocks, StringComparer.Ordinal);
        foreach (var device in devices)
        {
            var resource = Array.Find(target.Current, r => r.Key == device.ResourceKey);
            if (resource is null)
            {
                return $"device {device.DeviceId}: {move.To} has no free resource {device.ResourceKey}";
            }

            var used = chosen.Count(c => ReferenceEquals(c, resource));
            if (PlanFleet.Free(resource, locks) - used <= 0)
            {
                return $"device {device.DeviceId}: no free unit of {device.ResourceKey} on {move.To} at wave (INSUFFICIENT_CAPACITY)";
            }

            var source = vm.Descriptors[device.Index];
            var found = fleet.Level(source, resource.Descriptor);
            if (found < level)
            {
                return $"device {device.DeviceId}: {device.ResourceKey} on {move.To} is {Name(found)}, not {move.Level} ({fleet.WhyNot(source, [resource.Descriptor])})";
            }

            chosen[device.Index] = resource;
            if (resource.IsType && resource.Parent is not null)
            {
                locks[resource.Parent] = resource.Key;
            }
        }

        resources = chosen;
        return null;
    }

    private static string Name(CompatibilityLevel level) => level switch
    {
        CompatibilityLevel.Live => "live",
        CompatibilityLevel.Cold => "cold only",
        _ => "not compatible",
    };
}
