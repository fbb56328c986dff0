using MigCompat.Fleet.Storage;
using MigCompat.Fleet.Storage.Postgres;
using Npgsql;

namespace MigCompat.Fleet.Tests.Storage;

/// <summary>
/// The store contract on PostgreSQL: a fresh database for the class, a fresh schema per test.
/// Skipped with a reason when <c>MIGCOMPAT_TEST_POSTGRES</c> is unset.
/// </summary>
public sealed class PostgresFleetStoreTests(PostgresTestServer server) : FleetStoreContractTests, IClassFixture<PostgresTestServer>
{
    private readonly string _schema = "t_" + Guid.NewGuid().ToString("N");

    private protected override int MigrationCount => PostgresMigrations.All.Count;

    /// <summary>For SQL behind the store's back. Unpooled: a pool per test schema would keep an idle connection open until the class ends, and the server's connection limit is shared by every test.</summary>
    private string UnpooledConnectionString => new NpgsqlConnectionStringBuilder(server.ConnectionString(_schema)) { Pooling = false }.ConnectionString;

    private protected override (IReadOnlyList<Migration> All, string CreateMigrationsTable) Migrations => (PostgresMigrations.All, PostgresMigrations.CreateMigrationsTable);

    protected override async ValueTask CreateTestDatabaseAsync()
    {
        if (!server.Configured)
        {
            Assert.Skip($"{PostgresTestServer.Variable} is not set; set it to an Npgsql connection string of a server where the user may CREATE DATABASE to run the PostgreSQL store tests.");
        }

        await ExecuteAdminAsync($"CREATE SCHEMA \"{_schema}\"");
    }

    private protected override async Task<RelationalFleetStore> OpenInstanceAsync(TimeProvider clock) =>
        await PostgresFleetStore.OpenAsync(server.ConnectionString(_schema), clock, TestContext.Current.CancellationToken);

    protected override Task ExecuteSqlAsync(string sql) => ExecuteAdminAsync(sql);

    protected override async Task<long> QueryNumberAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(UnpooledConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    protected override async ValueTask DropTestDatabaseAsync()
    {
        if (server.Configured)
        {
            await ExecuteAdminAsync($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE");
        }
    }

    [Fact]
    public async Task The_factory_opens_a_postgres_uri_and_a_connection_string_on_the_same_database()
    {
        var ct = TestContext.Current.CancellationToken;
        var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString(_schema));
        var uri = $"postgres://{Uri.EscapeDataString(builder.Username!)}:{Uri.EscapeDataString(builder.Password ?? "")}@{builder.Host}:{builder.Port}/{builder.Database}?options=-csearch_path%3D{_schema}";

        await using (var viaUri = await FleetStoreFactory.OpenAsync(uri, Clock, ct))
        {
            Assert.IsType<PostgresFleetStore>(viaUri);
            Assert.IsType<HostStored>(await viaUri.PutHostAsync(Inventories.Host("node-a"), 0, ct));
        }

        await using var viaConnectionString = await FleetStoreFactory.OpenAsync(builder.ConnectionString, Clock, ct);
        Assert.Equal(1, (await viaConnectionString.GetHostAsync("node-a", ct))!.Generation);
    }

    private async Task ExecuteAdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(UnpooledConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
