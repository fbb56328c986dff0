using System.Collections.Immutable;
using System.Globalization;
using MigCompat.Core.Matching;
using MigCompat.Core.Model;

namespace MigCompat.Fleet.Search;

/// <summary>
/// One run of <see cref="FleetIndex.FindTargets"/>, under the index's read lock: resolve the VM's
/// devices, judge each distinct VM descriptor against each distinct fleet descriptor once, visit
/// only the hosts the inverted index names, solve each host's assignment, keep the best.
/// </summary>
internal sealed class TargetSearch
{
    /// <summary>The most devices a query may list.</summary>
    public const int MaxDevices = 64;

    /// <summary>The largest <see cref="TargetQuery.Limit"/> and <see cref="TargetQuery.MaxRejected"/>.</summary>
    public const int MaxResults = 1000;

    private readonly IndexView view;
    private readonly TargetQuery query;
    private readonly AssignmentSolver solver = new();
    private readonly List<DeviceClass> classes = [];
    private readonly string?[] sourceDeviceIds;
    private HostEntry? source;
    private int[] demand = [];
    private sbyte[] cost = [];
    private int[] flow = [];

    public TargetSearch(IndexView view, TargetQuery query)
    {
        this.view = view;
        this.query = query;
        sourceDeviceIds = new string?[query.Devices.Length];
    }

    /// <summary>Checks what can be checked without the index.</summary>
    public static ImmutableArray<QueryError> Validate(TargetQuery query)
    {
        var errors = ImmutableArray.CreateBuilder<QueryError>();
        if (query.Devices.IsDefaultOrEmpty || query.Devices.Length > MaxDevices)
        {
            errors.Add(new QueryError(QueryErrorCodes.InvalidDeviceCount, string.Create(CultureInfo.InvariantCulture, $"the query lists {(query.Devices.IsDefault ? 0 : query.Devices.Length)} devices; list between 1 and {MaxDevices}")));
        }

        if (query.Limit is < 1 or > MaxResults)
        {
            errors.Add(new QueryError(QueryErrorCodes.InvalidLimit, string.Create(CultureInfo.InvariantCulture, $"limit is {query.Limit}; it must be between 1 and {MaxResults}")));
        }

        if (query.MaxRejected is < 0 or > MaxResults)
        {
            errors.Add(new QueryError(QueryErrorCodes.InvalidLimit, string.Create(CultureInfo.InvariantCulture, $"maxRejected is {query.MaxRejected}; it must be between 0 and {MaxResults}")));
        }

        for (var i = 0; !query.Devices.IsDefault && i < query.Devices.Length; i++)
        {
            var device = query.Devices[i];
            if (device is null || (device.DeviceId is null) == (device.Descriptor is null))
            {
                errors.Add(new QueryError(QueryErrorCodes.InvalidDeviceRef, string.Create(CultureInfo.InvariantCulture, $"device {i}: give either a device id on the source host or an inline descriptor, not {(device?.DeviceId is null ? "neither" : "both")}")));
            }
        }

        return errors.ToImmutable();
    }

    public TargetSearchResult Run()
    {
        var errors = ResolveDevices();
        if (!errors.IsDefaultOrEmpty)
        {
            return TargetSearchResult.Failed(errors);
        }

        JudgeDescriptors();
        var accepted = new PriorityQueue<int, (long Score, string Name)>(WorseFirst.Instance);
        var rejected = new PriorityQueue<int, string>(LaterNameFirst.Instance);
        var acceptedCount = 0;
        var rejectedCount = 0;
        var considered = view.UndrainedHosts - (source is { Drained: false } ? 1 : 0);
        foreach (var slot in HostsToVisit())
        {
            var host = view.Slots[slot]!;
            if (host.Drained || ReferenceEquals(host, source))
            {
                continue;
            }

            var placed = Solve(host, out var cold, out var spare, exact: false);
            if (placed == query.Devices.Length)
            {
                acceptedCount++;
                var score = ((long)(placed - cold) << 32) | (uint)Math.Min(spare, uint.MaxValue);
                KeepBest(accepted, query.Limit, slot, (score, host.Name));
            }
            else
            {
                rejectedCount++;
                KeepFirstNames(rejected, query.MaxRejected, slot, host.Name);
            }
        }

        return new TargetSearchResult(Candidates(accepted), Rejections(rejected), considered, [])
        {
            HostsAccepted = acceptedCount,
            HostsRejected = rejectedCount,
            HostsWithoutCompatibleResource = considered - acceptedCount - rejectedCount,
        };
    }

    private ImmutableArray<QueryError> ResolveDevices()
    {
        var errors = ImmutableArray.CreateBuilder<QueryError>();
        var byId = query.Devices.Any(d => d.DeviceId is not null);
        if (!string.IsNullOrEmpty(query.SourceHost) && view.SlotsByName.TryGetValue(query.SourceHost, out var slot))
        {
            source = view.Slots[slot];
        }
        else if (!string.IsNullOrEmpty(query.SourceHost) || byId)
        {
            var hint = string.IsNullOrEmpty(query.SourceHost) ? "no source host is given, but devices are referenced by id" : $"the source host '{query.SourceHost}' is not in the fleet index";
            errors.Add(new QueryError(QueryErrorCodes.UnknownSourceHost, $"{hint}; upload the host's inventory first, or give every device as an inline descriptor with an empty source host"));
            return errors.ToImmutable();
        }

        var classByDescriptor = new Dictionary<Descriptor, DeviceClass>();
        for (var i = 0; i < query.Devices.Length; i++)
        {
            var device = query.Devices[i];
            Descriptor descriptor;
            if (device.DeviceId is { } id)
            {
                sourceDeviceIds[i] = id;
                if (!source!.TryFindDevice(id, out var descriptorId))
                {
                    errors.Add(new QueryError(QueryErrorCodes.UnknownDevice, string.Create(CultureInfo.InvariantCulture, $"device {i}: host {source.Name} has no device '{id}' in its inventory; check the id (mdev UUID or PCI address) or rescan the host")));
                    continue;
                }

                if (descriptorId < 0)
                {
                    errors.Add(new QueryError(QueryErrorCodes.InvalidDescriptor, string.Create(CultureInfo.InvariantCulture, $"device {i}: the descriptor of device '{id}' on host {source.Name} does not parse (see the inventory upload's diagnostics); fix it or pass an inline descriptor")));
                    continue;
                }

                descriptor = view.Table[descriptorId].Descriptor;
            }
            else
            {
                descriptor = device.Descriptor!;
            }

            if (!classByDescriptor.TryGetValue(descriptor, out var deviceClass))
            {
                deviceClass = new DeviceClass(descriptor, view.Table.Count);
                classByDescriptor[descriptor] = deviceClass;
                classes.Add(deviceClass);
            }

            deviceClass.DeviceIndexes.Add(i);
        }

        return errors.ToImmutable();
    }

    /// <summary>
    /// Judges each VM descriptor against every fleet descriptor that some host offers and that has
    /// the same device API (any other API refuses at level none). A target without COMPATIBLE
    /// blocks and with another mdev type refuses too, without running the matcher.
    /// </summary>
    private void JudgeDescriptors()
    {
        foreach (var deviceClass in classes)
        {
            var sourceType = deviceClass.Descriptor.SelfText(Descriptor.MdevTypeField);
            foreach (var id in view.Table.WithDeviceApi(deviceClass.Descriptor.SelfText(Descriptor.DeviceApiField)))
            {
                if (id >= view.HostsByDescriptor.Count || view.HostsByDescriptor[id].Count == 0)
                {
                    continue;
                }

                var target = view.Table[id];
                if (target.Descriptor.Compatible.IsDefaultOrEmpty && !string.Equals(sourceType, target.MdevType, StringComparison.Ordinal))
                {
                    continue;
                }

                var level = deviceClass.VerdictFor(id, target).Level;
                if (level != CompatibilityLevel.None)
                {
                    deviceClass.Reachable.Add(id);
                }

                if (level == CompatibilityLevel.Live || (level == CompatibilityLevel.Cold && query.IncludeCold))
                {
                    deviceClass.Costs[id] = level == CompatibilityLevel.Live ? (sbyte)0 : (sbyte)1;
                }
            }
        }

        demand = [.. classes.Select(c => c.DeviceIndexes.Count)];
    }

    /// <summary>The slots of hosts that offer a descriptor at least cold-compatible with one VM device, each once.</summary>
    private List<int> HostsToVisit()
    {
        var seen = new ulong[(view.Slots.Count + 63) / 64];
        var visit = new List<int>();
        foreach (var deviceClass in classes)
        {
            foreach (var id in deviceClass.Reachable)
            {
                foreach (var slot in view.HostsByDescriptor[id])
                {
                    ref var word = ref seen[slot >> 6];
                    var bit = 1UL << (slot & 63);
                    if ((word & bit) == 0)
                    {
                        word |= bit;
                        visit.Add(slot);
                    }
                }
            }
        }

        return visit;
    }

    /// <summary>
    /// Fills the cost matrix for <paramref name="host"/> and solves it; the flow is left in <see cref="flow"/>.
    /// Unless <paramref name="exact"/>, a host where some class lacks enough compatible free
    /// instances is refused at once (returning -1) without running the matching.
    /// </summary>
    private int Solve(HostEntry host, out int cold, out int spare, bool exact = true)
    {
        var groups = host.GroupDescriptors.Length;
        var size = classes.Count * groups;
        if (cost.Length < size)
        {
            cost = new sbyte[Math.Max(size, cost.Length * 2)];
            flow = new int[cost.Length];
        }

        var compatibleFree = 0;
        for (var g = 0; g < groups; g++)
        {
            var descriptor = host.GroupDescriptors[g];
            var any = false;
            for (var k = 0; k < classes.Count; k++)
            {
                var c = descriptor < classes[k].Costs.Length ? classes[k].Costs[descriptor] : AssignmentSolver.NoEdge;
                cost[(k * groups) + g] = c;
                any |= c != AssignmentSolver.NoEdge;
            }

            compatibleFree += any ? host.GroupFree[g] : 0;
        }

        if (!exact && !EachClassHasRoom(host, groups))
        {
            cold = 0;
            spare = 0;
            return -1;
        }

        var placed = solver.Solve(classes.Count, demand, groups, host.GroupFree, cost.AsSpan(0, size), flow.AsSpan(0, size), out cold);
        spare = compatibleFree - placed;
        return placed;
    }

    private bool EachClassHasRoom(HostEntry host, int groups)
    {
        for (var k = 0; k < classes.Count; k++)
        {
            var room = 0;
            for (var g = 0; g < groups && room < demand[k]; g++)
            {
                room += cost[(k * groups) + g] != AssignmentSolver.NoEdge ? host.GroupFree[g] : 0;
            }

            if (room < demand[k])
            {
                return false;
            }
        }

        return true;
    }

    private ImmutableArray<TargetCandidate> Candidates(PriorityQueue<int, (long Score, string Name)> accepted)
    {
        var ranked = new List<(int Slot, long Score, string Name)>();
        while (accepted.TryDequeue(out var slot, out var priority))
        {
            ranked.Add((slot, priority.Score, priority.Name));
        }

        ranked.Reverse();
        return [.. ranked.Select(r => Describe(view.Slots[r.Slot]!, r.Score))];
    }

    /// <summary>Re-solves a chosen host and spreads each class's flow over the group's resources.</summary>
    private TargetCandidate Describe(HostEntry host, long score)
    {
        Solve(host, out var cold, out _);
        var groups = host.GroupDescriptors.Length;
        var remaining = host.Resources.Select(r => r.Free).ToArray();
        var assignments = new DeviceAssignment[query.Devices.Length];
        for (var k = 0; k < classes.Count; k++)
        {
            var deviceClass = classes[k];
            var next = 0;
            for (var g = 0; g < groups; g++)
            {
                var count = flow[(k * groups) + g];
                var descriptor = host.GroupDescriptors[g];
                var verdict = deviceClass.Verdicts[descriptor]!;
                for (var r = host.GroupStarts[g]; count > 0 && r < host.GroupStarts[g + 1]; r++)
                {
                    while (count > 0 && remaining[r] > 0)
                    {
                        remaining[r]--;
                        count--;
                        var index = deviceClass.DeviceIndexes[next++];
                        var resource = host.Resources[r];
                        assignments[index] = new DeviceAssignment(
                            index,
                            sourceDeviceIds[index],
                            resource.Key,
                            resource.Kind == ResourceKind.Device ? resource.Id : null,
                            resource.Parent,
                            resource.TypeId,
                            verdict.Level,
                            verdict.DynamicResources,
                            verdict.Bindings);
                    }
                }
            }
        }

        return new TargetCandidate(host.Name, cold == 0 ? CompatibilityLevel.Live : CompatibilityLevel.Cold, score, [.. assignments]);
    }

    private ImmutableArray<RejectedHost> Rejections(PriorityQueue<int, string> rejected)
    {
        var hosts = new List<HostEntry>();
        while (rejected.TryDequeue(out var slot, out _))
        {
            hosts.Add(view.Slots[slot]!);
        }

        hosts.Reverse();
        return [.. hosts.Select(Explain)];
    }

    /// <summary>Why a host cannot take the VM: per device, the closest refusal of the host's resources, or missing capacity.</summary>
    private RejectedHost Explain(HostEntry host)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        if (host.Resources.Length == 0)
        {
            counts[SearchReasonCodes.NoResources] = query.Devices.Length;
            return new RejectedHost(host.Name, Summarize(counts));
        }

        var placed = Solve(host, out _, out _);
        var withoutCompatible = 0;
        foreach (var deviceClass in classes)
        {
            if (host.GroupDescriptors.Any(d => deviceClass.Costs[d] != AssignmentSolver.NoEdge))
            {
                continue;
            }

            withoutCompatible += deviceClass.DeviceIndexes.Count;
            Verdict? closest = null;
            foreach (var descriptor in host.GroupDescriptors)
            {
                var verdict = deviceClass.VerdictFor(descriptor, view.Table[descriptor]);
                if (closest is null || verdict.Level > closest.Level || (verdict.Level == closest.Level && verdict.Reasons.Length < closest.Reasons.Length))
                {
                    closest = verdict;
                }
            }

            foreach (var code in closest!.Reasons.Select(r => r.Code).Distinct(StringComparer.Ordinal))
            {
                counts[code] = counts.GetValueOrDefault(code) + deviceClass.DeviceIndexes.Count;
            }
        }

        var shortfall = query.Devices.Length - placed - withoutCompatible;
        if (shortfall > 0)
        {
            counts[SearchReasonCodes.InsufficientCapacity] = shortfall;
        }

        return new RejectedHost(host.Name, Summarize(counts));
    }

    private static ImmutableArray<ReasonCount> Summarize(Dictionary<string, int> counts) =>
        [.. counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => new ReasonCount(p.Key, p.Value))];

    private static void KeepBest(PriorityQueue<int, (long Score, string Name)> best, int limit, int slot, (long Score, string Name) priority)
    {
        if (best.Count < limit)
        {
            best.Enqueue(slot, priority);
        }
        else if (best.TryPeek(out _, out var worst) && WorseFirst.Instance.Compare(priority, worst) > 0)
        {
            best.EnqueueDequeue(slot, priority);
        }
    }

    private static void KeepFirstNames(PriorityQueue<int, string> first, int limit, int slot, string name)
    {
        if (first.Count < limit)
        {
            first.Enqueue(slot, name);
        }
        else if (limit > 0 && first.TryPeek(out _, out var last) && string.CompareOrdinal(name, last) < 0)
        {
            first.EnqueueDequeue(slot, name);
        }
    }

    /// <summary>Orders candidates worst first: lower score, then the later host name.</summary>
    private sealed class WorseFirst : IComparer<(long Score, string Name)>
    {
        public static readonly WorseFirst Instance = new();

        public int Compare((long Score, string Name) x, (long Score, string Name) y)
        {
            var byScore = x.Score.CompareTo(y.Score);
            return byScore != 0 ? byScore : string.CompareOrdinal(y.Name, x.Name);
        }
    }

    /// <summary>Orders host names latest first, so the queue's head is the one to drop.</summary>
    private sealed class LaterNameFirst : IComparer<string>
    {
        public static readonly LaterNameFirst Instance = new();

        public int Compare(string? x, string? y) => string.CompareOrdinal(y, x);
    }
}
