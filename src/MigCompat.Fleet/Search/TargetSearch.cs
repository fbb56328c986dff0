using System.Collections.Immutable;
using System.Globalization;
using MigCompat.Core.Matching;
using MigCompat.Core.Model;

namespace MigCompat.Fleet.Search;

/// <summary>
/// One run of <see cref="FleetIndex.FindTargets"/>, under the index's read lock: resolve the VM's
/// devices, judge each distinct VM descriptor against each distinct fleet descriptor once, solve
/// the assignment only on the hosts that offer a descriptor compatible with the VM class found on
/// the fewest hosts (any accepted host is among them), count near misses from the inverted index
/// alone, keep the best, and explain the first rejected hosts by name.
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
    private int sourceSlot = -1;
    private DeviceClass? rarest;
    private int[] demand = [];
    private sbyte[] cost = [];
    private int[] flow = [];
    private readonly Dictionary<int, CompatibilityLevel> acceptedLevels = []; // slot → level of every host that can take the VM

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
        if (query.Vm is not null)
        {
            if (!query.Devices.IsDefaultOrEmpty)
            {
                errors.Add(new QueryError(QueryErrorCodes.InvalidDeviceRef, "the query names a VM and also lists devices; give one: the VM (its devices are looked up) or the devices"));
            }
            else if (string.IsNullOrWhiteSpace(query.Vm))
            {
                errors.Add(new QueryError(QueryErrorCodes.UnknownVm, "the VM's name is empty; give its name or UUID"));
            }
        }
        else if (query.Devices.IsDefaultOrEmpty || query.Devices.Length > MaxDevices)
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
        var acceptedCount = 0;
        var considered = view.UndrainedHosts - (source is { Drained: false } ? 1 : 0);

        // near: every considered host offering a descriptor at least cold-compatible with a VM device.
        var near = new ulong[(view.Slots.Count + 63) >> 6];
        var candidates = CandidateSlots(near);
        var nearCount = candidates.Count + MarkReachable(near);
        nearCount -= Clear(near, sourceSlot);
        foreach (var slot in view.DrainedSlots)
        {
            nearCount -= Clear(near, slot);
        }

        foreach (var slot in candidates)
        {
            var host = view.Slots[slot]!;
            if (host.Drained || slot == sourceSlot)
            {
                continue;
            }

            var placed = Solve(host, out var cold, out var spare, exact: false);
            if (placed == query.Devices.Length)
            {
                acceptedCount++;
                acceptedLevels[slot] = cold == 0 ? CompatibilityLevel.Live : CompatibilityLevel.Cold;
                Clear(near, slot);
                var score = ((long)(placed - cold) << 32) | (uint)Math.Min(spare, uint.MaxValue);
                KeepBest(accepted, query.Limit, slot, (score, host.Name));
            }
        }

        var rejectedCount = nearCount - acceptedCount;
        var explanation = query.ExplainHost is { } explain ? ExplainFully(explain, near) : null;
        return new TargetSearchResult(Candidates(accepted), Rejections(near, rejectedCount, considered - acceptedCount - rejectedCount), considered, [])
        {
            HostsAccepted = acceptedCount,
            HostsRejected = rejectedCount,
            HostsWithoutCompatibleResource = considered - acceptedCount - rejectedCount,
            HostsDrained = view.DrainedSlots.Count(slot => slot != sourceSlot),
            Explanation = explanation,
        };
    }

    private ImmutableArray<QueryError> ResolveDevices()
    {
        var errors = ImmutableArray.CreateBuilder<QueryError>();
        var byId = query.Devices.Any(d => d.DeviceId is not null);
        if (!string.IsNullOrEmpty(query.SourceHost) && view.SlotsByName.TryGetValue(query.SourceHost, out var slot))
        {
            source = view.Slots[slot];
            sourceSlot = slot;
        }
        else if (!string.IsNullOrEmpty(query.SourceHost) || byId)
        {
            var hint = string.IsNullOrEmpty(query.SourceHost) ? "no source host is given, but devices are referenced by id" : $"the source host '{query.SourceHost}' is not in the fleet index";
            errors.Add(new QueryError(QueryErrorCodes.UnknownSourceHost, $"{hint}; upload the host's inventory first, or give every device as an inline descriptor with an empty source host"));
            return errors.ToImmutable();
        }

        if (query.ExplainHost is { } explain && !view.SlotsByName.ContainsKey(explain))
        {
            errors.Add(new QueryError(QueryErrorCodes.UnknownExplainHost, $"the host to explain, '{explain}', is not in the fleet index; check the name (hosts are listed by GET /v1/hosts)"));
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

    /// <summary>
    /// The slots of the hosts that offer a descriptor the VM class found on the fewest hosts can go
    /// to (live, or cold when allowed), each once and marked in <paramref name="near"/>. A host
    /// without such a descriptor cannot place that class, so every accepted host is in the list.
    /// </summary>
    private List<int> CandidateSlots(ulong[] near)
    {
        var fewest = long.MaxValue;
        foreach (var deviceClass in classes)
        {
            long postings = 0;
            foreach (var id in deviceClass.Reachable)
            {
                postings += deviceClass.Costs[id] != AssignmentSolver.NoEdge ? view.HostsByDescriptor[id].Count : 0;
            }

            if (postings < fewest)
            {
                fewest = postings;
                rarest = deviceClass;
            }
        }

        var slots = new List<int>((int)Math.Min(fewest, view.Slots.Count));
        foreach (var id in rarest!.Reachable)
        {
            if (rarest.Costs[id] == AssignmentSolver.NoEdge)
            {
                continue;
            }

            foreach (var slot in view.HostsByDescriptor[id])
            {
                ref var word = ref near[slot >> 6];
                var bit = 1UL << (slot & 63);
                if ((word & bit) == 0)
                {
                    word |= bit;
                    slots.Add(slot);
                }
            }
        }

        return slots;
    }

    /// <summary>Marks in <paramref name="near"/> every host offering a descriptor at least cold-compatible with a VM device; returns how many were not marked yet.</summary>
    private int MarkReachable(ulong[] near)
    {
        var added = 0;
        foreach (var deviceClass in classes)
        {
            foreach (var id in deviceClass.Reachable)
            {
                if (ReferenceEquals(deviceClass, rarest) && deviceClass.Costs[id] != AssignmentSolver.NoEdge)
                {
                    continue; // marked by CandidateSlots
                }

                foreach (var slot in view.HostsByDescriptor[id])
                {
                    ref var word = ref near[slot >> 6];
                    var bit = 1UL << (slot & 63);
                    added += (word & bit) == 0 ? 1 : 0;
                    word |= bit;
                }
            }
        }

        return added;
    }

    /// <summary>Clears <paramref name="slot"/>'s bit; returns 1 when it was set.</summary>
    private static int Clear(ulong[] bits, int slot)
    {
        if (slot < 0)
        {
            return 0;
        }

        ref var word = ref bits[slot >> 6];
        var bit = 1UL << (slot & 63);
        var was = (word & bit) != 0 ? 1 : 0;
        word &= ~bit;
        return was;
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
                            verdict.Bindings)
                        {
                            Reasons = verdict.Level == CompatibilityLevel.Live ? [] : verdict.Reasons,
                            Evidence = verdict.Evidence,
                        };
                    }
                }
            }
        }

        return new TargetCandidate(host.Name, cold == 0 ? CompatibilityLevel.Live : CompatibilityLevel.Cold, score, [.. assignments]);
    }

    /// <summary>
    /// The first <see cref="TargetQuery.MaxRejected"/> hosts not chosen, explained: the close misses (bits
    /// left in <paramref name="rejected"/>), then drained hosts, then hosts with nothing compatible; each by name.
    /// </summary>
    private ImmutableArray<RejectedHost> Rejections(ulong[] rejected, int rejectedCount, int withoutCompatible)
    {
        var drained = view.DrainedSlots.Count(slot => slot != sourceSlot);
        var wanted = Math.Min(query.MaxRejected, rejectedCount + drained + withoutCompatible);
        if (wanted == 0)
        {
            return [];
        }

        var hosts = ImmutableArray.CreateBuilder<RejectedHost>(wanted);
        var order = view.NameOrder.Get(view.Slots);
        bool IsRejected(int slot) => (rejected[slot >> 6] & (1UL << (slot & 63))) != 0;
        Add(slot => IsRejected(slot), slot => Explain(view.Slots[slot]!));
        Add(slot => view.Slots[slot]!.Drained && slot != sourceSlot, slot => Refused(view.Slots[slot]!.Name, SearchReasonCodes.HostDrained));
        Add(slot => !IsRejected(slot) && !view.Slots[slot]!.Drained && slot != sourceSlot && !acceptedLevels.ContainsKey(slot), slot => Explain(view.Slots[slot]!));
        return hosts.DrainToImmutable();

        void Add(Func<int, bool> include, Func<int, RejectedHost> explain)
        {
            foreach (var slot in order)
            {
                if (hosts.Count == wanted)
                {
                    return;
                }

                if (view.Slots[slot] is not null && include(slot))
                {
                    hosts.Add(explain(slot));
                }
            }
        }
    }

    private RejectedHost Refused(string host, string code) => new(host, [new ReasonCount(code, query.Devices.Length)]);

    /// <summary>Everything about one host: the search's outcome there, and every device against every resource.</summary>
    private HostExplanation ExplainFully(string name, ulong[] near)
    {
        var slot = view.SlotsByName[name];
        var host = view.Slots[slot]!;
        var (outcome, reasons) = slot == sourceSlot ? (HostExplanation.Source, Refused(name, SearchReasonCodes.SourceHost).Reasons)
            : host.Drained ? (HostExplanation.Drained, Refused(name, SearchReasonCodes.HostDrained).Reasons)
            : acceptedLevels.TryGetValue(slot, out var level) ? (level == CompatibilityLevel.Live ? HostExplanation.Live : HostExplanation.Cold, ImmutableArray<ReasonCount>.Empty)
            : (HostExplanation.Rejected, Explain(host).Reasons);
        var devices = ImmutableArray.CreateBuilder<DeviceExplanation>(query.Devices.Length);
        for (var index = 0; index < query.Devices.Length; index++)
        {
            var deviceClass = classes.First(c => c.DeviceIndexes.Contains(index));
            var resources = ImmutableArray.CreateBuilder<ResourceVerdict>(host.Resources.Length);
            foreach (var resource in host.Resources)
            {
                resources.Add(new ResourceVerdict(
                    resource.Key,
                    resource.Kind == ResourceKind.Device ? resource.Id : null,
                    resource.Parent,
                    resource.TypeId,
                    resource.Free,
                    deviceClass.VerdictFor(resource.DescriptorId, view.Table[resource.DescriptorId])));
            }

            devices.Add(new DeviceExplanation(index, sourceDeviceIds[index], resources.MoveToImmutable()));
        }

        return new HostExplanation(name, outcome, reasons, devices.MoveToImmutable());
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
}
