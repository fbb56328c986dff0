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
