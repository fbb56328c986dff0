namespace MigCompat.Fleet.Search;

/// <summary>
/// Assigns a VM's devices to a host's descriptor groups: a capacitated bipartite matching solved
/// as a small min-cost max-flow. Devices with the same descriptor form one class with a demand;
/// groups have a free capacity; an edge costs 0 when the class can go live to the group, 1 when
/// only cold, and is absent otherwise. Successive shortest paths (Bellman-Ford on the residual
/// graph, augmenting by the bottleneck) give the largest number of placed devices and, among
/// those, the fewest cold ones. Work is polynomial in classes × groups and independent of how many
/// identical devices a host or the VM has. One instance per query; not thread-safe.
/// </summary>
internal sealed class AssignmentSolver
{
    /// <summary>Marks a missing edge in the cost matrix.</summary>
    public const sbyte NoEdge = -1;

    private const int Infinity = int.MaxValue / 4;
    private int[] sent = [];
    private int[] used = [];
    private int[] distClass = [];
    private int[] distGroup = [];
    private int[] previousOfClass = [];
    private int[] previousOfGroup = [];

    /// <summary>
    /// Solves one host. <paramref name="cost"/>[k * groups + g] is 0, 1 or <see cref="NoEdge"/>;
    /// <paramref name="flow"/>[k * groups + g] receives how many devices of class k go to group g.
    /// Returns how many devices were placed; <paramref name="cold"/> receives how many of them cold.
    /// </summary>
    public int Solve(int classes, ReadOnlySpan<int> demand, int groups, ReadOnlySpan<int> free, ReadOnlySpan<sbyte> cost, Span<int> flow, out int cold)
    {
        flow[..(classes * groups)].Clear();
        if (classes == 1)
        {
            return SolveOneClass(demand[0], groups, free, cost, flow, out cold);
        }

        return Decomposes(classes, groups, cost) ? SolveEachClass(classes, demand, groups, free, cost, flow, out cold) : SolveByFlow(classes, demand, groups, free, cost, flow, out cold);
    }

    /// <summary>True when no group is usable by two classes (e.g. vGPUs and NIC VFs): each class can then be solved alone.</summary>
    private static bool Decomposes(int classes, int groups, ReadOnlySpan<sbyte> cost)
    {
        for (var g = 0; g < groups; g++)
        {
            var users = 0;
            for (var k = 0; k < classes; k++)
            {
                users += cost[(k * groups) + g] != NoEdge ? 1 : 0;
            }

            if (users > 1)
            {
                return false;
            }
        }

        return true;
    }

    private static int SolveEachClass(int classes, ReadOnlySpan<int> demand, int groups, ReadOnlySpan<int> free, ReadOnlySpan<sbyte> cost, Span<int> flow, out int cold)
    {
        var placed = 0;
        cold = 0;
        for (var k = 0; k < classes; k++)
        {
            placed += SolveOneClass(demand[k], groups, free, cost.Slice(k * groups, groups), flow.Slice(k * groups, groups), out var classCold);
            cold += classCold;
        }

        return placed;
    }

    /// <summary>Identical devices: fill live groups first, then cold ones (optimal for one class).</summary>
    private static int SolveOneClass(int demand, int groups, ReadOnlySpan<int> free, ReadOnlySpan<sbyte> cost, Span<int> flow, out int cold)
    {
        var left = demand;
        cold = 0;
        for (var pass = 0; pass <= 1 && left > 0; pass++)
        {
            for (var g = 0; g < groups && left > 0; g++)
            {
                if (cost[g] == pass && free[g] > 0)
                {
                    var take = Math.Min(left, free[g]);
                    flow[g] = take;
                    left -= take;
                    if (pass == 1)
                    {
                        cold += take;
                    }
                }
            }
        }

        return demand - left;
    }

    private int SolveByFlow(int classes, ReadOnlySpan<int> demand, int groups, ReadOnlySpan<int> free, ReadOnlySpan<sbyte> cost, Span<int> flow, out int cold)
    {
        Ensure(classes, groups);
        Array.Clear(sent, 0, classes);
        Array.Clear(used, 0, groups);
        var placed = 0;
        cold = 0;
        while (true)
        {
            var last = ShortestPath(classes, demand, groups, free, cost, flow);
            if (last < 0)
            {
                break;
            }

            // Walk back from the last group to find the bottleneck, then augment along the path.
            var amount = free[last] - used[last];
            var g = last;
            int k;
            while (true)
            {
                k = previousOfGroup[g];
                var back = previousOfClass[k];
                if (back < 0)
                {
                    amount = Math.Min(amount, demand[k] - sent[k]);
                    break;
                }

                amount = Math.Min(amount, flow[(k * groups) + back]);
                g = back;
            }

            g = last;
            used[last] += amount;
            while (true)
            {
                k = previousOfGroup[g];
                flow[(k * groups) + g] += amount;
                var back = previousOfClass[k];
                if (back < 0)
                {
                    sent[k] += amount;
                    break;
                }

                flow[(k * groups) + back] -= amount;
                g = back;
            }

            placed += amount;
        }

        for (var k = 0; k < classes; k++)
        {
            for (var g = 0; g < groups; g++)
            {
                if (cost[(k * groups) + g] == 1)
                {
                    cold += flow[(k * groups) + g];
                }
            }
        }

        return placed;
    }

    /// <summary>Bellman-Ford from the source over the residual graph; returns the group with a free unit at least distance, or -1.</summary>
    private int ShortestPath(int classes, ReadOnlySpan<int> demand, int groups, ReadOnlySpan<int> free, ReadOnlySpan<sbyte> cost, ReadOnlySpan<int> flow)
    {
        for (var k = 0; k < classes; k++)
        {
            distClass[k] = sent[k] < demand[k] ? 0 : Infinity;
            previousOfClass[k] = -1;
        }

        Array.Fill(distGroup, Infinity, 0, groups);
        var changed = true;
        for (var pass = 0; changed && pass <= classes + groups + 1; pass++)
        {
            changed = false;
            for (var k = 0; k < classes; k++)
            {
                if (distClass[k] >= Infinity)
                {
                    continue;
                }

                for (var g = 0; g < groups; g++)
                {
                    var c = cost[(k * groups) + g];
                    if (c != NoEdge && distClass[k] + c < distGroup[g])
                    {
                        distGroup[g] = distClass[k] + c;
                        previousOfGroup[g] = k;
                        changed = true;
                    }
                }
            }

            for (var k = 0; k < classes; k++)
            {
                for (var g = 0; g < groups; g++)
                {
                    var index = (k * groups) + g;
                    if (flow[index] > 0 && distGroup[g] < Infinity && distGroup[g] - cost[index] < distClass[k])
                    {
                        distClass[k] = distGroup[g] - cost[index];
                        previousOfClass[k] = g;
                        changed = true;
                    }
                }
            }
        }

        var best = -1;
        for (var g = 0; g < groups; g++)
        {
            if (used[g] < free[g] && distGroup[g] < Infinity && (best < 0 || distGroup[g] < distGroup[best]))
            {
                best = g;
            }
        }

        return best;
    }

    private void Ensure(int classes, int groups)
    {
        if (sent.Length < classes)
        {
            sent = new int[classes];
            distClass = new int[classes];
            previousOfClass = new int[classes];
        }

        if (used.Length < groups)
        {
            used = new int[groups];
            distGroup = new int[groups];
            previousOfGroup = new int[groups];
        }
    }
}
