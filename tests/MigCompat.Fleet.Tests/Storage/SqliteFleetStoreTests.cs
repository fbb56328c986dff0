using MigCompat.Fleet.Storage;
using MigCompat.Fleet.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace MigCompat.Fleet.Tests.Storage;

/// <summary>The store contract on SQLite: each test gets a new file in its own temporary directory.</summary>
public sealed class SqliteFleetStoreTests : FleetStoreContractTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "migcompat-fleet-tests", Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(_directory, "fleet.db");

    private protected override int MigrationCount => SqliteMigrations.All.Count;

    private protected override (IReadOnlyList<Migration> All, string CreateMigrationsTable) Migrations => (SqliteMigrations.All, SqliteMigrations.CreateMigrationsTable);

    protected override ValueTask CreateTestDatabaseAsync()
    {
        Directory.CreateDirectory(_directory);
        return ValueTask.CompletedTask;
    }

    private protected override async Task<RelationalFleetStore> OpenInstanceAsync(TimeProvider clock) =>
        await SqliteFleetStore.OpenAsync(DatabasePath, clock, TestContext.Current.CancellationToken);

    protected override async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    protected override async Task<long> QueryNumberAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    protected override ValueTask DropTestDatabaseAsync()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task The_database_file_is_created_in_an_existing_directory_and_uses_a_write_ahead_log()
    {
        var path = Path.Combine(_directory, "fleet.db");

        await using (var store = await SqliteFleetStore.OpenAsync(path, Clock, TestContext.Current.CancellationToken))
        {
            Assert.Equal(Path.GetFullPath(path), store.Path);
        }

        Assert.True(File.Exists(path));
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_database_in_a_directory_that_does_not_exist_is_refused_and_the_directory_is_not_created()
    {
        var nested = Path.Combine(_directory, "a", "b", "fleet.db");

        var error = await Assert.ThrowsAsync<FleetStoreException>(() => SqliteFleetStore.OpenAsync(nested, Clock, TestContext.Current.CancellationToken));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_directory, "a")));
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_is_refused_with_a_clear_error_and_left_as_it_was()
    {
        var path = Path.Combine(_directory, "notes.txt");
        const string text = "these are not the tables you are looking for\n";
        await File.WriteAllTextAsync(path, text, TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<FleetStoreException>(() => SqliteFleetStore.OpenAsync(path, Clock, TestContext.Current.CancellationToken));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Equal(text, await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task The_factory_opens_a_plain_path_and_a_sqlite_spec_on_the_same_file()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = Path.Combine(_directory, "via-factory.db");
        await using (var plain = await FleetStoreFactory.OpenAsync(path, Clock, ct))
        {
            Assert.IsType<HostStored>(await plain.PutHostAsync(Inventories.Host("node-a"), 0, ct));
        }

        await using var prefixed = await FleetStoreFactory.OpenAsync("sqlite:" + path, Clock, ct);
        Assert.IsType<SqliteFleetStore>(prefixed);
        Assert.Equal(1, (await prefixed.GetHostAsync("node-a", ct))!.Generation);
    }
}
