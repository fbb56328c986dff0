using System.Collections.Immutable;
using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Publishing;

namespace MigCompat.Fleet.Search;

/// <summary>
/// The fleet's in-memory search index: every host's capacity resources grouped by distinct
/// descriptor, each distinct descriptor parsed and compiled once, and an inverted index from
/// descriptor to the hosts that offer it. Thread-safe: any number of concurrent
/// <see cref="FindTargets"/> calls; writers are serialized and exclude readers for the short time
/// they change the index. Design and ranking: docs/fleet-search.md.
/// </summary>
public sealed class FleetIndex : IDisposable
{
    private readonly ReaderWriterLockSlim gate = new(LockRecursionPolicy.NoRecursion);
    private readonly DescriptorTable table = new();
    private readonly Dictionary<string, int> slotsByName = new(StringComparer.Ordinal);
    private readonly List<HostEntry?> slots = [];
    private readonly Stack<int> freeSlots = new();
    private readonly List<HashSet<int>> hostsByDescriptor = [];
    private readonly Dictionary<string, IReadOnlyDictionary<string, int>> claimsByHost = new(StringComparer.Ordinal);
    private readonly HashSet<int> drainedSlots = [];
    private readonly HostNameOrder nameOrder = new();
    private readonly VmDirectory vms = new();
    private int hostCount;

    /// <summary>How many hosts are indexed (drained ones included).</summary>
    public int HostCount => Volatile.Read(ref hostCount);

    /// <summary>How many distinct descriptors the index has compiled (it never forgets one).</summary>
    public int DistinctDescriptorCount
    {
        get
        {
            gate.EnterReadLock();
            try
            {
                return table.Count;
            }
            finally
            {
                gate.ExitReadLock();
            }
        }
    }

    /// <summary>
    /// Adds or replaces a host from its inventory. Devices not in use become resources of capacity 1,
    /// creatable types resources of their available instances; claims set earlier with
    /// <see cref="SetClaimed"/> still apply. Entries whose descriptor does not parse are left out and
    /// reported; the rest of the host is indexed.
    /// </summary>
    /// <param name="inventory">The host's inventory.</param>
    /// <param name="drained">True when the host takes no new VMs.</param>
    public IndexUpdateResult Upsert(HostInventory inventory, bool drained = false) => Build(inventory, drained, install: true);

    /// <summary>
    /// What <see cref="Upsert"/> would report for <paramref name="inventory"/>, without changing which
    /// hosts are indexed. Its descriptors are parsed and compiled into the shared descriptor table, so a
    /// following <see cref="Upsert"/> of the same inventory does not parse them again.
    /// </summary>
    /// <param name="inventory">The inventory to check.</param>
    public IndexUpdateResult Check(HostInventory inventory) => Build(inventory, drained: false, install: false);

    private IndexUpdateResult Build(HostInventory inventory, bool drained, bool install)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        if (string.IsNullOrWhiteSpace(inventory.Host))
        {
            return new IndexUpdateResult(false, [Diagnostic.Error(IndexDiagnosticCodes.MissingHostName, "the inventory has no host name; set 'host' and send it again", null, 0, 0)]);
        }

        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        gate.EnterWriteLock();
        try
        {
            claimsByHost.TryGetValue(inventory.Host, out var claims);
            var entry = HostEntryBuilder.Build(inventory, drained, claims, table, diagnostics);
            if (install)
            {
                var replaced = RemoveLocked(inventory.Host, replacing: true);
                AddLocked(entry, isNewName: !replaced);
                vms.Set(inventory.Host, inventory.Guests);
            }
        }
        finally
        {
            gate.ExitWriteLock();
        }

        return new IndexUpdateResult(true, diagnostics.ToImmutable());
    }

    /// <summary>Removes a host and its claim counts; false when it was not indexed.</summary>
    /// <param name="host">The host name.</param>
    public bool Remove(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        gate.EnterWriteLock();
        try
        {
            claimsByHost.Remove(host);
            vms.Remove(host);
            return RemoveLocked(host);
        }
        finally
        {
            gate.ExitWriteLock();
        }
    }

    /// <summary>Marks a host drained (never a target) or not; does nothing for a host not indexed.</summary>
    /// <param name="host">The host name.</param>
    /// <param name="drained">True to drain.</param>
    public void SetDrained(string host, bool drained)
    {
        ArgumentNullException.ThrowIfNull(host);
        gate.EnterWriteLock();
        try
        {
            if (slotsByName.TryGetValue(host, out var slot))
            {
                slots[slot] = slots[slot]!.WithDrained(drained);
                SetDrainedSlot(slot, drained);
            }
        }
        finally
        {
            gate.ExitWriteLock();
        }
    }

    /// <summary>
    /// Replaces the host's active claim counts by resource key (<c>device:ID</c>,
    /// <c>type:PARENT/TYPEID</c>): a resource's capacity for the search is its free instances minus
    /// its claims. Kept for a host not indexed yet and applied when it arrives.
    /// </summary>
    /// <param name="host">The host name.</param>
    /// <param name="activeClaimsByResourceKey">Active claims per resource key; keys the host does not offer are ignored.</param>
    public void SetClaimed(string host, IReadOnlyDictionary<string, int> activeClaimsByResourceKey)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(activeClaimsByResourceKey);
        var copy = new Dictionary<string, int>(activeClaimsByResourceKey, StringComparer.Ordinal);
        gate.EnterWriteLock();
        try
        {
            if (copy.Count == 0)
            {
                claimsByHost.Remove(host);
            }
            else
            {
                claimsByHost[host] = copy;
            }

            if (slotsByName.TryGetValue(host, out var slot))
            {
                slots[slot] = slots[slot]!.WithClaims(copy);
            }
        }
        finally
        {
            gate.ExitWriteLock();
        }
    }

    /// <summary>
    /// Finds the hosts that can take every device of the VM, ranked (live before cold, then fewer
    /// cold devices, then more spare compatible capacity, then host name), never the source host or
    /// a drained host. A VM given by name or UUID (<see cref="TargetQuery.Vm"/>) is looked up in the
    /// same read of the index: its devices are the query's, its host the source host.
    /// Bad queries come back with <see cref="TargetSearchResult.Errors"/>, never an exception.
    /// </summary>
    /// <param name="query">The source host and the VM's devices, or the VM.</param>
    public TargetSearchResult FindTargets(TargetQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (TargetSearch.Validate(query) is { IsDefaultOrEmpty: false } errors)
        {
            return TargetSearchResult.Failed(errors);
        }

        gate.EnterReadLock();
        try
        {
            VmLocation? vm = null;
            if (query.Vm is { } name)
            {
                var lookup = vms.Find(name, string.IsNullOrEmpty(query.SourceHost) ? null : query.SourceHost);
                if (lookup.Found is not { } found)
                {
                    return TargetSearchResult.Failed([new QueryError(lookup.IsAmbiguous ? QueryErrorCodes.AmbiguousVm : QueryErrorCodes.UnknownVm, lookup.Problem!)]);
                }

                if (found.Guest.DeviceIds.IsDefaultOrEmpty)
                {
                    return TargetSearchResult.Failed([new QueryError(QueryErrorCodes.InvalidDeviceCount, $"VM '{found.Guest.Name}' on host {found.Host} uses no device its inventory lists, so there is nothing to place")]);
                }

                vm = found;
                query = query with { Vm = null, SourceHost = found.Host, Devices = [.. found.Guest.DeviceIds.Select(id => new VmDeviceRef(id, null))] };
                if (TargetSearch.Validate(query) is { IsDefaultOrEmpty: false } vmErrors)
                {
                    return TargetSearchResult.Failed(vmErrors);
                }
            }

            var view = new IndexView(table, slotsByName, slots, hostsByDescriptor, slotsByName.Count - drainedSlots.Count, drainedSlots, nameOrder);
            var result = new TargetSearch(view, query).Run();
            return vm is null ? result : result with { Vm = vm };
        }
        finally
        {
            gate.ExitReadLock();
        }
    }

    /// <summary>
    /// Finds a VM by name or UUID (any case) in the indexed hosts' <see cref="HostInventory.Guests"/>:
    /// by UUID when the text is one that some host knows, else by name; only on <paramref name="host"/>
    /// when it is given. Several matches mean the name is ambiguous.
    /// </summary>
    /// <param name="nameOrUuid">The VM's name or UUID.</param>
    /// <param name="host">The only host to look at, or null for every host.</param>
    public VmLookup FindVm(string nameOrUuid, string? host = null)
    {
        ArgumentNullException.ThrowIfNull(nameOrUuid);
        gate.EnterReadLock();
        try
        {
            return vms.Find(nameOrUuid, host);
        }
        finally
        {
            gate.ExitReadLock();
        }
    }

    /// <summary>Every VM the indexed hosts list, by host name then VM name; only those of <paramref name="host"/> when it is given.</summary>
    /// <param name="host">The only host to list, or null for every host.</param>
    public ImmutableArray<VmLocation> ListVms(string? host = null)
    {
        gate.EnterReadLock();
        try
        {
            return vms.List(host);
        }
        finally
        {
            gate.ExitReadLock();
        }
    }

    /// <summary>
    /// The fleet's source classes (the distinct descriptors of existing devices) and, per host and resource,
    /// the classes the matcher judges live onto it. Drained hosts and resources without free capacity are
    /// included: who may place a VM where is the scheduler's business, this says only what is compatible.
    /// </summary>
    public SourceClassReport SourceClasses()
    {
        gate.EnterReadLock();
        try
        {
            return SourceClassBuilder.Build(table, slots.Where(s => s is not null)!);
        }
        finally
        {
            gate.ExitReadLock();
        }
    }

    /// <inheritdoc />
    public void Dispose() => gate.Dispose();

    private void AddLocked(HostEntry entry, bool isNewName)
    {
        var slot = freeSlots.Count > 0 ? freeSlots.Pop() : slots.Count;
        if (slot == slots.Count)
        {
            slots.Add(entry);
        }
        else
        {
            slots[slot] = entry;
        }

        slotsByName[entry.Name] = slot;
        while (hostsByDescriptor.Count < table.Count)
        {
            hostsByDescriptor.Add([]);
        }

        foreach (var descriptor in entry.GroupDescriptors)
        {
            hostsByDescriptor[descriptor].Add(slot);
        }

        SetDrainedSlot(slot, entry.Drained);
        if (isNewName)
        {
            nameOrder.Added(slot, slots.Count);
        }

        Volatile.Write(ref hostCount, slotsByName.Count);
    }

    /// <summary>Removes a host's entry; when <paramref name="replacing"/>, the caller adds it back at once (its slot is reused, so the name order stays valid).</summary>
    private bool RemoveLocked(string host, bool replacing = false)
    {
        if (!slotsByName.Remove(host, out var slot))
        {
            return false;
        }

        var entry = slots[slot]!;
        foreach (var descriptor in entry.GroupDescriptors)
        {
            hostsByDescriptor[descriptor].Remove(slot);
        }

        drainedSlots.Remove(slot);
        slots[slot] = null;
        freeSlots.Push(slot);
        if (!replacing)
        {
            nameOrder.Removed();
        }

        Volatile.Write(ref hostCount, slotsByName.Count);
        return true;
    }

    private void SetDrainedSlot(int slot, bool drained)
    {
        if (drained)
        {
            drainedSlots.Add(slot);
        }
        else
        {
            drainedSlots.Remove(slot);
        }
    }
}

/// <summary>What a search reads of the index, under the index's read lock.</summary>
/// <param name="Table">The distinct descriptors.</param>
/// <param name="SlotsByName">Host name to slot.</param>
/// <param name="Slots">Host entries by slot (null for a free slot).</param>
/// <param name="HostsByDescriptor">The inverted index: descriptor id to the slots of the hosts offering it.</param>
/// <param name="UndrainedHosts">How many indexed hosts are not drained.</param>
/// <param name="DrainedSlots">The slots of drained hosts.</param>
/// <param name="NameOrder">Every occupied slot in ordinal host-name order (brought up to date on first use after a change).</param>
internal sealed record IndexView(
    DescriptorTable Table,
    Dictionary<string, int> SlotsByName,
    List<HostEntry?> Slots,
    List<HashSet<int>> HostsByDescriptor,
    int UndrainedHosts,
    HashSet<int> DrainedSlots,
    HostNameOrder NameOrder);
