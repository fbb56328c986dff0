namespace MigCompat.Fleet.Search;

/// <summary>
/// The index's host slots in ordinal host-name order, so a search can list the first rejected
/// hosts by name without reading every near miss's entry. Only the set of names matters: replacing,
/// draining or claiming on a host keeps its slot and leaves the order alone. Writers (under the
/// index's write lock) only record new slots; the first search after a change brings the order up
/// to date under a private lock (readers may run concurrently under the read lock): the previous
/// order, minus slots whose host has gone, merged with the sorted new slots — O(hosts) plus a sort of
/// the new ones; the first search after a bulk load sorts every name once.
/// </summary>
internal sealed class HostNameOrder
{
    private readonly Lock gate = new();
    private readonly List<int> added = [];
    private int version;
    private bool rebuild = true;
    private volatile Snapshot? current;

    /// <summary>Records that a host with a name not indexed before now lives in <paramref name="slot"/>. Caller holds the write lock.</summary>
    public void Added(int slot, int slotCount)
    {
        version++;
        if (rebuild)
        {
            return;
        }

        if (added.Count >= slotCount)
        {
            // Cheaper to sort everything once than to merge a delta as large as the fleet.
            added.Clear();
            rebuild = true;
            return;
        }

        added.Add(slot);
    }

    /// <summary>Records that a host left the index. Caller holds the write lock.</summary>
    public void Removed() => version++;

    /// <summary>The occupied slots in ordinal name order. Caller holds the read (or write) lock.</summary>
    public int[] Get(List<HostEntry?> slots)
    {
        var snapshot = current;
        if (snapshot is not null && snapshot.Version == version)
        {
            return snapshot.Slots;
        }

        lock (gate)
        {
            snapshot = current;
            if (snapshot is not null && snapshot.Version == version)
            {
                return snapshot.Slots;
            }

            var fresh = rebuild || snapshot is null ? Sorted(slots) : Merge(snapshot, slots);
            added.Clear();
            rebuild = false;
            current = fresh;
            return fresh.Slots;
        }
    }

    private Snapshot Sorted(List<HostEntry?> slots)
    {
        var names = new List<string>(slots.Count);
        var order = new List<int>(slots.Count);
        for (var slot = 0; slot < slots.Count; slot++)
        {
            if (slots[slot] is { } host)
            {
                names.Add(host.Name);
                order.Add(slot);
            }
        }

        var nameArray = names.ToArray();
        var slotArray = order.ToArray();
        Array.Sort(nameArray, slotArray, StringComparer.Ordinal);
        return new Snapshot(version, slotArray, nameArray);
    }

    private Snapshot Merge(Snapshot previous, List<HostEntry?> slots)
    {
        var covered = new bool[slots.Count];
        var keptNames = new List<string>(previous.Slots.Length);
        var keptSlots = new List<int>(previous.Slots.Length);
        for (var i = 0; i < previous.Slots.Length; i++)
        {
            var slot = previous.Slots[i];
            if (slot < slots.Count && slots[slot] is { } host && string.Equals(host.Name, previous.Names[i], StringComparison.Ordinal))
            {
                covered[slot] = true;
                keptNames.Add(host.Name);
                keptSlots.Add(slot);
            }
        }

        var newNames = new List<string>();
        var newSlots = new List<int>();
        foreach (var slot in added)
        {
            if (slot < slots.Count && !covered[slot] && slots[slot] is { } host)
            {
                covered[slot] = true;
                newNames.Add(host.Name);
                newSlots.Add(slot);
            }
        }

        var sortedNames = newNames.ToArray();
        var sortedSlots = newSlots.ToArray();
        Array.Sort(sortedNames, sortedSlots, StringComparer.Ordinal);
        var names = new string[keptNames.Count + sortedNames.Length];
        var order = new int[names.Length];
        int a = 0, b = 0;
        for (var i = 0; i < names.Length; i++)
        {
            var takeKept = b == sortedNames.Length || (a < keptNames.Count && string.CompareOrdinal(keptNames[a], sortedNames[b]) < 0);
            if (takeKept)
            {
                names[i] = keptNames[a];
                order[i] = keptSlots[a++];
            }
            else
            {
                names[i] = sortedNames[b];
                order[i] = sortedSlots[b++];
            }
        }

        return new Snapshot(version, order, names);
    }

    private sealed record Snapshot(int Version, int[] Slots, string[] Names);
}
