using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Storage;

namespace MigCompat.Fleet.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="IFleetStore"/> backend must show. Each test gets its own empty
/// database (a SQLite file, a PostgreSQL schema); a derived class says how to make one.
/// </summary>
public abstract partial class FleetStoreContractTests : IAsyncLifetime
{
    private readonly List<IFleetStore> _opened = [];

    internal ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2025, 6, 1, 8, 0, 0, TimeSpan.Zero));

    /// <summary>The store under test, open on this test's database.</summary>
    private protected RelationalFleetStore Store { get; private set; } = null!;

    /// <summary>Creates this test's empty database (or skips the test when the backend is unavailable).</summary>
    protected abstract ValueTask CreateTestDatabaseAsync();

    /// <summary>Opens a new store instance on this test's database, as another process would.</summary>
    private protected abstract Task<RelationalFleetStore> OpenInstanceAsync(TimeProvider clock);

    /// <summary>How many migrations the backend has.</summary>
    private protected abstract int MigrationCount { get; }

    /// <summary>Runs SQL on this test's database behind the store's back.</summary>
    protected abstract Task ExecuteSqlAsync(string sql);

    /// <summary>Runs a query on this test's database behind the store's back and returns its single value as a number.</summary>
    protected abstract Task<long> QueryNumberAsync(string sql);

    /// <summary>The backend's migrations and the statement creating <c>schema_migrations</c>, to build an older schema by hand.</summary>
    private protected abstract (IReadOnlyList<Migration> All, string CreateMigrationsTable) Migrations { get; }

    /// <summary>Removes this test's database.</summary>
    protected abstract ValueTask DropTestDatabaseAsync();

    public async ValueTask InitializeAsync()
    {
        await CreateTestDatabaseAsync();
        Store = await OpenTrackedAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _opened)
        {
            await store.DisposeAsync();
        }

        await DropTestDatabaseAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Opens another instance on the same database; disposed after the test.</summary>
    private protected async Task<RelationalFleetStore> OpenTrackedAsync()
    {
        var store = await OpenInstanceAsync(Clock);
        _opened.Add(store);
        return store;
    }

    /// <summary>Closes the store and opens it again: what a service restart does.</summary>
    private protected async Task RestartAsync()
    {
        await Store.DisposeAsync();
        _opened.Remove(Store);
        Store = await OpenTrackedAsync();
    }

    private protected async Task<long> PutNewAsync(HostInventory inventory)
    {
        var stored = Assert.IsType<HostStored>(await Store.PutHostAsync(inventory, 0, TestContext.Current.CancellationToken));
        return stored.Generation;
    }

    private protected static string Json(HostInventory? inventory) => InventoryJson.Serialize(Assert.IsType<HostInventory>(inventory));

    private protected async Task<ResourceCapacity> CapacityOfAsync(string host, string key)
    {
        var capacity = await Store.GetAvailableCapacityAsync(host, TestContext.Current.CancellationToken);
        Assert.NotNull(capacity);
        return Assert.Single(capacity.Resources, resource => resource.ResourceKey == key);
    }

    private protected static ClaimRequest Request(string host, int count, TimeSpan? ttl = null, string? key = null, string? resource = null) =>
        new(host, [new ClaimItem(resource ?? Inventories.GvtKey, count)], ttl ?? TimeSpan.FromMinutes(5), key);
}
