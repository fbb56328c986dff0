using System.Collections.Immutable;
using MigCompat.Core.Model;
using MigCompat.Fleet.Publishing;

namespace MigCompat.Placement;

/// <summary>
/// What MigCompat's traits on each pGPU provider should be: per host and PCI mdev parent (one pGPU), the traits
/// of every source class some resource on that parent (a creatable type, a free mdev) accepts live. A pGPU
/// that accepts nothing live is planned too, with no traits, so stale ones are removed.
/// </summary>
/// <param name="Providers">The planned providers, ordered by provider name.</param>
public sealed record PlacementPlan(ImmutableArray<PlannedProvider> Providers)
{
    /// <summary>The plan for <paramref name="report"/>. Resources without a PCI parent (vfio-ccw, vfio-ap) and devices without an mdev type (VFs) have no pGPU provider in Nova and are left out.</summary>
    /// <param name="report">Which resources accept which classes live.</param>
    public static PlacementPlan From(SourceClassReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var providers = new SortedDictionary<string, (string Host, string Parent, SortedSet<string> Traits)>(StringComparer.Ordinal);
        foreach (var host in report.Hosts)
        {
            foreach (var resource in host.Resources.Where(r => r.TypeId is not null))
            {
                if (PlacementNames.GpuProvider(host.Host, resource.Parent) is not { } name)
                {
                    continue;
                }

                if (!providers.TryGetValue(name, out var planned))
                {
                    planned = (host.Host, resource.Parent!, new SortedSet<string>(StringComparer.Ordinal));
                    providers[name] = planned;
                }

                planned.Traits.UnionWith(resource.Live.Select(l => PlacementNames.Trait(l.ClassId)));
            }
        }

        return new PlacementPlan([.. providers.Select(p => new PlannedProvider(p.Value.Host, p.Value.Parent, p.Key, [.. p.Value.Traits]))]);
    }

    /// <summary>Equal when the providers are equal, in order.</summary>
    public bool Equals(PlacementPlan? other) => other is not null && ArrayEquality.Equal(Providers, other.Providers);

    /// <inheritdoc />
    public override int GetHashCode() => ArrayEquality.Hash(Providers);
}

/// <summary>One pGPU provider and the MigCompat traits it should have.</summary>
/// <param name="Host">The MigCompat host (Nova's hypervisor hostname, the compute node provider's name).</param>
/// <param name="Parent">The pGPU's PCI address.</param>
/// <param name="Provider">Nova's provider name for the pGPU.</param>
/// <param name="Traits">The traits, sorted.</param>
public sealed record PlannedProvider(string Host, string Parent, string Provider, ImmutableArray<string> Traits)
{
    /// <summary>Equal when every member is equal, the traits by value.</summary>
    public bool Equals(PlannedProvider? other) =>
        other is not null && Host == other.Host && Parent == other.Parent && Provider == other.Provider && ArrayEquality.Equal(Traits, other.Traits);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Host, Parent, Provider, ArrayEquality.Hash(Traits));
}
