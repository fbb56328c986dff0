using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Search;
using MigCompat.Fleet.Service;
using MigCompat.Fleet.Storage;
using MigCompat.Fleet.Storage.Postgres;
using MigCompat.Fleet.Storage.Sqlite;
using MigCompat.Fleet.Tests.Search;
using MigCompat.Fleet.Tests.Storage;

namespace MigCompat.Fleet.Tests.Service;

/// <summary>
/// Two live <see cref="FleetService"/> instances — each with its own store connection pool, index and
/// refresh — over one database, as two stateless instances behind a load balancer: what one writes
/// reaches the other's search answers at the other's next refresh (search is optimistic), while
/// claims are decided in the database at once (claims are authoritative). A derived class says
/// which database; each test gets an empty one.
/// </summary>
public abstract class TwoServiceInstancesTests : IAsyncLifetime
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(5);

    private readonly List<FleetService> _started = [];

    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2025, 6, 1, 8, 0, 0, TimeSpan.Zero));

    /// <summary>The changes <see cref="A_change_made_through_one_instance_reaches_the_others_answers_at_its_next_refresh_and_not_before"/> makes through instance A.</summary>
    public enum HostChange
    {
        StoredAsANewHost,
        UpdatedToOfferNothingFree,
        Drained,
        Undrained,
        Deleted,
        DeletedAndStoredAgainAtALowerGenerationOfferingNothing,
        DeletedAndStoredAgainAtTheSameGenerationOfferingNothing,
        DeletedWhileDrainedAndStoredAgainUndrainedOfferingCapacity,
    }

    /// <summary>Creates this test's empty database (or skips the test when the backend is unavailable).</summary>
    protected abstract ValueTask CreateTestDatabaseAsync();

    /// <summary>Opens a new store on this test's database, as another service process would.</summary>
    private protected abstract Task<IFleetStore> OpenStoreAsync(TimeProvider clock);

    /// <summary>Removes this test's database.</summary>
    protected abstract ValueTask DropTestDatabaseAsync();

    public async ValueTask InitializeAsync() => await CreateTestDatabaseAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _started)
        {
            await service.DisposeAsync();
        }

        await DropTestDatabaseAsync();
        GC.SuppressFinalize(this);
    }

    [Theory]
    [InlineData(HostChange.StoredAsANewHost, false, true)]
    [InlineData(HostChange.UpdatedToOfferNothingFree, true, false)]
    [InlineData(HostChange.Drained, true, false)]
    [InlineData(HostChange.Undrained, false, true)]
    [InlineData(HostChange.Deleted, true, false)]
    [InlineData(HostChange.DeletedAndStoredAgainAtALowerGenerationOfferingNothing, true, false)]
    [InlineData(HostChange.DeletedAndStoredAgainAtTheSameGenerationOfferingNothing, true, false)]
    [InlineData(HostChange.DeletedWhileDrainedAndStoredAgainUndrainedOfferingCapacity, false, true)]
    public async Task A_change_made_through_one_instance_reaches_the_others_answers_at_its_next_refresh_and_not_before(HostChange change, bool offeredBefore, bool offeredAfter)
    {
        var ct = TestContext.Current.CancellationToken;
        var a = await StartAsync();

        // What instance B finds when it starts.
        switch (change)
        {
            case HostChange.StoredAsANewHost:
                break;
            case HostChange.Undrained:
                await PutAsync(a, Offering("node-a"), 0);
                Assert.True(await a.SetDrainedAsync("node-a", true, ct));
                break;
            case HostChange.DeletedAndStoredAgainAtALowerGenerationOfferingNothing:
                await PutAsync(a, Offering("node-a"), 0);
                await PutAsync(a, Offering("node-a"), 1);
                await PutAsync(a, Offering("node-a"), 2);
                break;
            case HostChange.DeletedWhileDrainedAndStoredAgainUndrainedOfferingCapacity:
                await PutAsync(a, OfferingNothing("node-a"), 0);
                Assert.True(await a.SetDrainedAsync("node-a", true, ct));
                break;
            default:
                await PutAsync(a, Offering("node-a"), 0);
                break;
        }

        await PutAsync(a, Offering("node-z"), 0); // a bystander both instances always offer
        var b = await StartAsync();
        var before = Offered(b);
        Assert.Equal(Offered(a), before);
        Assert.Equal(offeredBefore ? ["node-a", "node-z"] : ["node-z"], before);

        // Time passes, then instance A changes node-a.
        _clock.Advance(TimeSpan.FromSeconds(1));
        switch (change)
        {
            case HostChange.StoredAsANewHost:
                await PutAsync(a, Offering("node-a"), 0);
                break;
            case HostChange.UpdatedToOfferNothingFree:
                await PutAsync(a, OfferingNothing("node-a"), 1);
                break;
            case HostChange.Drained:
                Assert.True(await a.SetDrainedAsync("node-a", true, ct));
                break;
            case HostChange.Undrained:
                Assert.True(await a.SetDrainedAsync("node-a", false, ct));
                break;
            case HostChange.Deleted:
                Assert.True(await a.DeleteHostAsync("node-a", ct));
                break;
            case HostChange.DeletedAndStoredAgainAtALowerGenerationOfferingNothing:
            case HostChange.DeletedAndStoredAgainAtTheSameGenerationOfferingNothing:
                Assert.True(await a.DeleteHostAsync("node-a", ct));
                await PutAsync(a, OfferingNothing("node-a"), 0);
                break;
            case HostChange.DeletedWhileDrainedAndStoredAgainUndrainedOfferingCapacity:
                Assert.True(await a.DeleteHostAsync("node-a", ct));
                await PutAsync(a, Offering("node-a"), 0);
                break;
        }

        string[] after = offeredAfter ? ["node-a", "node-z"] : ["node-z"];
        Assert.Equal(after, Offered(a));
        Assert.Equal(before, Offered(b));

        await b.RefreshAsync(ct);

        Assert.Equal(after, Offered(b));
        Assert.Equal(a.HostCount, b.HostCount);
        await b.RefreshAsync(ct);
        Assert.Equal(after, Offered(b));
    }

    [Fact]
    public async Task A_claim_through_one_instance_is_counted_by_the_other_at_once_because_claims_are_decided_in_the_database()
    {
        var ct = TestContext.Current.CancellationToken;
        var a = await StartAsync();
        await PutAsync(a, Offering("node-a", freeInstances: 2), 0);
        var b = await StartAsync();

        var claim = Assert.IsType<ClaimCreated>(await a.CreateClaimAsync(Request("node-a", 2), ct)).Claim;

        // B's index has not refreshed: its search still offers node-a (optimistic) ...
        Assert.Equal(["node-a"], Offered(b));
        Assert.Equal(0, b.ClaimedUnits);

        // ... but B's capacity and claims read the database, so nothing more can be taken through B.
        Assert.Equal(new ResourceCapacity(Inventories.GvtKey, 2, 2, 0), Assert.Single((await b.GetCapacityAsync("node-a", ct))!.Resources));
        var refused = Assert.IsType<InsufficientCapacity>(await b.CreateClaimAsync(Request("node-a", 1), ct));
        Assert.Equal([new ItemAvailability(Inventories.GvtKey, 1, 0)], refused.Items);
        Assert.Equal(ClaimState.Pending, (await b.GetClaimAsync(claim.Id, ct))!.State);

        // Once B released it (any instance may), A can claim again at once.
        Assert.IsType<ClaimTransitioned>(await b.ReleaseClaimAsync(claim.Id, ct));
        Assert.IsType<ClaimCreated>(await a.CreateClaimAsync(Request("node-a", 2), ct));
    }

    [Theory]
    [InlineData("released", true)]
    [InlineData("expired", true)]
    [InlineData("confirmed", false)]
    public async Task A_claim_through_one_instance_leaves_the_others_answers_at_its_next_refresh_and_comes_back_when_it_ends(string ending, bool offeredAtTheEnd)
    {
        var ct = TestContext.Current.CancellationToken;
        var a = await StartAsync();
        await PutAsync(a, Offering("node-a", freeInstances: 2), 0);
        await PutAsync(a, Offering("node-z", freeInstances: 2), 0);
        var b = await StartAsync();
        var claim = Assert.IsType<ClaimCreated>(await a.CreateClaimAsync(Request("node-a", 2, TimeSpan.FromMinutes(1)), ct)).Claim;
        Assert.Equal(["node-z"], Offered(a));
        Assert.Equal(["node-a", "node-z"], Offered(b));

        await b.RefreshAsync(ct);

        Assert.Equal(["node-z"], Offered(b));
        Assert.Equal(2, b.ClaimedUnits);
        Assert.Contains(b.FindTargets(Query()).Rejected, rejected => rejected.Host == "node-a");

        switch (ending)
        {
            case "released":
                Assert.IsType<ClaimTransitioned>(await a.ReleaseClaimAsync(claim.Id, ct));
                Assert.Equal(["node-z"], Offered(b));
                break;
            case "confirmed":
                Assert.IsType<ClaimTransitioned>(await a.ConfirmClaimAsync(claim.Id, ct));
                break;
        }

        // Past the claim's expiry; no instance has swept it: an expired claim simply no longer counts.
        _clock.Advance(TimeSpan.FromMinutes(2));
        await b.RefreshAsync(ct);

        string[] expected = offeredAtTheEnd ? ["node-a", "node-z"] : ["node-z"];
        Assert.Equal(expected, Offered(b));
        Assert.Equal(offeredAtTheEnd ? 0 : 2, b.ClaimedUnits);
        await a.RefreshAsync(ct);
        Assert.Equal(expected, Offered(a));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(16)]
    public async Task Claims_racing_through_two_instances_for_the_last_unit_give_it_to_exactly_one(int racers)
    {
        var ct = TestContext.Current.CancellationToken;
        var a = await StartAsync();
        await PutAsync(a, Offering("node-a", freeInstances: 1), 0);
        var b = await StartAsync();
        FleetService[] instances = [a, b];
        Assert.All(instances, instance => Assert.Equal(["node-a"], Offered(instance)));
        using var start = new ManualResetEventSlim();

        var claims = Enumerable.Range(0, racers).Select(i => Task.Run(async () =>
        {
            start.Wait(ct);
            return await instances[i % 2].CreateClaimAsync(Request("node-a", 1), ct);
        }, ct)).ToList();
        start.Set();
        var results = await Task.WhenAll(claims);

        Assert.Single(results.OfType<ClaimCreated>());
        Assert.All(results.Where(r => r is not ClaimCreated), r => Assert.Equal([new ItemAvailability(Inventories.GvtKey, 1, 0)], Assert.IsType<InsufficientCapacity>(r).Items));
        Assert.Equal(new ResourceCapacity(Inventories.GvtKey, 1, 1, 0), Assert.Single((await b.GetCapacityAsync("node-a", ct))!.Resources));
        foreach (var instance in instances)
        {
            await instance.RefreshAsync(ct);
            Assert.Empty(Offered(instance));
            Assert.Equal(1, instance.ClaimedUnits);
        }
    }

    [Fact]
    public async Task The_background_refresh_brings_the_other_instances_writes_into_the_index_one_interval_later()
    {
        var ct = TestContext.Current.CancellationToken;
        var clock = new SteppingTimeProvider(_clock.GetUtcNow());
        var a = await StartAsync(clock); // no background loop: the clock's only timer is B's
        var b = await StartAsync(clock, Tick);
        await clock.WaitForArmedTimerAsync(ct);

        await PutAsync(a, Offering("node-a", freeInstances: 2), 0);
        clock.Advance(Tick - TimeSpan.FromSeconds(1));
        Assert.Empty(Offered(b));
        Assert.Equal(0, b.HostCount);

        await AdvanceToNextRefreshAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(["node-a"], Offered(b));

        var claim = Assert.IsType<ClaimCreated>(await a.CreateClaimAsync(Request("node-a", 2), ct)).Claim;
        Assert.Equal(["node-a"], Offered(b));
        await AdvanceToNextRefreshAsync(Tick);
        Assert.Empty(Offered(b));
        Assert.Equal(2, b.ClaimedUnits);

        await a.ReleaseClaimAsync(claim.Id, ct);
        Assert.True(await a.SetDrainedAsync("node-a", true, ct));
        await AdvanceToNextRefreshAsync(Tick);
        Assert.Empty(Offered(b));
        Assert.Equal(0, b.ClaimedUnits);

        Assert.True(await a.DeleteHostAsync("node-a", ct));
        Assert.Equal(1, b.HostCount);
        await AdvanceToNextRefreshAsync(Tick);
        Assert.Equal(0, b.HostCount);
        Assert.Contains("migcompat_sync_runs_total{outcome=\"refresh_ok\"} 4", b.Metrics.ToPrometheusText(b.HostCount, b.ClaimedUnits), StringComparison.Ordinal);

        async Task AdvanceToNextRefreshAsync(TimeSpan by)
        {
            clock.Advance(by);
            await clock.WaitForArmedTimerAsync(ct); // the loop refreshed and waits for its next tick
        }
    }

    /// <summary>A host offering <paramref name="freeInstances"/> GVT-g instances and nothing else.</summary>
    private static HostInventory Offering(string name, int freeInstances = 5) =>
        Inventories.Host(name, freeInstances, devices: [Inventories.Device("busy-1", inUse: true)]);

    /// <summary>A host whose one GVT-g device is in use and whose type has no free instance.</summary>
    private static HostInventory OfferingNothing(string name) =>
        Inventories.Host(name, freeInstances: 0, devices: [Inventories.Device("busy-1", inUse: true)]);

    /// <summary>One GVT-g device given inline: any host with a free GVT-g instance can take it.</summary>
    private static TargetQuery Query() =>
        new(string.Empty, [new VmDeviceRef(null, TestFleet.Parse(Inventories.Descriptor(Inventories.GvtType)))], Limit: 50, MaxRejected: 50);

    /// <summary>The hosts the instance's index offers as targets, by name.</summary>
    private static string[] Offered(FleetService service)
    {
        var result = service.FindTargets(Query());
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Message)));
        return [.. result.Candidates.Select(c => c.Host).Order(StringComparer.Ordinal)];
    }

    private static ClaimRequest Request(string host, int count, TimeSpan? ttl = null) =>
        new(host, [new ClaimItem(Inventories.GvtKey, count)], ttl ?? TimeSpan.FromMinutes(5), null);

    private static async Task PutAsync(FleetService service, HostInventory inventory, long expectedGeneration)
    {
        var outcome = await service.PutHostAsync(inventory, expectedGeneration, TestContext.Current.CancellationToken);
        Assert.Equal(expectedGeneration + 1, Assert.IsType<HostStored>(outcome.Result).Generation);
    }

    /// <summary>Starts an instance on its own store; without a refresh interval it refreshes only when told to.</summary>
    private async Task<FleetService> StartAsync(TimeProvider? clock = null, TimeSpan refresh = default)
    {
        clock ??= _clock;
        var service = await FleetService.StartAsync(await OpenStoreAsync(clock), new FleetServiceOptions
        {
            RefreshInterval = refresh,
            ExpirySweepInterval = TimeSpan.Zero,
            TimeProvider = clock,
        }, TestContext.Current.CancellationToken);
        _started.Add(service);
        return service;
    }
}

/// <summary>Two service instances on one PostgreSQL schema: the deployment the shared database is for.</summary>
public sealed class TwoServiceInstancesOnPostgresTests(PostgresTestServer server) : TwoServiceInstancesTests, IClassFixture<PostgresTestServer>
{
    private readonly PostgresSchema _schema = new(server);

    protected override ValueTask CreateTestDatabaseAsync() => _schema.CreateAsync();

    private protected override async Task<IFleetStore> OpenStoreAsync(TimeProvider clock) =>
        await PostgresFleetStore.OpenAsync(_schema.ConnectionString, clock, TestContext.Current.CancellationToken);

    protected override ValueTask DropTestDatabaseAsync() => _schema.DropAsync();
}

/// <summary>
/// Two service instances on one SQLite file. SQLite is documented as the single-instance default,
/// but nothing refuses a second opener: writers are serialised by the file's lock, so the same story holds.
/// </summary>
public sealed class TwoServiceInstancesOnSqliteTests : TwoServiceInstancesTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "migcompat-fleet-tests", Guid.NewGuid().ToString("N"));

    protected override ValueTask CreateTestDatabaseAsync()
    {
        Directory.CreateDirectory(_directory);
        return ValueTask.CompletedTask;
    }

    private protected override async Task<IFleetStore> OpenStoreAsync(TimeProvider clock) =>
        await SqliteFleetStore.OpenAsync(Path.Combine(_directory, "fleet.db"), clock, TestContext.Current.CancellationToken);

    protected override ValueTask DropTestDatabaseAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}
