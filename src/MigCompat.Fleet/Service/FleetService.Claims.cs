using MigCompat.Fleet.Storage;

namespace MigCompat.Fleet.Service;

/// <summary>Claims: the store decides (atomically, across every instance); the index follows.</summary>
public sealed partial class FleetService
{
    /// <summary>
    /// Claims units of a host's resources for a time-to-live; either every item is claimed or none.
    /// After a change the index's claim counts for that host are re-read from the store.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public async Task<CreateClaimResult> CreateClaimAsync(ClaimRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = await store.CreateClaimAsync(request, cancellationToken);
        Metrics.RecordClaim(result switch
        {
            ClaimCreated { Replayed: true } => "replayed",
            ClaimCreated => "created",
            InsufficientCapacity => "insufficient_capacity",
            UnknownResource => "unknown_resource",
            UnknownHost => "unknown_host",
            HostDrained => "host_drained",
            IdempotencyConflict => "idempotency_conflict",
            _ => "invalid",
        });
        if (result is ClaimCreated created)
        {
            await RefreshClaimCountsAfterCommitAsync(created.Claim.Host, cancellationToken);
        }

        return result;
    }

    /// <summary>Confirms a pending claim so it holds until released.</summary>
    /// <param name="claimId">The claim id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public async Task<ClaimTransitionResult> ConfirmClaimAsync(string claimId, CancellationToken cancellationToken = default)
    {
        var result = await store.ConfirmClaimAsync(claimId, cancellationToken);
        await AfterTransitionAsync(result, "confirmed", cancellationToken);
        return result;
    }

    /// <summary>Releases a claim; its units are free again.</summary>
    /// <param name="claimId">The claim id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public async Task<ClaimTransitionResult> ReleaseClaimAsync(string claimId, CancellationToken cancellationToken = default)
    {
        var result = await store.ReleaseClaimAsync(claimId, cancellationToken);
        await AfterTransitionAsync(result, "released", cancellationToken);
        return result;
    }

    /// <summary>Reads a claim with its effective state, or null.</summary>
    /// <param name="claimId">The claim id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public Task<Claim?> GetClaimAsync(string claimId, CancellationToken cancellationToken = default) =>
        store.GetClaimAsync(claimId, cancellationToken);

    private async Task AfterTransitionAsync(ClaimTransitionResult result, string outcome, CancellationToken cancellationToken)
    {
        switch (result)
        {
            case ClaimTransitioned transitioned:
                Metrics.RecordClaim(outcome);
                await RefreshClaimCountsAfterCommitAsync(transitioned.Claim.Host, cancellationToken);
                break;
            case ClaimTransitionRefused:
                Metrics.RecordClaim(outcome + "_refused");
                break;
            default:
                Metrics.RecordClaim(outcome + "_not_found");
                break;
        }
    }

    /// <summary>
    /// After a committed write: re-reads the host's claim counts for the index, but never fails the
    /// write. The write is in the database whatever happens here, so a failure (pool exhaustion, a lost
    /// connection, the caller hanging up) is logged and counted
    /// (<c>migcompat_sync_runs_total{outcome="post_commit_refresh_failed"}</c>), and the host is re-read
    /// by the next background tick (or an explicit <see cref="RefreshAsync"/>).
    /// </summary>
    private async Task RefreshClaimCountsAfterCommitAsync(string host, CancellationToken cancellationToken)
    {
        try
        {
            await RefreshClaimCountsAsync(host, cancellationToken);
            staleClaimCounts.TryRemove(host, out _);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            staleClaimCounts[host] = 0;
            Metrics.RecordSync("post_commit_refresh_failed");
            FleetServiceLog.PostCommitRefreshFailed(options.Logger, host, e.GetType().Name, e.Message);
        }
    }

    /// <summary>Retries the claim count refresh of hosts whose post-commit refresh failed; failures stay queued.</summary>
    private async Task RefreshStaleClaimCountsAsync(CancellationToken cancellationToken)
    {
        foreach (var host in staleClaimCounts.Keys.ToList())
        {
            await RefreshClaimCountsAsync(host, cancellationToken);
            staleClaimCounts.TryRemove(host, out _);
        }
    }

    /// <summary>Re-reads a host's units held by active claims and gives them to the index.</summary>
    private async Task RefreshClaimCountsAsync(string host, CancellationToken cancellationToken)
    {
        var capacity = await store.GetAvailableCapacityAsync(host, cancellationToken);
        if (capacity is null)
        {
            return;
        }

        var claimed = capacity.Resources
            .Where(resource => resource.Claimed > 0)
            .ToDictionary(resource => resource.ResourceKey, resource => (int)Math.Min(resource.Claimed, int.MaxValue), StringComparer.Ordinal);
        lock (indexGate)
        {
            if (indexed.TryGetValue(host, out var current))
            {
                index.SetClaimed(host, claimed);
                indexed[host] = current with { ClaimedUnits = claimed.Values.Sum(count => (long)count) };
            }
        }
    }
}
