using System.Collections.Immutable;
using MigCompat.Core.Model;

namespace MigCompat.Placement;

/// <summary>
/// Publishes a <see cref="PlacementPlan"/>: creates the traits it needs, then on each planned pGPU provider
/// replaces MigCompat's own traits (<see cref="PlacementNames.TraitPrefix"/>) and keeps every other trait (Nova's,
/// an operator's). Generation-safe: a 409 re-reads the provider and tries again, at most <see cref="MaxAttempts"/>
/// times. Idempotent: a provider whose traits are already right is not written. Providers not in the plan are
/// never touched.
/// </summary>
/// <param name="client">The Placement client.</param>
public sealed class PlacementSync(PlacementClient client)
{
    /// <summary>How many times one provider is read and written before a run of 409s gives up.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>How many providers are synced at once (clamped to 1..64).</summary>
    public int MaxParallel { get; init; } = 8;

    /// <summary>Called after a provider's traits were read and before they are written (tests use it to race).</summary>
    public Func<PlannedProvider, int, Task>? BeforeWrite { get; init; }

    /// <summary>Runs the sync.</summary>
    /// <param name="plan">The providers and their traits.</param>
    /// <param name="dryRun">Read only: report what would change.</param>
    /// <param name="prune">Also delete MigCompat traits that no provider has any more (Placement keeps a trait some provider still has).</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <exception cref="PlacementException">Placement is unreachable or refused a request.</exception>
    public async Task<PlacementSyncResult> RunAsync(PlacementPlan plan, bool dryRun, bool prune, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var writes = 0;
        var providers = (await client.ListProvidersAsync(cancellationToken)).GroupBy(p => p.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        var needed = plan.Providers.Where(p => providers.ContainsKey(p.Provider)).SelectMany(p => p.Traits).ToHashSet(StringComparer.Ordinal);
        var existing = (await client.ListTraitsAsync(PlacementNames.TraitPrefix, cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var created = needed.Where(t => !existing.Contains(t)).Order(StringComparer.Ordinal).ToImmutableArray();
        if (!dryRun)
        {
            foreach (var trait in created)
            {
                await client.CreateTraitAsync(trait, cancellationToken);
                writes++;
            }
        }

        // Providers are independent: up to MaxParallel are read and written at once; results keep plan order.
        var results = new ProviderSyncResult[plan.Providers.Length];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, plan.Providers.Length),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Clamp(MaxParallel, 1, 64), CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var planned = plan.Providers[i];
                if (!providers.TryGetValue(planned.Provider, out var provider))
                {
                    results[i] = new ProviderSyncResult(planned.Host, planned.Provider, null, providers.ContainsKey(planned.Host) ? ProviderSyncStatus.NoProvider : ProviderSyncStatus.NoComputeNode, [], [], 0);
                    return;
                }

                var (result, written) = await SyncProviderAsync(planned, provider, dryRun, ct);
                Interlocked.Add(ref writes, written);
                results[i] = result;
            });

        var deleted = ImmutableArray.CreateBuilder<string>();
        if (prune && !dryRun)
        {
            foreach (var trait in (await client.ListTraitsAsync(PlacementNames.TraitPrefix, cancellationToken)).Where(t => !needed.Contains(t)).Order(StringComparer.Ordinal))
            {
                writes++;
                if (await client.DeleteTraitAsync(trait, cancellationToken))
                {
                    deleted.Add(trait);
                }
            }
        }

        return new PlacementSyncResult([.. results], dryRun ? [] : created, deleted.ToImmutable(), dryRun ? created : [], writes, dryRun);
    }

    private async Task<(ProviderSyncResult Result, int Writes)> SyncProviderAsync(PlannedProvider planned, ResourceProvider provider, bool dryRun, CancellationToken cancellationToken)
    {
        var writes = 0;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            if (await client.GetTraitsAsync(provider.Uuid, cancellationToken) is not { } current)
            {
                return (new ProviderSyncResult(planned.Host, planned.Provider, provider.Uuid, ProviderSyncStatus.NoProvider, [], [], attempt), writes);
            }

            var desired = current.Traits.Where(t => !t.StartsWith(PlacementNames.TraitPrefix, StringComparison.Ordinal)).Concat(planned.Traits).ToImmutableSortedSet(StringComparer.Ordinal);
            ImmutableArray<string> added = [.. desired.Except(current.Traits)];
            ImmutableArray<string> removed = [.. current.Traits.Except(desired).Order(StringComparer.Ordinal)];
            if (added.IsEmpty && removed.IsEmpty)
            {
                return (new ProviderSyncResult(planned.Host, planned.Provider, provider.Uuid, ProviderSyncStatus.Unchanged, [], [], attempt), writes);
            }

            if (dryRun)
            {
                return (new ProviderSyncResult(planned.Host, planned.Provider, provider.Uuid, ProviderSyncStatus.WouldUpdate, added, removed, attempt), writes);
            }

            if (BeforeWrite is { } hook)
            {
                await hook(planned, attempt);
            }

            writes++;
            if (await client.PutTraitsAsync(provider.Uuid, desired, current.Generation, cancellationToken) is not null)
            {
                return (new ProviderSyncResult(planned.Host, planned.Provider, provider.Uuid, ProviderSyncStatus.Updated, added, removed, attempt), writes);
            }
        }

        return (new ProviderSyncResult(planned.Host, planned.Provider, provider.Uuid, ProviderSyncStatus.Conflict, [], [], MaxAttempts), writes);
    }
}

/// <summary>What happened to one planned pGPU provider.</summary>
public enum ProviderSyncStatus
{
    /// <summary>Its MigCompat traits were replaced.</summary>
    Updated,

    /// <summary>Its traits were already right; nothing was written.</summary>
    Unchanged,

    /// <summary>Dry run: its traits would be replaced.</summary>
    WouldUpdate,

    /// <summary>The compute node provider exists, but no provider has the pGPU's name (Nova does not offer vGPUs of that pGPU).</summary>
    NoProvider,

    /// <summary>No provider is named like the host (the MigCompat host name is not Nova's hypervisor hostname, or the host is not a compute node).</summary>
    NoComputeNode,

    /// <summary>Every attempt met a concurrent change (409); nothing was written.</summary>
    Conflict,
}

/// <summary>One provider's outcome.</summary>
/// <param name="Host">The MigCompat host.</param>
/// <param name="Provider">The pGPU provider's name.</param>
/// <param name="Uuid">Its uuid, when it exists.</param>
/// <param name="Status">What happened.</param>
/// <param name="Added">Traits added (or that would be).</param>
/// <param name="Removed">MigCompat traits removed (or that would be).</param>
/// <param name="Attempts">Reads of the provider's traits (more than 1 after a 409).</param>
public sealed record ProviderSyncResult(string Host, string Provider, string? Uuid, ProviderSyncStatus Status, ImmutableArray<string> Added, ImmutableArray<string> Removed, int Attempts)
{
    /// <summary>Equal when every member is equal, the arrays by value.</summary>
    public bool Equals(ProviderSyncResult? other) =>
        other is not null && Host == other.Host && Provider == other.Provider && Uuid == other.Uuid && Status == other.Status
        && Attempts == other.Attempts && ArrayEquality.Equal(Added, other.Added) && ArrayEquality.Equal(Removed, other.Removed);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Host, Provider, Status, ArrayEquality.Hash(Added), ArrayEquality.Hash(Removed));
}

/// <summary>The outcome of a sync.</summary>
/// <param name="Providers">Per planned provider, in plan order.</param>
/// <param name="TraitsCreated">Traits created in Placement.</param>
/// <param name="TraitsDeleted">Unused MigCompat traits deleted (<c>--prune</c>).</param>
/// <param name="TraitsToCreate">Dry run: traits that would be created.</param>
/// <param name="Writes">PUT and DELETE requests sent (0 when nothing changed).</param>
/// <param name="DryRun">True when nothing was written.</param>
public sealed record PlacementSyncResult(ImmutableArray<ProviderSyncResult> Providers, ImmutableArray<string> TraitsCreated, ImmutableArray<string> TraitsDeleted, ImmutableArray<string> TraitsToCreate, int Writes, bool DryRun)
{
    /// <summary>Equal when every member is equal, the arrays by value.</summary>
    public bool Equals(PlacementSyncResult? other) =>
        other is not null && Writes == other.Writes && DryRun == other.DryRun && ArrayEquality.Equal(Providers, other.Providers)
        && ArrayEquality.Equal(TraitsCreated, other.TraitsCreated) && ArrayEquality.Equal(TraitsDeleted, other.TraitsDeleted) && ArrayEquality.Equal(TraitsToCreate, other.TraitsToCreate);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Writes, DryRun, ArrayEquality.Hash(Providers), ArrayEquality.Hash(TraitsCreated));
}
