using MigCompat.Fleet.Storage;

namespace MigCompat.Fleet.Service;

/// <summary>Start-up rebuild, the periodic refresh from the shared database, the claim expiry sweep and the purge of ended claims.</summary>
public sealed partial class FleetService
{
    /// <summary>Units held by active claims across the indexed hosts, as of the last claim count refresh.</summary>
    public long ClaimedUnits
    {
        get
        {
            lock (indexGate)
            {
                return indexed.Values.Sum(host => host.ClaimedUnits);
            }
        }
    }

    /// <summary>
    /// Brings the index up to date with the store: hosts that are new or whose generation, drain flag
    /// or update time changed (a host deleted and stored again restarts at generation 1) are re-read,
    /// hosts gone from the store are removed, and every host's claim counts
    /// are re-read (which also drops claims that expired). Runs on its own every
    /// <see cref="FleetServiceOptions.RefreshInterval"/>; call it directly to catch up at once.
    /// </summary>
    /// <param name="cancellationToken">Cancels the refresh.</param>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        // Runs every few seconds on a fleet of any size, so it holds no copy of the host list: the
        // summaries are compared with the index as they stream by, and only the hosts that changed
        // are kept (a list held across the whole read would outlive the young generations each time
        // and pile up in the old one: the idle server's memory would grow).
        var removalsBefore = Volatile.Read(ref removals);
        var changed = new List<string>();
        var present = 0;
        await foreach (var summary in store.StreamHostSummariesAsync(cancellationToken))
        {
            switch (Compare(summary))
            {
                case HostState.Current:
                    present++;
                    break;
                case HostState.Changed:
                    present++;
                    changed.Add(summary.Name);
                    break;
                default:
                    changed.Add(summary.Name);
                    break;
            }
        }

        // Every indexed host was seen (none removed here meanwhile): none is gone. Otherwise read the
        // names again to find which.
        bool someGone;
        lock (indexGate)
        {
            someGone = present != indexed.Count || Volatile.Read(ref removals) != removalsBefore;
        }

        if (someGone)
        {
            await RemoveGoneHostsAsync(cancellationToken);
        }

        foreach (var name in changed)
        {
            var host = await store.GetHostAsync(name, cancellationToken);
            if (host is not null)
            {
                ApplyToIndex(host, readByRefresh: true);
            }
        }

        var stale = staleClaimCounts.Keys.ToList();
        await RefreshAllClaimCountsAsync(cancellationToken);
        foreach (var host in stale)
        {
            staleClaimCounts.TryRemove(host, out _);
        }
    }

    private async Task RemoveGoneHostsAsync(CancellationToken cancellationToken)
    {
        var stored = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var summary in store.StreamHostSummariesAsync(cancellationToken))
        {
            stored.Add(summary.Name);
        }

        List<string> gone;
        lock (indexGate)
        {
            gone = [.. indexed.Keys.Where(name => !stored.Contains(name))];
        }

        foreach (var name in gone)
        {
            RemoveFromIndex(name);
        }
    }

    /// <summary>
    /// Re-reads the units held by active claims on every host in one query and gives them to the index.
    /// Only hosts with claims now or at the last count are touched, so an idle fleet costs a pass over
    /// the index and allocates nothing per host.
    /// </summary>
    private async Task RefreshAllClaimCountsAsync(CancellationToken cancellationToken)
    {
        var units = await store.GetActiveClaimUnitsAsync(cancellationToken);
        lock (indexGate)
        {
            var released = new List<string>();
            foreach (var (name, host) in indexed)
            {
                if (host.ClaimedUnits != 0 && !units.ContainsKey(name))
                {
                    released.Add(name);
                }
            }

            foreach (var name in released)
            {
                index.SetClaimed(name, new Dictionary<string, int>(StringComparer.Ordinal));
                indexed[name] = indexed[name] with { ClaimedUnits = 0 };
            }

            foreach (var (name, resources) in units)
            {
                if (!indexed.TryGetValue(name, out var current))
                {
                    continue;
                }

                var claimed = resources.ToDictionary(pair => pair.Key, pair => (int)Math.Min(pair.Value, int.MaxValue), StringComparer.Ordinal);
                index.SetClaimed(name, claimed);
                indexed[name] = current with { ClaimedUnits = claimed.Values.Sum(count => (long)count) };
            }
        }
    }

    /// <summary>Marks pending claims past their expiry as expired now; returns how many, and refreshes claim counts when any.</summary>
    /// <param name="cancellationToken">Cancels the sweep.</param>
    public async Task<int> SweepExpiredClaimsAsync(CancellationToken cancellationToken = default)
    {
        var expired = await store.ExpireClaimsAsync(options.TimeProvider.GetUtcNow(), cancellationToken);
        if (expired > 0)
        {
            Metrics.RecordClaim("expired", expired);
        }

        return expired;
    }

    /// <summary>
    /// Deletes released and expired claims that ended more than <see cref="FleetServiceOptions.ClaimRetention"/>
    /// ago (in batches); returns how many, counts them (<c>migcompat_claims_total{outcome="purged"}</c>)
    /// and logs a line when any. Does nothing when the retention is zero or negative. Runs after every
    /// expiry sweep; any number of instances may run it at once.
    /// </summary>
    /// <param name="cancellationToken">Cancels the purge; batches already committed stay purged.</param>
    public async Task<int> PurgeEndedClaimsAsync(CancellationToken cancellationToken = default)
    {
        var retention = options.ClaimRetention;
        var now = options.TimeProvider.GetUtcNow();
        if (retention <= TimeSpan.Zero || retention >= now - DateTimeOffset.UnixEpoch)
        {
            return 0;
        }

        var endedBefore = now - retention;
        var purged = await store.PurgeEndedClaimsAsync(endedBefore, IFleetStore.DefaultPurgeBatchSize, cancellationToken);
        if (purged > 0)
        {
            Metrics.RecordClaim("purged", purged);
            FleetServiceLog.Purged(options.Logger, purged, endedBefore, retention);
        }

        return purged;
    }

    /// <summary>Whether the index holds a stored host as it is stored, an older state of it, or not at all.</summary>
    private HostState Compare(HostSummary summary)
    {
        lock (indexGate)
        {
            if (!indexed.TryGetValue(summary.Name, out var current))
            {
                return HostState.Missing;
            }

            return current.Generation == summary.Generation && current.Drained == summary.Drained && current.UpdatedAt == summary.UpdatedAt
                ? HostState.Current
                : HostState.Changed;
        }
    }

    private async Task RebuildAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref hostsToLoad, await store.CountHostsAsync(cancellationToken));
        var skipped = 0;
        await foreach (var host in store.LoadAllAsync(cancellationToken))
        {
            Interlocked.Increment(ref hostsLoaded);
            if (host.Inventory is null)
            {
                skipped++;
                FleetServiceLog.Unreadable(options.Logger, host.Name, string.Join("; ", host.ReadDiagnostics.Select(d => d.Message)));
                continue;
            }

            if (!ApplyToIndex(host))
            {
                skipped++;
            }
        }

        await RefreshAllClaimCountsAsync(cancellationToken);
        FleetServiceLog.Rebuilt(options.Logger, index.HostCount, skipped);
    }

    private async Task RunBackgroundAsync(CancellationToken cancellationToken)
    {
        var refresh = options.RefreshInterval;
        var sweep = options.ExpirySweepInterval;
        if (refresh <= TimeSpan.Zero && sweep <= TimeSpan.Zero)
        {
            return;
        }

        var tick = refresh <= TimeSpan.Zero ? sweep : sweep <= TimeSpan.Zero ? refresh : refresh < sweep ? refresh : sweep;
        var clock = options.TimeProvider;
        var nextRefresh = clock.GetUtcNow() + refresh;
        var nextSweep = clock.GetUtcNow() + sweep;
        await Task.Yield();
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(tick, clock, cancellationToken);
            var now = clock.GetUtcNow();
            if (sweep > TimeSpan.Zero && now >= nextSweep)
            {
                nextSweep = now + sweep;
                await RunGuardedAsync("sweep", () => SweepExpiredClaimsAsync(cancellationToken), cancellationToken);
                if (options.ClaimRetention > TimeSpan.Zero)
                {
                    // After the sweep, so claims it just marked expired long after their expiry go at once.
                    await RunGuardedAsync("purge", () => PurgeEndedClaimsAsync(cancellationToken), cancellationToken);
                }
            }

            if (refresh > TimeSpan.Zero && now >= nextRefresh)
            {
                nextRefresh = now + refresh;
                await RunGuardedAsync("refresh", () => RefreshAsync(cancellationToken), cancellationToken);
            }
            else if (!staleClaimCounts.IsEmpty)
            {
                await RunGuardedAsync("stale_refresh", () => RefreshStaleClaimCountsAsync(cancellationToken), cancellationToken);
            }
        }
    }

    private async Task RunGuardedAsync(string name, Func<Task> work, CancellationToken cancellationToken)
    {
        try
        {
            await work();
            Metrics.RecordSync(name + "_ok");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            Metrics.RecordSync(name + "_failed");
            FleetServiceLog.BackgroundFailed(options.Logger, name, e.Message);
        }
    }

    private enum HostState
    {
        Missing,
        Changed,
        Current,
    }
}
