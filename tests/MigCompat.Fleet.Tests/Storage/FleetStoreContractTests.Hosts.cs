using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Storage;

namespace MigCompat.Fleet.Tests.Storage;

public abstract partial class FleetStoreContractTests
{
    [Fact]
    public async Task A_new_host_is_stored_with_generation_1_and_reads_back_as_written()
    {
        var ct = TestContext.Current.CancellationToken;
        var inventory = Inventories.Host("node-a");

        var result = await Store.PutHostAsync(inventory, 0, ct);

        var stored = Assert.IsType<HostStored>(result);
        Assert.Equal(1, stored.Generation);
        Assert.Equal(Clock.GetUtcNow(), stored.UpdatedAt);
        var read = await Store.GetHostAsync("node-a", ct);
        Assert.NotNull(read);
        Assert.Equal(1, read.Generation);
        Assert.False(read.Drained);
        Assert.Equal(Clock.GetUtcNow(), read.UpdatedAt);
        Assert.Equal(Json(inventory), Json(read.Inventory));
        Assert.Empty(read.ReadDiagnostics);
    }

    [Fact]
    public async Task Each_update_with_the_current_generation_adds_one_and_replaces_the_inventory()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 1));

        for (var expected = 1; expected <= 3; expected++)
        {
            Clock.Advance(TimeSpan.FromSeconds(10));
            var result = await Store.PutHostAsync(Inventories.Host("node-a", freeInstances: expected + 1), expected, ct);
            Assert.Equal(expected + 1, Assert.IsType<HostStored>(result).Generation);
        }

        var read = await Store.GetHostAsync("node-a", ct);
        Assert.Equal(4, read!.Generation);
        Assert.Equal(Clock.GetUtcNow(), read.UpdatedAt);
        Assert.Equal(4, read.Inventory!.CreatableTypes[0].AvailableInstances);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(99)]
    public async Task An_update_with_a_stale_generation_is_refused_and_the_stored_inventory_stays(long staleGeneration)
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 1));
        await Store.PutHostAsync(Inventories.Host("node-a", freeInstances: 2), 1, ct);
        var before = await Store.GetHostAsync("node-a", ct);
        Clock.Advance(TimeSpan.FromMinutes(1));

        var result = await Store.PutHostAsync(Inventories.Host("node-a", freeInstances: 9), staleGeneration, ct);

        Assert.Equal(new GenerationConflict("node-a", staleGeneration, 2), result);
        var after = await Store.GetHostAsync("node-a", ct);
        Assert.Equal(2, after!.Generation);
        Assert.Equal(before!.UpdatedAt, after.UpdatedAt);
        Assert.Equal(Json(before.Inventory), Json(after.Inventory));
        Assert.Equal(2, (await CapacityOfAsync("node-a", Inventories.GvtKey)).Capacity);
    }

    [Fact]
    public async Task Updating_a_host_that_does_not_exist_is_a_conflict_with_generation_0_and_stores_nothing()
    {
        var ct = TestContext.Current.CancellationToken;

        var result = await Store.PutHostAsync(Inventories.Host("ghost"), 1, ct);

        Assert.Equal(new GenerationConflict("ghost", 1, 0), result);
        Assert.Null(await Store.GetHostAsync("ghost", ct));
        Assert.Empty(await Store.ListHostsAsync(ct));
    }

    public static TheoryData<string, HostInventory, long> InvalidPuts => new()
    {
        { "empty host name", Inventories.Host(" "), 0 },
        { "negative generation", Inventories.Host("node-a"), -1 },
        { "duplicate device ids", Inventories.Host("node-a", devices: [Inventories.Device("d", false), Inventories.Device("d", false)]), 0 },
        { "negative capacity", Inventories.Host("node-a", freeInstances: -3), 0 },
    };

    [Theory]
    [MemberData(nameof(InvalidPuts))]
    public async Task An_inventory_that_cannot_be_stored_is_refused_with_a_reason_and_nothing_is_written(string why, HostInventory inventory, long generation)
    {
        var ct = TestContext.Current.CancellationToken;

        var result = await Store.PutHostAsync(inventory, generation, ct);

        var invalid = Assert.IsType<InvalidInventory>(result);
        Assert.False(string.IsNullOrWhiteSpace(invalid.Reason), why);
        Assert.Empty(await Store.ListHostsAsync(ct));
    }

    [Fact]
    public async Task A_drained_host_stays_drained_across_updates_until_undrained_and_keeps_its_generation()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a"));
        Clock.Advance(TimeSpan.FromSeconds(5));

        Assert.True(await Store.SetDrainedAsync("node-a", true, ct));
        var drained = await Store.GetHostAsync("node-a", ct);
        Assert.True(drained!.Drained);
        Assert.Equal(1, drained.Generation);
        Assert.Equal(Clock.GetUtcNow(), drained.UpdatedAt);

        await Store.PutHostAsync(Inventories.Host("node-a"), 1, ct);
        Assert.True((await Store.ListHostsAsync(ct)).Single().Drained);

        Assert.True(await Store.SetDrainedAsync("node-a", false, ct));
        Assert.False((await Store.GetHostAsync("node-a", ct))!.Drained);
    }

    [Fact]
    public async Task Draining_or_deleting_an_unknown_host_reports_false()
    {
        var ct = TestContext.Current.CancellationToken;

        Assert.False(await Store.SetDrainedAsync("ghost", true, ct));
        Assert.False(await Store.DeleteHostAsync("ghost", ct));
        Assert.Null(await Store.GetHostAsync("ghost", ct));
        Assert.Null(await Store.GetAvailableCapacityAsync("ghost", ct));
    }

    [Fact]
    public async Task Deleting_a_host_removes_it_with_its_claims_and_a_new_host_of_that_name_starts_at_generation_1()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a"));
        await PutNewAsync(Inventories.Host("node-b"));
        var claim = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 2, key: "k1"), ct)).Claim;
        var released = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 1, resource: "device:idle-1"), ct)).Claim;
        await Store.ReleaseClaimAsync(released.Id, ct);
        Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-b", 1), ct));

        Assert.True(await Store.DeleteHostAsync("node-a", ct));

        Assert.Null(await Store.GetHostAsync("node-a", ct));
        Assert.Null(await Store.GetClaimAsync(claim.Id, ct));
        Assert.Null(await Store.GetClaimAsync(released.Id, ct));
        Assert.Equal(0, await QueryNumberAsync("SELECT COUNT(*) FROM resources WHERE host = 'node-a'"));
        Assert.Equal(0, await QueryNumberAsync("SELECT COUNT(*) FROM claims WHERE host = 'node-a'"));
        Assert.Equal(1, await QueryNumberAsync("SELECT COUNT(*) FROM claims"));
        Assert.Equal(1, await QueryNumberAsync("SELECT COUNT(*) FROM claim_items"));
        Assert.Equal(2, await QueryNumberAsync("SELECT COUNT(*) FROM resources WHERE host = 'node-b'"));
        Assert.Equal(["node-b"], (await Store.ListHostsAsync(ct)).Select(h => h.Name));
        Assert.False(await Store.DeleteHostAsync("node-a", ct));
        Assert.Equal(1, await PutNewAsync(Inventories.Host("node-a")));
        Assert.Equal(0, (await CapacityOfAsync("node-a", Inventories.GvtKey)).Claimed);
        var again = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 2, key: "k1"), ct));
        Assert.NotEqual(claim.Id, again.Claim.Id);
    }

    [Fact]
    public async Task Listing_gives_every_host_by_name_with_generation_drain_flag_and_device_count()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-b", devices: [Inventories.Device("x", false)]));
        await PutNewAsync(Inventories.Host("node-a"));
        await Store.PutHostAsync(Inventories.Host("node-a"), 1, ct);
        await PutNewAsync(Inventories.Host("node-c", devices: []));
        await Store.SetDrainedAsync("node-c", true, ct);

        var hosts = await Store.ListHostsAsync(ct);

        Assert.Equal(
            [("node-a", 2L, false, 2), ("node-b", 1L, false, 1), ("node-c", 1L, true, 0)],
            hosts.Select(h => (h.Name, h.Generation, h.Drained, h.DeviceCount)));
        Assert.All(hosts, h => Assert.Equal(Clock.GetUtcNow(), h.UpdatedAt));
        Assert.Equal(3, await Store.CountHostsAsync(ct));
        var streamed = new List<HostSummary>();
        await foreach (var summary in Store.StreamHostSummariesAsync(ct))
        {
            streamed.Add(summary);
        }

        Assert.Equal(hosts, streamed.OrderBy(h => h.Name, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Loading_all_streams_every_stored_host_with_its_inventory()
    {
        var ct = TestContext.Current.CancellationToken;
        var names = Enumerable.Range(0, 40).Select(i => $"node-{i:D3}").ToList();
        foreach (var name in names)
        {
            await PutNewAsync(Inventories.Host(name, freeInstances: name.Length));
        }

        var loaded = new List<StoredHost>();
        await foreach (var host in Store.LoadAllAsync(ct))
        {
            loaded.Add(host);
        }

        Assert.Equal(names, loaded.Select(h => h.Name).Order(StringComparer.Ordinal));
        Assert.All(loaded, h => Assert.Equal(Json(Inventories.Host(h.Name, freeInstances: h.Name.Length)), Json(h.Inventory)));
    }

    [Fact]
    public async Task Stopping_a_load_early_or_loading_an_empty_store_leaves_the_store_usable()
    {
        var ct = TestContext.Current.CancellationToken;
        await foreach (var unexpected in Store.LoadAllAsync(ct))
        {
            Assert.Fail($"an empty store loaded {unexpected.Name}");
        }

        for (var i = 0; i < 2000; i += 100)
        {
            await ExecuteSqlAsync(
                $"""
                INSERT INTO hosts (name, generation, drained, updated_at_ms, device_count, inventory_json)
                WITH RECURSIVE n(i) AS (SELECT {i} UNION ALL SELECT i + 1 FROM n WHERE i < {i + 99})
                SELECT 'bulk-' || i, 1, false, 0, 2, '{Json(Inventories.Host("bulk")).Replace("'", "''", StringComparison.Ordinal)}' FROM n
                """);
        }

        var seen = 0;
        await foreach (var host in Store.LoadAllAsync(ct))
        {
            if (++seen == 3)
            {
                break;
            }
        }

        Assert.Equal(3, seen);
        Assert.IsType<HostStored>(await Store.PutHostAsync(Inventories.Host("node-after"), 0, ct));
        Assert.Equal(2001, (await Store.ListHostsAsync(ct)).Length);
    }

    [Fact]
    public async Task Capacity_resources_are_the_devices_known_to_be_free_and_the_free_instances_of_each_creatable_type()
    {
        var ct = TestContext.Current.CancellationToken;
        var devices = new[] { Inventories.Device("busy", true), Inventories.Device("idle", false), Inventories.Device("unknown-use", null) };
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 3, devices: [.. devices]));

        var capacity = await Store.GetAvailableCapacityAsync("node-a", ct);

        Assert.Equal(
            [("device:idle", 1L), (Inventories.GvtKey, 3L)],
            capacity!.Resources.Select(r => (r.ResourceKey, r.Available)));
        Assert.Equal(1, capacity.Generation);
    }

    [Fact]
    public async Task Data_and_claims_survive_a_restart()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a"));
        await Store.PutHostAsync(Inventories.Host("node-a"), 1, ct);
        await Store.SetDrainedAsync("node-a", true, ct);
        await PutNewAsync(Inventories.Host("node-b"));
        var pending = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-b", 2, key: "pending"), ct)).Claim;
        var confirmed = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-b", 1), ct)).Claim;
        await Store.ConfirmClaimAsync(confirmed.Id, ct);

        await RestartAsync();

        var a = await Store.GetHostAsync("node-a", ct);
        Assert.Equal((2L, true), (a!.Generation, a.Drained));
        Assert.Equal(Json(Inventories.Host("node-a")), Json(a.Inventory));
        Assert.Equal(pending, await Store.GetClaimAsync(pending.Id, ct));
        Assert.Equal(ClaimState.Confirmed, (await Store.GetClaimAsync(confirmed.Id, ct))!.State);
        Assert.Equal(2, (await CapacityOfAsync("node-b", Inventories.GvtKey)).Available);
        var replay = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-b", 2, key: "pending"), ct));
        Assert.True(replay.Replayed);
        Assert.Equal(pending.Id, replay.Claim.Id);
    }
}
