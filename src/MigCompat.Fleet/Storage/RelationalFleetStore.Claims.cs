using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;

namespace MigCompat.Fleet.Storage;

/// <content>Claims: units of a host's resources held for a pending migration.</content>
public abstract partial class RelationalFleetStore
{
    /// <summary>The SQL condition for a claim that holds its units at <c>@now</c>.</summary>
    private const string ActiveClaim = "(c.state = 'confirmed' OR (c.state = 'pending' AND c.expires_at_ms > @now))";

    /// <inheritdoc />
    public async Task<CreateClaimResult> CreateClaimAsync(ClaimRequest request, CancellationToken cancellationToken = default)
    {
        if (request is null)
        {
            return new InvalidClaimRequest("no claim request was given");
        }

        if (ClaimRequestCheck.FindProblem(request) is { } problem)
        {
            return new InvalidClaimRequest(problem);
        }

        var fingerprint = ClaimRequestCheck.Fingerprint(request);
        var items = ClaimRequestCheck.Ordered(request);

        return await WriteAsync<CreateClaimResult>(async (connection, transaction) =>
        {
            // The host row lock serialises every claim on this host (and every inventory update of it).
            var host = await LockHostAsync(connection, transaction, request.Host, cancellationToken);
            if (host is null)
            {
                return new UnknownHost(request.Host);
            }

            var now = Now();
            if (request.IdempotencyKey is { } key)
            {
                var earlier = await FindByIdempotencyKeyAsync(connection, transaction, key, cancellationToken);
                if (earlier is { } found)
                {
                    if (found.Fingerprint != fingerprint)
                    {
                        return new IdempotencyConflict(key, found.Id);
                    }

                    // Locked while read, so a concurrent purge cannot take it (or its items) half-way;
                    // purged in between, the key is free and this is a fresh create.
                    if (await ReadClaimAsync(connection, transaction, found.Id, now, forUpdate: true, cancellationToken) is { } replayed)
                    {
                        return new ClaimCreated(replayed, Replayed: true);
                    }
                }
            }

            if (host.Value.Drained)
            {
                return new HostDrained(request.Host);
            }

            var capacities = await ReadCapacitiesAsync(connection, transaction, request.Host, cancellationToken);
            var unknown = items.Where(item => !capacities.ContainsKey(item.ResourceKey)).Select(item => item.ResourceKey).ToImmutableArray();
            if (!unknown.IsEmpty)
            {
                return new UnknownResource(unknown);
            }

            var claimed = await ReadClaimedAsync(connection, transaction, request.Host, now, cancellationToken);
            var availability = items
                .Select(item => new ItemAvailability(item.ResourceKey, item.Count,
                    Math.Max(0, capacities[item.ResourceKey] - claimed.GetValueOrDefault(item.ResourceKey))))
                .ToImmutableArray();
            if (availability.Any(item => item.Requested > item.Available))
            {
                return new InsufficientCapacity(availability);
            }

            var claim = new Claim(Guid.CreateVersion7().ToString("D"), request.Host, items, ClaimState.Pending, now, now + request.TimeToLive, request.IdempotencyKey);
            await InsertClaimAsync(connection, transaction, claim, fingerprint, cancellationToken);
            return new ClaimCreated(claim, Replayed: false);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ClaimTransitionResult> ConfirmClaimAsync(string claimId, CancellationToken cancellationToken = default) =>
        TransitionAsync(claimId, confirm: true, cancellationToken);

    /// <inheritdoc />
    public Task<ClaimTransitionResult> ReleaseClaimAsync(string claimId, CancellationToken cancellationToken = default) =>
        TransitionAsync(claimId, confirm: false, cancellationToken);

    /// <inheritdoc />
    public async Task<Claim?> GetClaimAsync(string claimId, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(claimId))
        {
            return null;
        }

        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await BeginSnapshotReadAsync(connection, cancellationToken);
        return await ReadClaimAsync(connection, transaction, claimId, Now(), forUpdate: false, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>An expired claim ended at its expiry, whenever it is marked (<c>ended_at_ms = expires_at_ms</c>).</remarks>
    public async Task<int> ExpireClaimsAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await WriteAsync((connection, transaction) => DbCommands.ExecuteAsync(connection, transaction,
            "UPDATE claims SET state = 'expired', ended_at_ms = expires_at_ms WHERE state = 'pending' AND expires_at_ms <= @now", cancellationToken,
            ("@now", ToMs(now))), cancellationToken);

    /// <inheritdoc />
    public async Task<HostCapacity?> GetAvailableCapacityAsync(string host, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(host))
        {
            return null;
        }

        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await BeginSnapshotReadAsync(connection, cancellationToken);
        long generation;
        bool drained;
        await using (var command = DbCommands.Create(connection, transaction, "SELECT generation, drained FROM hosts WHERE name = @name", ("@name", host)))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            (generation, drained) = (reader.GetInt64(0), reader.GetBoolean(1));
        }

        var capacities = await ReadCapacitiesAsync(connection, transaction, host, cancellationToken);
        var claimed = await ReadClaimedAsync(connection, transaction, host, Now(), cancellationToken);
        var resources = capacities
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair =>
            {
                var used = claimed.GetValueOrDefault(pair.Key);
                return new ResourceCapacity(pair.Key, pair.Value, used, Math.Max(0, pair.Value - used));
            })
            .ToImmutableArray();
        return new HostCapacity(host, generation, drained, resources);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>>> GetActiveClaimUnitsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await BeginSnapshotReadAsync(connection, cancellationToken);
        var byHost = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
        await using var command = DbCommands.Create(connection, transaction,
            $"""
            SELECT c.host, ci.resource_key, CAST(SUM(ci.units) AS BIGINT)
            FROM claims c JOIN claim_items ci ON ci.claim_id = c.id
            WHERE {ActiveClaim}
            GROUP BY c.host, ci.resource_key
            """, ("@now", ToMs(Now())));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var host = reader.GetString(0);
            if (!byHost.TryGetValue(host, out var resources))
            {
                resources = new Dictionary<string, long>(StringComparer.Ordinal);
                byHost[host] = resources;
            }

            resources[reader.GetString(1)] = reader.GetInt64(2);
        }

        return byHost.ToDictionary(pair => pair.Key, pair => (IReadOnlyDictionary<string, long>)pair.Value, StringComparer.Ordinal);
    }

    private async Task<ClaimTransitionResult> TransitionAsync(string claimId, bool confirm, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(claimId))
        {
            return new ClaimNotFound(claimId ?? "");
        }

        return await WriteAsync<ClaimTransitionResult>(async (connection, transaction) =>
        {
            var host = (string?)await DbCommands.ScalarAsync(connection, transaction,
                "SELECT host FROM claims WHERE id = @id", cancellationToken, ("@id", claimId));
            if (host is null)
            {
                return new ClaimNotFound(claimId);
            }

            // Same lock as CreateClaim: a claim cannot be confirmed while a creator decides it has expired.
            await LockHostAsync(connection, transaction, host, cancellationToken);
            var now = Now();
            var claim = await ReadClaimAsync(connection, transaction, claimId, now, forUpdate: true, cancellationToken);
            if (claim is null)
            {
                return new ClaimNotFound(claimId);
            }

            return (confirm, claim.State) switch
            {
                (true, ClaimState.Pending) => new ClaimTransitioned(await SetStateAsync(claim, ClaimState.Confirmed)),
                (true, ClaimState.Confirmed) => new ClaimTransitioned(claim),
                (true, ClaimState.Expired) => new ClaimTransitionRefused(await SetStateAsync(claim, ClaimState.Expired),
                    string.Create(CultureInfo.InvariantCulture, $"the claim expired at {claim.ExpiresAt:O}; create a new claim")),
                (true, _) => new ClaimTransitionRefused(claim, "the claim was released; create a new claim"),
                (false, ClaimState.Pending or ClaimState.Confirmed) => new ClaimTransitioned(await SetStateAsync(claim, ClaimState.Released)),
                (false, _) => new ClaimTransitioned(claim),
            };

            // Every move to a terminal state records when the claim ended: a release now, an expiry at its expiry time.
            async Task<Claim> SetStateAsync(Claim current, ClaimState state)
            {
                var ended = state switch
                {
                    ClaimState.Released => ToMs(now),
                    ClaimState.Expired => ToMs(current.ExpiresAt),
                    _ => (long?)null,
                };
                await DbCommands.ExecuteAsync(connection, transaction, "UPDATE claims SET state = @state, ended_at_ms = @ended WHERE id = @id", cancellationToken,
                    ("@id", current.Id), ("@state", StateText(state)), ("@ended", ended));
                return current with { State = state };
            }
        }, cancellationToken);
    }

    private static async Task<(string Id, string Fingerprint)?> FindByIdempotencyKeyAsync(DbConnection connection, DbTransaction transaction, string key, CancellationToken cancellationToken)
    {
        await using var command = DbCommands.Create(connection, transaction,
            "SELECT id, request_fingerprint FROM claims WHERE idempotency_key = @key", ("@key", key));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetString(1)) : null;
    }

    private static async Task InsertClaimAsync(DbConnection connection, DbTransaction transaction, Claim claim, string fingerprint, CancellationToken cancellationToken)
    {
        await DbCommands.ExecuteAsync(connection, transaction,
            """
            INSERT INTO claims (id, host, state, created_at_ms, expires_at_ms, idempotency_key, request_fingerprint)
            VALUES (@id, @host, 'pending', @created, @expires, @key, @fingerprint)
            """, cancellationToken,
            ("@id", claim.Id), ("@host", claim.Host), ("@created", ToMs(claim.CreatedAt)), ("@expires", ToMs(claim.ExpiresAt)),
            ("@key", claim.IdempotencyKey), ("@fingerprint", fingerprint));
        await using var insert = DbCommands.Create(connection, transaction,
            "INSERT INTO claim_items (claim_id, resource_key, units) VALUES (@id, @key, @units)",
            ("@id", claim.Id), ("@key", ""), ("@units", 0L));
        foreach (var item in claim.Items)
        {
            insert.Parameters[1].Value = item.ResourceKey;
            insert.Parameters[2].Value = (long)item.Count;
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Reads a claim with its effective state; <paramref name="forUpdate"/> locks its row (in a write transaction) on backends with row locks.</summary>
    private async Task<Claim?> ReadClaimAsync(DbConnection connection, DbTransaction? transaction, string claimId, DateTimeOffset now, bool forUpdate, CancellationToken cancellationToken)
    {
        string host;
        ClaimState state;
        DateTimeOffset created, expires;
        string? key;
        await using (var command = DbCommands.Create(connection, transaction,
            "SELECT host, state, created_at_ms, expires_at_ms, idempotency_key FROM claims WHERE id = @id" + (forUpdate ? RowLockClause : ""), ("@id", claimId)))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            host = reader.GetString(0);
            state = ParseState(reader.GetString(1));
            (created, expires) = (FromMs(reader.GetInt64(2)), FromMs(reader.GetInt64(3)));
            key = reader.IsDBNull(4) ? null : reader.GetString(4);
        }

        var items = new List<ClaimItem>();
        await using (var command = DbCommands.Create(connection, transaction,
            "SELECT resource_key, units FROM claim_items WHERE claim_id = @id", ("@id", claimId)))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(new ClaimItem(reader.GetString(0), checked((int)reader.GetInt64(1))));
            }
        }

        if (state == ClaimState.Pending && expires <= now)
        {
            state = ClaimState.Expired;
        }

        return new Claim(claimId, host, [.. items.OrderBy(item => item.ResourceKey, StringComparer.Ordinal)], state, created, expires, key);
    }

    private static async Task<Dictionary<string, long>> ReadCapacitiesAsync(DbConnection connection, DbTransaction transaction, string host, CancellationToken cancellationToken)
    {
        var capacities = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var command = DbCommands.Create(connection, transaction,
            "SELECT resource_key, capacity FROM resources WHERE host = @host", ("@host", host));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            capacities[reader.GetString(0)] = reader.GetInt64(1);
        }

        return capacities;
    }

    private static async Task<Dictionary<string, long>> ReadClaimedAsync(DbConnection connection, DbTransaction transaction, string host, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var claimed = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var command = DbCommands.Create(connection, transaction,
            $"""
            SELECT ci.resource_key, CAST(SUM(ci.units) AS BIGINT)
            FROM claims c JOIN claim_items ci ON ci.claim_id = c.id
            WHERE c.host = @host AND {ActiveClaim}
            GROUP BY ci.resource_key
            """, ("@host", host), ("@now", ToMs(now)));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed[reader.GetString(0)] = reader.GetInt64(1);
        }

        return claimed;
    }

    private static string StateText(ClaimState state) => state switch
    {
        ClaimState.Pending => "pending",
        ClaimState.Confirmed => "confirmed",
        ClaimState.Released => "released",
        _ => "expired",
    };

    private static ClaimState ParseState(string text) => text switch
    {
        "pending" => ClaimState.Pending,
        "confirmed" => ClaimState.Confirmed,
        "released" => ClaimState.Released,
        _ => ClaimState.Expired,
    };
}
