using System.Collections.Immutable;
using MigCompat.Fleet.Planning;

namespace MigCompat.Fleet.Service;

/// <summary>The snapshot upgrade plans are made from.</summary>
public sealed partial class FleetService
{
    /// <summary>
    /// Every stored host with its inventory (guests included), drain flag and the units active claims
    /// hold now, read from the store (docs/planning.md). <paramref name="asOf"/> is the time the plan states.
    /// </summary>
    /// <param name="asOf">The snapshot's time.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<FleetSnapshot> SnapshotAsync(DateTimeOffset asOf, CancellationToken cancellationToken = default)
    {
        var claims = await store.GetActiveClaimUnitsAsync(cancellationToken);
        var hosts = ImmutableArray.CreateBuilder<SnapshotHost>();
        await foreach (var host in store.LoadAllAsync(cancellationToken))
        {
            if (host.Inventory is null)
            {
                continue; // unreadable as stored: not indexed either, so no VM is planned onto or off it
            }

            var claimed = claims.TryGetValue(host.Name, out var units)
                ? units.OrderBy(u => u.Key, StringComparer.Ordinal).ToImmutableArray()
                : [];
            hosts.Add(new SnapshotHost(host.Inventory, host.Drained, claimed));
        }

        return new FleetSnapshot(asOf, hosts.ToImmutable());
    }
}
