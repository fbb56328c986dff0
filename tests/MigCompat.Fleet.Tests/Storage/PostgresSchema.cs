using Npgsql;

namespace MigCompat.Fleet.Tests.Storage;

/// <summary>
/// A fresh schema in the <see cref="PostgresTestServer"/>'s database for one test, as the store
/// contract tests make theirs: <see cref="CreateAsync"/> skips the test when
/// <c>MIGCOMPAT_TEST_POSTGRES</c> is unset, and fails it when the server cannot be reached.
/// </summary>
internal sealed class PostgresSchema(PostgresTestServer server)
{
    public string Name { get; } = "t_" + Guid.NewGuid().ToString("N");

    /// <summary>For the stores under test: pooled, the schema first on the search path.</summary>
    public string ConnectionString => server.ConnectionString(Name);

    public async ValueTask CreateAsync()
    {
        if (!server.Configured)
        {
            Assert.Skip($"{PostgresTestServer.Variable} is not set; set it to an Npgsql connection string of a server where the user may CREATE DATABASE to run the PostgreSQL tests.");
        }

        await ExecuteAsync($"CREATE SCHEMA \"{Name}\"");
    }

    public async ValueTask DropAsync()
    {
        if (server.Configured)
        {
            await ExecuteAsync($"DROP SCHEMA IF EXISTS \"{Name}\" CASCADE");
        }
    }

    /// <summary>Runs SQL behind the stores' back, unpooled (a pool per test schema would hold a connection until the class ends).</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
