using MigCompat.Core.Matching;
using MigCompat.Core.Model;

namespace MigCompat.Fleet.Search;

/// <summary>
/// The VM's devices that share one descriptor, with what each of the fleet's distinct descriptors
/// makes of it: computed once per query, then looked up per host.
/// </summary>
internal sealed class DeviceClass
{
    public DeviceClass(Descriptor descriptor, int descriptorCount)
    {
        Descriptor = descriptor;
        Costs = new sbyte[descriptorCount];
        Array.Fill(Costs, AssignmentSolver.NoEdge);
        Verdicts = new Verdict?[descriptorCount];
    }

    /// <summary>The source descriptor.</summary>
    public Descriptor Descriptor { get; }

    /// <summary>The query positions of the devices in this class.</summary>
    public List<int> DeviceIndexes { get; } = [];

    /// <summary>Per descriptor id: 0 (live), 1 (cold, when cold is allowed) or <see cref="AssignmentSolver.NoEdge"/>.</summary>
    public sbyte[] Costs { get; }

    /// <summary>Per descriptor id: the verdict, when it was computed.</summary>
    public Verdict?[] Verdicts { get; }

    /// <summary>The descriptor ids this class can go to live or cold (cold ones too when the query excludes cold: their hosts are near misses worth explaining).</summary>
    public List<int> Reachable { get; } = [];

    /// <summary>The verdict against descriptor <paramref name="id"/>, computing it when needed.</summary>
    public Verdict VerdictFor(int id, CompiledTarget target) => Verdicts[id] ??= Matcher.Check(Descriptor, target);
}
