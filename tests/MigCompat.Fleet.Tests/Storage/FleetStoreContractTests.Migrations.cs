using System.Globalization;
using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Storage;

namespace MigCompat.Fleet.Tests.Storage;

public abstract partial class FleetStoreContractTests
{
    [Fact]
    public async Task A_fresh_database_gets_every_migration_once()
    {
        var applied = await Store.AppliedMigrationsAsync(TestContext.Current.CancellationToken);

        Assert.Equal(Enumerable.Range(1, MigrationCount), applied);
    }

    [Fact]
    public async Task Reopening_a_migrated_database_applies_nothing_again_and_keeps_the_data()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a"));

        await RestartAsync();
        await RestartAsync();

        Assert.Equal(Enumerable.Range(1, MigrationCount), await Store.AppliedMigrationsAsync(ct));
        Assert.Equal(1, (await Store.GetHostAsync("node-a", ct))!.Generation);
    }

    [Fact]
    public async Task Several_instances_opening_the_same_fresh_database_at_once_all_succeed_and_migrate_once()
    {
        var ct = TestContext.Current.CancellationToken;
        await DropAndRecreateTestDatabaseAsync();

        var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(OpenTrackedAsync, ct)));

        foreach (var store in opened)
        {
            Assert.Equal(Enumerable.Range(1, MigrationCount), await store.AppliedMigrationsAsync(ct));
        }

        Assert.IsType<HostStored>(await opened[0].PutHostAsync(Inventories.Host("node-a"), 0, ct));
        Assert.NotNull(await opened[3].GetHostAsync("node-a", ct));
    }

    [Fact]
    public async Task A_database_migrated_by_a_newer_version_is_refused_with_a_clear_error()
    {
        await ExecuteSqlAsync("INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (999, 'from the future', 0)");

        var error = await Assert.ThrowsAsync<FleetStoreException>(() => OpenInstanceAsync(Clock));

        Assert.Contains("999", error.Message, StringComparison.Ordinal);
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_from_before_the_foreign_keys_keeps_its_data_loses_its_orphans_and_deletes_a_host_with_its_rows()
    {
        var ct = TestContext.Current.CancellationToken;
        await CreateSchemaBeforeMigrationAsync(4);

        foreach (var name in new[] { "node-a", "node-b" })
        {
            var json = InventoryJson.Serialize(Inventories.Host(name));
            await ExecuteSqlAsync($"INSERT INTO hosts (name, generation, updated_at_ms, device_count, inventory_json) VALUES ('{name}', 3, 1000, 2, '{json}')");
        }

        var key = Inventories.GvtKey;
        await ExecuteSqlAsync($"""
            INSERT INTO resources (host, resource_key, capacity) VALUES
                ('node-a', '{key}', 5), ('node-a', 'device:idle-1', 1), ('node-b', '{key}', 5), ('node-b', 'device:idle-1', 1),
                ('ghost', '{key}', 9)
            """);
        await ExecuteSqlAsync("""
            INSERT INTO claims (id, host, state, created_at_ms, expires_at_ms, idempotency_key, request_fingerprint, ended_at_ms) VALUES
                ('a-confirmed', 'node-a', 'confirmed', 0, 1, 'k-a', 'f', NULL),
                ('a-released', 'node-a', 'released', 0, 1, NULL, 'f', 1),
                ('b-confirmed', 'node-b', 'confirmed', 0, 1, 'k-b', 'f', NULL),
                ('ghost-claim', 'ghost', 'confirmed', 0, 1, NULL, 'f', NULL)
            """);
        await ExecuteSqlAsync($"""
            INSERT INTO claim_items (claim_id, resource_key, units) VALUES
                ('a-confirmed', '{key}', 2), ('a-confirmed', 'device:idle-1', 1), ('a-released', '{key}', 1), ('b-confirmed', '{key}', 3),
                ('ghost-claim', '{key}', 1), ('no-such-claim', '{key}', 1)
            """);

        Store = await OpenTrackedAsync();

        Assert.Equal(Enumerable.Range(1, MigrationCount), await Store.AppliedMigrationsAsync(ct));
        Assert.Equal(["node-a", "node-b"], (await Store.ListHostsAsync(ct)).Select(h => h.Name));
        Assert.Equal(3, (await Store.GetHostAsync("node-a", ct))!.Generation);
        Assert.Equal(4, await QueryNumberAsync("SELECT COUNT(*) FROM resources"));
        Assert.Equal(3, await QueryNumberAsync("SELECT COUNT(*) FROM claims"));
        Assert.Equal(4, await QueryNumberAsync("SELECT COUNT(*) FROM claim_items"));
        Assert.Equal(3, (await CapacityOfAsync("node-a", key)).Available);
        Assert.Equal(2, (await CapacityOfAsync("node-b", key)).Available);
        var kept = await Store.GetClaimAsync("b-confirmed", ct);
        Assert.Equal((ClaimState.Confirmed, 3), (kept!.State, Assert.Single(kept.Items).Count));

        Assert.True(await Store.DeleteHostAsync("node-a", ct));

        Assert.Equal(2, await QueryNumberAsync("SELECT COUNT(*) FROM resources"));
        Assert.Equal(1, await QueryNumberAsync("SELECT COUNT(*) FROM claims"));
        Assert.Equal(1, await QueryNumberAsync("SELECT COUNT(*) FROM claim_items"));
        Assert.Null(await Store.GetClaimAsync("a-released", ct));
    }

    /// <summary>Replaces this test's database with an empty one whose schema is that of the migrations before <paramref name="version"/>, as an older MigCompat left it.</summary>
    private async Task CreateSchemaBeforeMigrationAsync(int version)
    {
        await DropAndRecreateTestDatabaseAsync();
        var (all, createMigrationsTable) = Migrations;
        await ExecuteSqlAsync(createMigrationsTable);
        foreach (var migration in all.Where(m => m.Version < version))
        {
            await ExecuteSqlAsync(migration.Sql);
            await ExecuteSqlAsync(string.Create(CultureInfo.InvariantCulture,
                $"INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES ({migration.Version}, 'by hand', 0)"));
        }
    }

    private async Task DropAndRecreateTestDatabaseAsync()
    {
        foreach (var store in _opened)
        {
            await store.DisposeAsync();
        }

        _opened.Clear();
        await DropTestDatabaseAsync();
        await CreateTestDatabaseAsync();
    }
}
