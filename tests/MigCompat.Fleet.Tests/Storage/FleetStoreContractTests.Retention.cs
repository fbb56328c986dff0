using System.Globalization;
using MigCompat.Fleet.Storage;

namespace MigCompat.Fleet.Tests.Storage;

/// <summary>Retention: released and expired claims are purged, with their items, once they ended long enough ago.</summary>
public abstract partial class FleetStoreContractTests
{
    private static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    public static TheoryData<string, int, bool> ClaimsAfterTheirEnd => new()
    {
        { "released while pending", 61, true },
        { "released while pending", 60, false },
        { "released while pending", 59, false },
        { "released after confirming", 61, true },
        { "released after confirming", 59, false },
        { "expired and swept", 61, true },
        { "expired and swept", 59, false },
        { "expired and swept long after its expiry", 61, true },
        { "expired and swept long after its expiry", 59, false },
        { "expired by a refused confirm", 61, true },
        { "expired by a refused confirm", 59, false },
        { "confirmed", 600, false },
        { "pending", 600, false },
        { "pending past its expiry but not swept yet", 600, false },
    };

    [Theory]
    [MemberData(nameof(ClaimsAfterTheirEnd))]
    public async Task A_claim_is_purged_with_its_items_only_when_it_was_released_or_expired_longer_ago_than_the_retention(string kind, int minutesAfterItsEnd, bool purged)
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 5));
        var (claim, end) = await ArrangeClaimAsync(kind);
        Clock.Advance(end + TimeSpan.FromMinutes(minutesAfterItsEnd) - Clock.GetUtcNow());

        var count = await Store.PurgeEndedClaimsAsync(Clock.GetUtcNow() - Retention, cancellationToken: ct);

        Assert.Equal(purged ? 1 : 0, count);
        Assert.Equal(purged, await Store.GetClaimAsync(claim.Id, ct) is null);
        Assert.Equal(purged ? 0 : 2, await ItemRowsAsync(claim.Id));
    }

    [Fact]
    public async Task Purging_leaves_the_units_of_active_claims_counted_and_other_ended_claims_alone()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 10));
        var old = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 1), ct)).Claim;
        await Store.ReleaseClaimAsync(old.Id, ct);
        var confirmed = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 2), ct)).Claim;
        await Store.ConfirmClaimAsync(confirmed.Id, ct);
        Clock.Advance(Retention + TimeSpan.FromMinutes(1));
        var pending = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 3), ct)).Claim;
        var recent = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 1), ct)).Claim;
        await Store.ReleaseClaimAsync(recent.Id, ct);
        var before = await CapacityOfAsync("node-a", Inventories.GvtKey);

        Assert.Equal(1, await Store.PurgeEndedClaimsAsync(Clock.GetUtcNow() - Retention, cancellationToken: ct));

        Assert.Equal(new ResourceCapacity(Inventories.GvtKey, 10, 5, 5), before);
        Assert.Equal(before, await CapacityOfAsync("node-a", Inventories.GvtKey));
        Assert.Null(await Store.GetClaimAsync(old.Id, ct));
        Assert.Equal(ClaimState.Confirmed, (await Store.GetClaimAsync(confirmed.Id, ct))!.State);
        Assert.Equal(ClaimState.Pending, (await Store.GetClaimAsync(pending.Id, ct))!.State);
        Assert.Equal(ClaimState.Released, (await Store.GetClaimAsync(recent.Id, ct))!.State);
        Assert.Equal(3, await QueryNumberAsync("SELECT COUNT(*) FROM claims"));
        Assert.Equal(3, await QueryNumberAsync("SELECT COUNT(*) FROM claim_items"));
    }

    [Fact]
    public async Task A_backlog_larger_than_one_batch_is_purged_completely_batch_by_batch_and_younger_claims_stay()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 5));
        for (var i = 0; i < 25; i++)
        {
            var claim = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 1, key: "old-" + i.ToString(CultureInfo.InvariantCulture)), ct)).Claim;
            await Store.ReleaseClaimAsync(claim.Id, ct);
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        Clock.Advance(Retention);
        var young = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 1), ct)).Claim;
        await Store.ReleaseClaimAsync(young.Id, ct);

        Assert.Equal(25, await Store.PurgeEndedClaimsAsync(Clock.GetUtcNow() - Retention, batchSize: 10, ct));
        Assert.Equal(0, await Store.PurgeEndedClaimsAsync(Clock.GetUtcNow() - Retention, batchSize: 10, ct));

        Assert.Equal(1, await QueryNumberAsync("SELECT COUNT(*) FROM claims"));
        Assert.Equal(1, await QueryNumberAsync("SELECT COUNT(*) FROM claim_items"));
        Assert.NotNull(await Store.GetClaimAsync(young.Id, ct));
    }

    [Fact]
    public async Task A_backlog_of_thousands_of_ended_claims_is_purged_in_default_batches()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a"));
        var ended = Clock.GetUtcNow().ToUnixTimeMilliseconds() - (long)TimeSpan.FromDays(30).TotalMilliseconds;
        const int Backlog = (2 * IFleetStore.DefaultPurgeBatchSize) + 500;
        await ExecuteSqlAsync(string.Create(CultureInfo.InvariantCulture, $"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {Backlog})
            INSERT INTO claims (id, host, state, created_at_ms, expires_at_ms, idempotency_key, request_fingerprint, ended_at_ms)
            SELECT 'backlog-' || i, 'node-a', CASE WHEN i % 2 = 0 THEN 'released' ELSE 'expired' END, {ended - 60_000}, {ended}, 'key-' || i, 'fingerprint', {ended} FROM n
            """));
        await ExecuteSqlAsync(string.Create(CultureInfo.InvariantCulture, $"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {Backlog})
            INSERT INTO claim_items (claim_id, resource_key, units) SELECT 'backlog-' || i, 'device:idle-1', 1 FROM n
            """));

        Assert.Equal(Backlog, await Store.PurgeEndedClaimsAsync(Clock.GetUtcNow() - Retention, cancellationToken: ct));

        Assert.Equal(0, await QueryNumberAsync("SELECT COUNT(*) FROM claims"));
        Assert.Equal(0, await QueryNumberAsync("SELECT COUNT(*) FROM claim_items"));
    }

    [Fact]
    public async Task A_batch_size_below_one_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            Store.PurgeEndedClaimsAsync(Clock.GetUtcNow(), batchSize: 0, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_retried_create_shortly_after_its_claim_ended_is_still_replayed()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 5));
        var first = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 2, key: "vm-7-move"), ct)).Claim;
        await Store.ReleaseClaimAsync(first.Id, ct);
        Clock.Advance(Retention - TimeSpan.FromMinutes(1));
        Assert.Equal(0, await Store.PurgeEndedClaimsAsync(Clock.GetUtcNow() - Retention, cancellationToken: ct));

        var again = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 2, key: "vm-7-move"), ct));

        Assert.True(again.Replayed);
        Assert.Equal(first with { State = ClaimState.Released }, again.Claim);
        Assert.Equal(5, (await CapacityOfAsync("node-a", Inventories.GvtKey)).Available);
    }

    [Theory]
    [InlineData("the same request", 2)]
    [InlineData("another request", 3)]
    public async Task A_create_with_the_key_of_a_purged_claim_is_a_fresh_create(string why, int count)
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 5));
        var first = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 2, key: "vm-7-move"), ct)).Claim;
        await Store.ReleaseClaimAsync(first.Id, ct);
        Clock.Advance(Retention + TimeSpan.FromMinutes(1));
        Assert.Equal(1, await Store.PurgeEndedClaimsAsync(Clock.GetUtcNow() - Retention, cancellationToken: ct));

        var fresh = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", count, key: "vm-7-move"), ct));

        Assert.False(fresh.Replayed, why);
        Assert.NotEqual(first.Id, fresh.Claim.Id);
        Assert.Equal(ClaimState.Pending, fresh.Claim.State);
        Assert.Equal("vm-7-move", fresh.Claim.IdempotencyKey);
        Assert.Equal(5 - count, (await CapacityOfAsync("node-a", Inventories.GvtKey)).Available);
        Assert.True((await Store.CreateClaimAsync(Request("node-a", count, key: "vm-7-move"), ct)) is ClaimCreated { Replayed: true }, why);
    }

    [Fact]
    public async Task Retried_creates_racing_a_purge_on_another_instance_get_either_the_whole_old_claim_or_a_new_one()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 100));
        var request = (int i) => Request("node-a", 1, key: "retry-" + i.ToString(CultureInfo.InvariantCulture));
        var originals = new List<Claim>();
        const int Keys = 16;
        for (var i = 0; i < Keys; i++)
        {
            var claim = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(request(i), ct)).Claim;
            await Store.ReleaseClaimAsync(claim.Id, ct);
            originals.Add(claim);
        }

        Clock.Advance(Retention + TimeSpan.FromMinutes(1));
        var other = await OpenTrackedAsync();
        using var start = new ManualResetEventSlim();

        var purge = Task.Run(async () =>
        {
            start.Wait(ct);
            return await other.PurgeEndedClaimsAsync(Clock.GetUtcNow() - Retention, batchSize: 2, ct);
        }, ct);
        var retries = Enumerable.Range(0, Keys).Select(i => Task.Run(async () =>
        {
            start.Wait(ct);
            return await Store.CreateClaimAsync(request(i), ct);
        }, ct)).ToList();
        start.Set();
        var results = await Task.WhenAll(retries);
        var purged = await purge;

        for (var i = 0; i < results.Length; i++)
        {
            var created = Assert.IsType<ClaimCreated>(results[i]);
            Assert.Single(created.Claim.Items);
            if (created.Replayed)
            {
                Assert.Equal(originals[i] with { State = ClaimState.Released }, created.Claim);
            }
            else
            {
                Assert.NotEqual(originals[i].Id, created.Claim.Id);
                Assert.Equal(ClaimState.Pending, created.Claim.State);
            }
        }

        Assert.InRange(purged, results.Count(r => r is ClaimCreated { Replayed: false }), Keys);
        Assert.Equal(0, await QueryNumberAsync("SELECT COUNT(*) FROM claim_items ci WHERE NOT EXISTS (SELECT 1 FROM claims c WHERE c.id = ci.claim_id)"));
    }

    [Fact]
    public async Task A_database_of_the_schema_before_claim_retention_is_upgraded_and_its_ended_claims_count_as_ended_at_their_expiry()
    {
        var ct = TestContext.Current.CancellationToken;
        await CreateSchemaBeforeMigrationAsync(2);

        var now = Clock.GetUtcNow().ToUnixTimeMilliseconds();
        const long Hour = 3_600_000;
        await ExecuteSqlAsync("""INSERT INTO hosts (name, generation, updated_at_ms, device_count, inventory_json) VALUES ('node-a', 1, 0, 0, '{"schema_version":1,"host":"node-a","devices":[],"creatable_types":[]}')""");
        await ExecuteSqlAsync(string.Create(CultureInfo.InvariantCulture, $"""
            INSERT INTO claims (id, host, state, created_at_ms, expires_at_ms, idempotency_key, request_fingerprint) VALUES
                ('released', 'node-a', 'released', {now - (3 * Hour)}, {now - (2 * Hour)}, 'k-released', 'f'),
                ('expired', 'node-a', 'expired', {now - (2 * Hour)}, {now - Hour}, 'k-expired', 'f'),
                ('confirmed', 'node-a', 'confirmed', {now - (240 * Hour)}, {now - (239 * Hour)}, NULL, 'f'),
                ('pending', 'node-a', 'pending', {now}, {now + Hour}, NULL, 'f')
            """));
        await ExecuteSqlAsync("""
            INSERT INTO claim_items (claim_id, resource_key, units) VALUES
                ('released', 'device:idle-1', 1), ('expired', 'device:idle-1', 1), ('confirmed', 'device:idle-1', 1), ('pending', 'device:idle-1', 1)
            """);

        Store = await OpenTrackedAsync();

        Assert.Equal(Enumerable.Range(1, MigrationCount), await Store.AppliedMigrationsAsync(ct));
        var start = FromMs(now);
        Assert.Equal(0, await Store.PurgeEndedClaimsAsync(start - TimeSpan.FromHours(2), cancellationToken: ct));
        Assert.Equal(1, await Store.PurgeEndedClaimsAsync(start - TimeSpan.FromHours(2) + TimeSpan.FromMilliseconds(1), cancellationToken: ct));
        Assert.Null(await Store.GetClaimAsync("released", ct));
        Assert.Equal(1, await Store.PurgeEndedClaimsAsync(start, cancellationToken: ct));
        Assert.Null(await Store.GetClaimAsync("expired", ct));
        Assert.Equal(0, await Store.PurgeEndedClaimsAsync(start + TimeSpan.FromDays(100), cancellationToken: ct));
        Assert.Equal(ClaimState.Confirmed, (await Store.GetClaimAsync("confirmed", ct))!.State);
        Assert.Equal(ClaimState.Pending, (await Store.GetClaimAsync("pending", ct))!.State);
        Assert.Equal(2, await QueryNumberAsync("SELECT COUNT(*) FROM claim_items"));
    }

    [Fact]
    public async Task A_database_from_before_the_in_use_rule_loses_the_capacity_of_devices_whose_use_is_unknown()
    {
        var ct = TestContext.Current.CancellationToken;
        await CreateSchemaBeforeMigrationAsync(3);

        const string Inventory = """{"schema_version":1,"host":"node-a","devices":[{"id":"unknown-1"},{"id":"unknown-2","in_use":null},{"id":"idle-1","in_use":false}],"creatable_types":[]}""";
        await ExecuteSqlAsync($"INSERT INTO hosts (name, generation, updated_at_ms, device_count, inventory_json) VALUES ('node-a', 1, 0, 3, '{Inventory}')");
        await ExecuteSqlAsync("""
            INSERT INTO resources (host, resource_key, capacity) VALUES
                ('node-a', 'device:unknown-1', 1), ('node-a', 'device:unknown-2', 1), ('node-a', 'device:idle-1', 1), ('node-a', 'type:p/t', 4)
            """);

        Store = await OpenTrackedAsync();

        Assert.Equal(Enumerable.Range(1, MigrationCount), await Store.AppliedMigrationsAsync(ct));
        Assert.Equal(2, await QueryNumberAsync("SELECT COUNT(*) FROM resources"));
        Assert.Equal(1, await QueryNumberAsync("SELECT COUNT(*) FROM resources WHERE resource_key = 'device:idle-1'"));
        Assert.Equal(1, await QueryNumberAsync("SELECT COUNT(*) FROM resources WHERE resource_key = 'type:p/t'"));
    }

    /// <summary>Makes a claim of <paramref name="kind"/> (2 units of two resources); returns it with the time it ended (or was made, for one still active).</summary>
    private async Task<(Claim Claim, DateTimeOffset End)> ArrangeClaimAsync(string kind)
    {
        var ct = TestContext.Current.CancellationToken;
        async Task<Claim> CreateAsync(TimeSpan ttl) =>
            Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(
                new ClaimRequest("node-a", [new(Inventories.GvtKey, 1), new("device:idle-1", 1)], ttl, null), ct)).Claim;

        var oneMinute = TimeSpan.FromMinutes(1);
        switch (kind)
        {
            case "released while pending":
            {
                var claim = await CreateAsync(TimeSpan.FromHours(2));
                await Store.ReleaseClaimAsync(claim.Id, ct);
                return (claim, Clock.GetUtcNow());
            }

            case "released after confirming":
            {
                var claim = await CreateAsync(oneMinute);
                await Store.ConfirmClaimAsync(claim.Id, ct);
                Clock.Advance(TimeSpan.FromHours(5));
                await Store.ReleaseClaimAsync(claim.Id, ct);
                return (claim, Clock.GetUtcNow());
            }

            case "expired and swept":
            {
                var claim = await CreateAsync(oneMinute);
                Clock.Advance(oneMinute);
                Assert.Equal(1, await Store.ExpireClaimsAsync(Clock.GetUtcNow(), ct));
                return (claim, claim.ExpiresAt);
            }

            case "expired and swept long after its expiry":
            {
                var claim = await CreateAsync(oneMinute);
                Clock.Advance(TimeSpan.FromMinutes(30));
                Assert.Equal(1, await Store.ExpireClaimsAsync(Clock.GetUtcNow(), ct));
                return (claim, claim.ExpiresAt);
            }

            case "expired by a refused confirm":
            {
                var claim = await CreateAsync(oneMinute);
                Clock.Advance(TimeSpan.FromMinutes(5));
                Assert.IsType<ClaimTransitionRefused>(await Store.ConfirmClaimAsync(claim.Id, ct));
                return (claim, claim.ExpiresAt);
            }

            case "confirmed":
            {
                var claim = await CreateAsync(oneMinute);
                await Store.ConfirmClaimAsync(claim.Id, ct);
                return (claim, Clock.GetUtcNow());
            }

            case "pending":
            {
                var claim = await CreateAsync(TimeSpan.FromDays(7));
                return (claim, Clock.GetUtcNow());
            }

            case "pending past its expiry but not swept yet":
            {
                var claim = await CreateAsync(oneMinute);
                return (claim, claim.ExpiresAt);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "no such kind of claim");
        }
    }

    private Task<long> ItemRowsAsync(string claimId) =>
        QueryNumberAsync($"SELECT COUNT(*) FROM claim_items WHERE claim_id = '{claimId}'");

    private static DateTimeOffset FromMs(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
}
