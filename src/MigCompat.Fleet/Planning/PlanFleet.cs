using System.Collections.Immutable;
using System.Globalization;
using MigCompat.Core.Matching;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Profiles;
using MigCompat.Discovery.RulePacks;
using MigCompat.Fleet.Search;
using MigCompat.Fleet.Storage;

namespace MigCompat.Fleet.Planning;

/// <summary>Where a host is in the roll-out.</summary>
internal enum HostPhase
{
    /// <summary>Not changed by the plan.</summary>
    Stable,

    /// <summary>To be changed, not yet.</summary>
    Pending,

    /// <summary>Changed: its resources are the after-change ones.</summary>
    Upgraded,
}

/// <summary>One resource of a host in one state: a free device (capacity 1) or a creatable type.</summary>
internal sealed class PlanResource(string key, int descriptor, long free, string? parent, bool isType)
{
    public string Key { get; } = key;

    /// <summary>The descriptor id; -1 when unknown (never offered).</summary>
    public int Descriptor { get; } = descriptor;

    public long Free { get; set; } = free;

    public string? Parent { get; } = parent;

    public bool IsType { get; } = isType;
}

/// <summary>A host during planning: its resources before and (when changed) after the change.</summary>
internal sealed class PlanHost(string name, bool drained, bool changed, PlanResource[] before, PlanResource[]? after)
{
    public string Name { get; } = name;

    public bool Drained { get; } = drained;

    public bool Changed { get; } = changed;

    public HostPhase Phase { get; set; } = changed ? HostPhase.Pending : HostPhase.Stable;

    public PlanResource[] Before { get; } = before;

    public PlanResource[]? After { get; } = after;

    /// <summary>Per state, the type a plan move created on each parent: other types of that parent are then full (vGPUs of one GPU share it).</summary>
    public Dictionary<string, string> LockedBefore { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> LockedAfter { get; } = new(StringComparer.Ordinal);

    public PlanResource[] Current => Phase == HostPhase.Upgraded ? After! : Before;

    public Dictionary<string, string> CurrentLocks => Phase == HostPhase.Upgraded ? LockedAfter : LockedBefore;
}

/// <summary>A VM with assigned devices, where it is and what its devices are now.</summary>
internal sealed class PlanVm(string name, int host, string[] deviceIds, int[] descriptors, int[] afterDescriptors, string?[] freedKeys)
{
    public string Name { get; } = name;

    public int OriginalHost { get; } = host;

    public int Host { get; set; } = host;

    public string[] DeviceIds { get; } = deviceIds;

    /// <summary>The descriptor id of each device where the VM is now (-1 unknown).</summary>
    public int[] Descriptors { get; set; } = descriptors;

    /// <summary>Each device's descriptor on its original host after that host's change (the same when unchanged).</summary>
    public int[] AfterDescriptors { get; } = afterDescriptors;

    /// <summary>The resource key each original device gives back to its host when the VM leaves (null: none).</summary>
    public string?[] FreedKeys { get; } = freedKeys;

    /// <summary>The resource on the current host each device uses when a plan move put it there; null on its original host.</summary>
    public PlanResource[]? Placed { get; set; }
}

/// <summary>
/// The fleet before and after a change, with the matcher's verdicts cached per distinct descriptor pair:
/// the state both the planner and the verifier move VMs through (docs/planning.md).
/// </summary>
internal sealed class PlanFleet
{
    private readonly DescriptorTable table = new();
    private readonly Dictionary<long, Verdict> verdicts = [];
    private readonly Dictionary<int, DescriptorFields> fields = [];
    private readonly List<sbyte[]?> levels = [];
    private readonly Dictionary<int, int[]> liveTargets = [];
    private readonly Dictionary<int, int[]> coldTargets = [];
    private List<int>[] postBefore = [];
    private List<int>[] postAfter = [];
    private List<int>[] postStable = [];
    private List<int>[] postPending = [];
    private int[] cursorStable = [];
    private int[] cursorPending = [];
    private int[] cursorAfter = [];
    private int[] stamp = [];
    private int stampNow;

    private PlanFleet()
    {
    }

    public List<PlanHost> Hosts { get; } = [];

    public Dictionary<string, int> HostIndex { get; } = new(StringComparer.Ordinal);

    public List<PlanVm> Vms { get; } = [];

    public List<string> Notes { get; } = [];

    /// <summary>Units taken that may still be given back (<see cref="Undo"/>): while any are, no host is skipped for being full.</summary>
    public int Undoable { get; set; }

    /// <summary>
    /// Builds the fleet from a snapshot and a request; null with <paramref name="errors"/> when the
    /// request names no host or a replacement names an unknown host.
    /// </summary>
    public static PlanFleet? Build(FleetSnapshot snapshot, UpgradeRequest request, ImmutableArray<RulePack> packs, List<string> errors)
    {
        var fleet = new PlanFleet();
        var hosts = snapshot.Hosts.IsDefault ? [] : snapshot.Hosts.OrderBy(h => h.Inventory.Host, StringComparer.Ordinal).ToList();
        var selectors = request.Hosts.IsDefault ? [] : request.Hosts;
        var untouched = request.Untouched.IsDefault ? [] : request.Untouched;
        var replacements = new Dictionary<string, HostInventory>(StringComparer.Ordinal);
        foreach (var replacement in request.Replacements.IsDefault ? [] : request.Replacements)
        {
            if (!hosts.Exists(h => h.Inventory.Host == replacement.Host))
            {
                errors.Add($"the replacement inventory of '{replacement.Host}' names no host of the fleet");
            }

            replacements[replacement.Host] = replacement;
        }

        foreach (var selector in selectors.Concat(untouched))
        {
            if (!hosts.Exists(h => Matches(selector, h.Inventory)))
            {
                errors.Add($"the host selector '{selector}' matches no host of the fleet");
            }
        }

        if (request.MaxHostsPerWave < 1)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"at most {request.MaxHostsPerWave} hosts per wave: give 1 or more"));
        }

        if (errors.Count > 0)
        {
            return null;
        }

        var drivers = request.Drivers.IsDefault ? [] : request.Drivers;
        var rules = request.RulePacks.IsDefault ? [] : request.RulePacks;
        var packsAfter = rules.IsEmpty ? packs : RulePackLoader.Override(packs, rules);
        var unknown = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var derived = new Dictionary<object, DescriptorFields?>();
        foreach (var host in hosts)
        {
            var name = host.Inventory.Host;
            var selected = selectors.Any(s => Matches(s, host.Inventory)) || replacements.ContainsKey(name);
            var changed = selected && !untouched.Any(s => Matches(s, host.Inventory));
            var after = !changed ? null
                : replacements.TryGetValue(name, out var replaced) ? replaced
                : Apply(host.Inventory, drivers, rules, packsAfter, unknown, derived);
            fleet.Add(host, after);
        }

        foreach (var (what, count) in unknown)
        {
            fleet.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"{count} devices or types of {what} cannot be derived (the driver declares its own migration attributes, or no rule pack is for it): their state after the change is unknown, nothing is live to or from them; give replacement inventories if you know it"));
        }

        foreach (var pack in rules)
        {
            fleet.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"the changed hosts use rule pack {pack.Name} {pack.Version} ({pack.FilePath}) for driver {string.Join(", ", pack.Drivers)}; devices and types of that driver are re-derived with it"));
        }

        if (drivers.Any(d => d.Driver.Contains("nvidia", StringComparison.OrdinalIgnoreCase) || d.Driver == "*"))
        {
            fleet.Notes.Add("mdev type ids are kept across the driver change; if the new driver numbers its types differently, give replacement inventories");
        }

        fleet.Index();
        return fleet;
    }

    /// <summary>The prefix of a selector by label: <c>label:KEY=VALUE</c>.</summary>
    public const string LabelPrefix = "label:";

    /// <summary>
    /// True when <paramref name="selector"/> matches <paramref name="host"/>: a name or glob on its name, or
    /// <c>label:KEY=VALUE</c> (the value a glob) on its labels.
    /// </summary>
    public static bool Matches(string selector, HostInventory host)
    {
        selector = selector.Trim();
        if (!selector.StartsWith(LabelPrefix, StringComparison.Ordinal))
        {
            return Glob.IsMatch(selector, host.Host);
        }

        var at = selector.IndexOf('=', StringComparison.Ordinal);
        var key = at < 0 ? selector[LabelPrefix.Length..] : selector[LabelPrefix.Length..at];
        return (host.Labels.IsDefault ? [] : host.Labels).Any(l => l.Key == key && (at < 0 || Glob.IsMatch(selector[(at + 1)..], l.Value)));
    }

    /// <summary>The matcher's verdict for a source descriptor against a target descriptor (cached).</summary>
    public Verdict Verdict(int source, int target)
    {
        var key = ((long)source << 32) | (uint)target;
        if (!verdicts.TryGetValue(key, out var verdict))
        {
            verdict = Matcher.Check(table[source].Descriptor, table[target]);
            verdicts[key] = verdict;
        }

        return verdict;
    }

    /// <summary>The descriptors a source may go to: live ones, or with <paramref name="cold"/> at least cold ones.</summary>
    public int[] Targets(int source, bool cold)
    {
        var cache = cold ? coldTargets : liveTargets;
        if (!cache.TryGetValue(source, out var ids))
        {
            // As the target search does: a target without COMPATIBLE blocks and another mdev_type refuses at level none.
            ids = [.. table.WithDeviceApi(table[source].DeviceApi).Where(t => t < postBefore.Length && Level(source, t) >= (cold ? CompatibilityLevel.Cold : CompatibilityLevel.Live))];
            cache[source] = ids;
        }

        return ids;
    }

    /// <summary>
    /// The level of a verdict; live only with evidence. As the target search does, a target without
    /// COMPATIBLE blocks and of another mdev type refuses at level none without running the matcher.
    /// </summary>
    public CompatibilityLevel Level(int source, int target)
    {
        if (source < 0 || target < 0)
        {
            return CompatibilityLevel.None;
        }

        if (source >= levels.Count)
        {
            levels.AddRange(Enumerable.Repeat<sbyte[]?>(null, source + 1 - levels.Count));
        }

        var row = levels[source];
        if (row is null || row.Length <= target)
        {
            var grown = new sbyte[table.Count];
            row?.CopyTo(grown, 0);
            levels[source] = row = grown;
        }

        if (row[target] == 0)
        {
            var level = CompatibilityLevel.None;
            if (!table[target].Descriptor.Compatible.IsDefaultOrEmpty || string.Equals(table[source].MdevType, table[target].MdevType, StringComparison.Ordinal))
            {
                var verdict = Verdict(source, target);
                level = verdict.Level == CompatibilityLevel.Live && verdict.Evidence.Kind == EvidenceKind.None ? CompatibilityLevel.Cold : verdict.Level;
            }

            row[target] = (sbyte)(level + 1);
        }

        return (CompatibilityLevel)(row[target] - 1);
    }

    /// <summary>Why a source descriptor has no live target among <paramref name="candidates"/>: the closest verdict's first reason.</summary>
    public string WhyNot(int source, IEnumerable<int> candidates)
    {
        if (source < 0)
        {
            return "its device's descriptor is unknown after the change";
        }

        Verdict? closest = null;
        foreach (var target in candidates)
        {
            var verdict = Verdict(source, target);
            if (closest is null || verdict.Level > closest.Level || (verdict.Level == closest.Level && verdict.Reasons.Length < closest.Reasons.Length))
            {
                closest = verdict;
            }
        }

        return closest is null ? "no host offers a device of the same kind"
            : closest.Reasons.Length > 0 ? $"{closest.Reasons[0].Code}: {closest.Reasons[0].Message}"
            : "nothing vouches for a live move";
    }

    /// <summary>The descriptor ids the hosts <paramref name="include"/> accepts offer in their current state (drained hosts left out).</summary>
    public HashSet<int> OfferedNow(Func<int, bool> include) =>
        [.. Enumerable.Range(0, Hosts.Count).Where(h => include(h) && !Hosts[h].Drained).SelectMany(h => Hosts[h].Current.Select(r => r.Descriptor)).Where(d => d >= 0)];

    /// <summary>Every descriptor id present in the fleet before the change.</summary>
    public IEnumerable<int> BeforeDescriptors() => Enumerable.Range(0, postBefore.Length).Where(d => postBefore[d].Count > 0);

    /// <summary>
    /// Where a VM could go now, excluding <paramref name="excluded"/> hosts: the first host (stable or
    /// upgraded hosts first, then hosts still to be changed; each in name order) that takes all its
    /// devices at <paramref name="level"/> or better with free capacity; null when none.
    /// </summary>
    public (int Host, PlanResource[] Resources)? Find(PlanVm vm, Func<int, bool> excluded, CompatibilityLevel level)
    {
        if (vm.Descriptors.Any(d => d < 0))
        {
            return null;
        }

        var targets = Targets(vm.Descriptors[0], level == CompatibilityLevel.Cold);
        foreach (var (lists, cursors, phase) in new[] { (postStable, cursorStable, HostPhase.Stable), (postAfter, cursorAfter, HostPhase.Upgraded), (postPending, cursorPending, HostPhase.Pending) })
        {
            foreach (var target in targets)
            {
                if (Scan(lists[target], ref cursors[target], target, phase, vm, excluded, level) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The first host of a descriptor's list, in <paramref name="phase"/>, that takes the VM. Leading hosts
    /// that can never take the descriptor again are skipped for good (full: units only shrink in a state
    /// once it is live; or changed already) — unless units taken may still be given back.
    /// </summary>
    private (int Host, PlanResource[] Resources)? Scan(List<int> list, ref int cursor, int target, HostPhase phase, PlanVm vm, Func<int, bool> excluded, CompatibilityLevel level)
    {
        while (Undoable == 0 && cursor < list.Count && Dead(Hosts[list[cursor]], target, phase))
        {
            cursor++;
        }

        for (var i = cursor; i < list.Count; i++)
        {
            var host = list[i];
            if (Hosts[host].Phase == phase && Usable(host, vm, excluded) && Fit(vm.Descriptors, Hosts[host], level) is { } fit)
            {
                return (host, fit);
            }
        }

        return null;
    }

    private static bool Dead(PlanHost host, int target, HostPhase phase) => phase switch
    {
        HostPhase.Stable => !HasFree(host.Before, host.LockedBefore, target),
        HostPhase.Upgraded => host.Phase == HostPhase.Upgraded && !HasFree(host.After!, host.LockedAfter, target),
        _ => host.Phase == HostPhase.Upgraded || !HasFree(host.Before, host.LockedBefore, target),
    };

    private static bool HasFree(PlanResource[] resources, Dictionary<string, string> locks, int target)
    {
        foreach (var resource in resources)
        {
            if (resource.Descriptor == target && Free(resource, locks) > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The resources of <paramref name="host"/>'s current state that take every device (greedily, live
    /// before cold), or null. Vouched live needs evidence (<see cref="Level"/>).
    /// </summary>
    public PlanResource[]? Fit(int[] descriptors, PlanHost host, CompatibilityLevel level, PlanResource[]? resources = null, Dictionary<string, string>? locks = null)
    {
        resources ??= host.Current;
        locks ??= host.CurrentLocks;
        var chosen = new PlanResource[descriptors.Length];
        Dictionary<string, string>? ownLocks = null;
        for (var i = 0; i < descriptors.Length; i++)
        {
            PlanResource? best = null;
            foreach (var resource in resources)
            {
                if (resource.Descriptor < 0 || Free(resource, locks, ownLocks) - Taken(chosen, i, resource) <= 0)
                {
                    continue;
                }

                var found = Level(descriptors[i], resource.Descriptor);
                if (found == CompatibilityLevel.Live)
                {
                    best = resource;
                    break;
                }

                if (found == CompatibilityLevel.Cold && level == CompatibilityLevel.Cold)
                {
                    best ??= resource;
                }
            }

            if (best is null)
            {
                return null;
            }

            chosen[i] = best;
            if (best.IsType && best.Parent is not null)
            {
                (ownLocks ??= new(StringComparer.Ordinal))[best.Parent] = best.Key;
            }
        }

        return chosen;
    }

    /// <summary>The free units of a resource, 0 when another type of its parent was created by the plan.</summary>
    public static long Free(PlanResource resource, Dictionary<string, string> locks, Dictionary<string, string>? more = null) =>
        resource.IsType && resource.Parent is not null
        && ((locks.TryGetValue(resource.Parent, out var key) && key != resource.Key) || (more is not null && more.TryGetValue(resource.Parent, out key) && key != resource.Key))
            ? 0
            : resource.Free;

    /// <summary>Takes one unit of each of <paramref name="resources"/> on <paramref name="host"/> (a created type locks its parent to that type).</summary>
    public void Take(int host, PlanResource[] resources)
    {
        var target = Hosts[host];
        foreach (var resource in resources)
        {
            resource.Free--;
            if (resource.IsType && resource.Parent is not null)
            {
                target.CurrentLocks[resource.Parent] = resource.Key;
            }
        }
    }

    /// <summary>
    /// Puts <paramref name="vm"/> on <paramref name="host"/>, its devices on <paramref name="resources"/> (units already
    /// taken): each device is then described as the target resource with the state a live move carries
    /// (<see cref="DriverUpgrade.AfterLiveMove"/>; a cold move carries none).
    /// </summary>
    public void Relocate(PlanVm vm, int host, PlanResource[] resources, bool live)
    {
        vm.Host = host;
        vm.Placed = resources;
        vm.Descriptors = [.. resources.Select((r, i) => live && vm.Descriptors[i] >= 0 && r.Descriptor >= 0
            ? Intern(DriverUpgrade.AfterLiveMove(fields[vm.Descriptors[i]], fields[r.Descriptor]))
            : r.Descriptor)];
    }

    /// <summary>Gives back the units of a tentative move (the planner's undo).</summary>
    public static void Undo(PlanResource[] resources)
    {
        foreach (var resource in resources)
        {
            resource.Free++;
        }
    }

    /// <summary>
    /// Changes <paramref name="host"/>: its resources become the after-change ones, with the units of
    /// its original VMs that left given back; VMs still on it now run on the after-change devices.
    /// </summary>
    public void Upgrade(int host, IEnumerable<PlanVm> left, IEnumerable<PlanVm> stayed)
    {
        var entry = Hosts[host];
        if (!entry.Changed || entry.Phase == HostPhase.Upgraded)
        {
            return;
        }

        entry.Phase = HostPhase.Upgraded;
        foreach (var vm in left.Where(v => v.OriginalHost == host))
        {
            foreach (var key in vm.FreedKeys)
            {
                if (key is not null && Array.Find(entry.After!, r => r.Key == key) is { } resource)
                {
                    resource.Free++;
                }
            }
        }

        foreach (var vm in stayed)
        {
            vm.Descriptors = vm.OriginalHost == host && vm.Placed is null ? vm.AfterDescriptors
                : [.. vm.Placed!.Select(p => Array.Find(entry.After!, r => r.Key == p.Key)?.Descriptor ?? -1)];
        }
    }

    private static int Taken(PlanResource[] chosen, int count, PlanResource resource)
    {
        var taken = 0;
        for (var i = 0; i < count; i++)
        {
            if (ReferenceEquals(chosen[i], resource))
            {
                taken++;
            }
        }

        return taken;
    }

    private bool Usable(int host, PlanVm vm, Func<int, bool> excluded) =>
        host != vm.Host && !Hosts[host].Drained && !excluded(host);

    /// <summary>Counts the hosts that take all of <paramref name="descriptors"/> live with their free units now, in one state.</summary>
    /// <param name="descriptors">The VM's device descriptors.</param>
    /// <param name="own">The VM's host (not counted).</param>
    /// <param name="state">0 before, 1 after, 2 both (during the roll-out).</param>
    public int CountLive(int[] descriptors, int own, int state)
    {
        if (descriptors.Length == 0 || descriptors.Any(d => d < 0))
        {
            return 0;
        }

        stampNow++;
        var count = 0;
        foreach (var target in Targets(descriptors[0], cold: false))
        {
            foreach (var list in new[] { postBefore[target], postAfter[target] })
            {
                foreach (var host in list)
                {
                    if (stamp[host] == stampNow || host == own || Hosts[host].Drained)
                    {
                        continue;
                    }

                    stamp[host] = stampNow;
                    var entry = Hosts[host];
                    var before = state == 1 && entry.Changed || Fit(descriptors, entry, CompatibilityLevel.Live, entry.Before, entry.LockedBefore) is not null;
                    var after = state == 0 || !entry.Changed || Fit(descriptors, entry, CompatibilityLevel.Live, entry.After, entry.LockedAfter) is not null;
                    count += before && after ? 1 : 0;
                }
            }
        }

        return count;
    }

    /// <summary>The descriptors some descriptor of <paramref name="sources"/> goes to live.</summary>
    public HashSet<int> UsableBy(IEnumerable<int> sources) => [.. sources.Where(s => s >= 0).Distinct().SelectMany(s => Targets(s, cold: false))];

    private void Add(SnapshotHost snapshotHost, HostInventory? after)
    {
        var inventory = snapshotHost.Inventory;
        var claims = (snapshotHost.Claimed.IsDefault ? [] : snapshotHost.Claimed).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        var index = Hosts.Count;
        var host = new PlanHost(inventory.Host, snapshotHost.Drained, after is not null, Resources(inventory, claims), after is null ? null : Resources(after, claims));
        Hosts.Add(host);
        HostIndex[inventory.Host] = index;
        var devices = inventory.Devices.IsDefault ? [] : inventory.Devices;
        var afterDevices = (after?.Devices.IsDefault ?? true ? [] : after.Devices).ToDictionary(d => d.Id, StringComparer.OrdinalIgnoreCase);
        var firstVm = Vms.Count;
        foreach (var guest in (inventory.Guests.IsDefault ? [] : inventory.Guests).OrderBy(g => g.Name, StringComparer.Ordinal))
        {
            var ids = guest.DeviceIds.IsDefault ? [] : guest.DeviceIds;
            if (ids.Length == 0)
            {
                continue;
            }

            var found = ids.Select(id => devices.FirstOrDefault(d => string.Equals(d.Id, id, StringComparison.OrdinalIgnoreCase))).ToArray();
            var descriptors = found.Select(d => d is null ? -1 : Intern(d.Descriptor)).ToArray();
            var afterDescriptors = after is null ? descriptors
                : found.Select(d => d is not null && afterDevices.TryGetValue(d.Id, out var a) ? Intern(a.Descriptor) : -1).ToArray();
            var freed = found.Select(d => d is null ? null : d.Kind == DeviceKind.Mdev && d.Parent is not null && d.MdevType is not null
                ? CapacityResources.TypeKey(d.Parent, d.MdevType)
                : CapacityResources.DeviceKey(d.Id)).ToArray();
            Vms.Add(new PlanVm(guest.Name, index, [.. ids], descriptors, afterDescriptors, freed));
        }

        if (host.After is not null)
        {
            // A VF or PCI device a VM leaves becomes a free device after the change (a created mdev goes back to its type).
            var extra = Vms.Skip(firstVm)
                .SelectMany(v => v.FreedKeys.Select((key, i) => (key, descriptor: v.AfterDescriptors[i])))
                .Where(f => f.key is not null && f.key.StartsWith("device:", StringComparison.Ordinal) && !host.After.Any(r => r.Key == f.key))
                .Select(f => new PlanResource(f.key!, f.descriptor, 0, null, isType: false));
            var all = host.After.Concat(extra).ToArray();
            Hosts[index] = new PlanHost(host.Name, host.Drained, true, host.Before, all);
        }
    }

    /// <summary>The resources of an inventory as <see cref="CapacityResources.From"/> counts them (a free device 1, a type its free instances, a key twice the larger), less the claimed units, in inventory order.</summary>
    private PlanResource[] Resources(HostInventory inventory, Dictionary<string, long> claims)
    {
        var resources = new List<PlanResource>();
        var at = new Dictionary<string, int>(StringComparer.Ordinal);
        void Add(string key, long capacity, DescriptorFields descriptor, string? parent, bool isType)
        {
            capacity = Math.Max(0, capacity - claims.GetValueOrDefault(key));
            if (at.TryGetValue(key, out var index))
            {
                if (capacity > resources[index].Free)
                {
                    resources[index] = new PlanResource(key, resources[index].Descriptor, capacity, parent, isType);
                }

                return;
            }

            at[key] = resources.Count;
            resources.Add(new PlanResource(key, Intern(descriptor), capacity, parent, isType));
        }

        foreach (var device in inventory.Devices.IsDefault ? [] : inventory.Devices)
        {
            if (device is { InUse: false } && !string.IsNullOrWhiteSpace(device.Id))
            {
                Add(CapacityResources.DeviceKey(device.Id), 1, device.Descriptor, device.Parent, false);
            }
        }

        foreach (var type in inventory.CreatableTypes.IsDefault ? [] : inventory.CreatableTypes)
        {
            if (type is not null && !string.IsNullOrWhiteSpace(type.Parent) && !string.IsNullOrWhiteSpace(type.TypeId))
            {
                Add(CapacityResources.TypeKey(type.Parent, type.TypeId), type.AvailableInstances, type.Descriptor, type.Parent, true);
            }
        }

        return [.. resources];
    }

    private int Intern(DescriptorFields descriptor)
    {
        if (descriptor.Self.IsDefaultOrEmpty)
        {
            return -1;
        }

        var id = table.Intern(descriptor, out _);
        if (id >= 0)
        {
            fields.TryAdd(id, descriptor);
        }

        return id;
    }

    private void Index()
    {
        postBefore = new List<int>[table.Count];
        postAfter = new List<int>[table.Count];
        postStable = new List<int>[table.Count];
        postPending = new List<int>[table.Count];
        for (var d = 0; d < table.Count; d++)
        {
            postBefore[d] = [];
            postAfter[d] = [];
            postStable[d] = [];
            postPending[d] = [];
        }

        for (var h = 0; h < Hosts.Count; h++)
        {
            foreach (var descriptor in Hosts[h].Before.Select(r => r.Descriptor).Where(d => d >= 0).Distinct())
            {
                postBefore[descriptor].Add(h);
                (Hosts[h].Changed ? postPending : postStable)[descriptor].Add(h);
            }

            foreach (var descriptor in (Hosts[h].After ?? []).Select(r => r.Descriptor).Where(d => d >= 0).Distinct())
            {
                postAfter[descriptor].Add(h);
            }
        }

        cursorStable = new int[table.Count];
        cursorPending = new int[table.Count];
        cursorAfter = new int[table.Count];
        stamp = new int[Hosts.Count];
    }

    /// <summary>
    /// The inventory with every device and type of a changed driver, or of a driver a changed rule pack is for, re-derived
    /// (<see cref="DriverUpgrade"/>) with the rule packs after the change; counts what cannot be.
    /// </summary>
    private static HostInventory Apply(HostInventory inventory, ImmutableArray<DriverVersionChange> changes, ImmutableArray<RulePack> rules, ImmutableArray<RulePack> packs, SortedDictionary<string, int> unknown, Dictionary<object, DescriptorFields?> derived)
    {
        // The version after the change, or null when the change leaves this device or type as it is.
        (bool Changed, string? Version) ChangeOf(string? driver, string? typeId, string? current, DescriptorOrigin origin)
        {
            if (driver is not null && changes.FirstOrDefault(c => Glob.IsMatch(c.Driver.Trim().Replace('-', '_'), driver.Replace('-', '_'))) is { } change)
            {
                return (true, change.Version);
            }

            // Only the packs change: what the driver declares itself, or an operator profile gives, wins over packs in a scan.
            var repacked = origin is not (DescriptorOrigin.Driver or DescriptorOrigin.Profile) && rules.Any(p => p.IsFor(MigrationSupport.DriverOf(driver, typeId)));
            return (repacked, current);
        }

        DescriptorFields Derive(object key, string? driver, string? version, bool inUse, DescriptorFields before, bool versionChanged, Func<DescriptorFields?> rederive)
        {
            if (!derived.TryGetValue(key, out var fields))
            {
                fields = rederive();

                // The driver does not reload when only its packs change: a running device keeps the state its guest negotiated.
                fields = fields is not null && inUse && !versionChanged ? DriverUpgrade.AfterLiveMove(before, fields) : fields;
                derived[key] = fields;
            }

            if (fields is null)
            {
                var what = version is null ? $"driver {driver}" : $"driver {driver} at {version}";
                unknown[what] = unknown.GetValueOrDefault(what) + 1;
            }

            return fields ?? Unknown;
        }

        var parents = (inventory.Devices.IsDefault ? [] : inventory.Devices).Where(d => d.Parent is not null && d.Pci is not null)
            .GroupBy(d => d.Parent!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Pci, StringComparer.Ordinal);
        var devices = (inventory.Devices.IsDefault ? [] : inventory.Devices).Select(d =>
        {
            var (changed, version) = ChangeOf(d.Driver, d.MdevType, d.DriverVersion, d.Descriptor.Origin);
            if (!changed)
            {
                return d;
            }

            var moved = version != d.DriverVersion;
            var key = (d.Kind, d.DeviceApi, d.MdevType, d.Driver, d.Pci, d.Descriptor, version, d.InUse == true && !moved);
            return d with { DriverVersion = version, Descriptor = Derive(key, d.Driver, version, d.InUse == true, d.Descriptor, moved, () => DriverUpgrade.Rederive(d, version, packs)) };
        }).ToImmutableArray();
        var types = (inventory.CreatableTypes.IsDefault ? [] : inventory.CreatableTypes).Select(t =>
        {
            var (changed, version) = ChangeOf(t.Driver, t.TypeId, t.DriverVersion, t.Descriptor.Origin);
            if (!changed)
            {
                return t;
            }

            var gpu = parents.GetValueOrDefault(t.Parent);
            var key = (t.TypeId, t.DeviceApi, t.Driver, gpu, t.Descriptor, version);
            return t with { DriverVersion = version, Descriptor = Derive(key, t.Driver, version, false, t.Descriptor, version != t.DriverVersion, () => DriverUpgrade.Rederive(t, gpu, version, packs)) };
        }).ToImmutableArray();
        return inventory with { Devices = devices, CreatableTypes = types };
    }

    /// <summary>A descriptor that does not parse (no fields): interned as -1, never offered, never a source.</summary>
    private static readonly DescriptorFields Unknown = new([], [], [], DescriptorOrigin.Derived, "unknown after the change");
}
