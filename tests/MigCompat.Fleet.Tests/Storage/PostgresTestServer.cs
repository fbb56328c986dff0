using Npgsql;

namespace MigCompat.Fleet.Tests.Storage;

/// <summary>
/// The PostgreSQL server named by <c>MIGCOMPAT_TEST_POSTGRES</c>: one fresh, uniquely named
/// database per test class, dropped afterwards. Unset variable: the tests skip. Set but
/// unreachable: creating the database throws and the tests fail.
/// </summary>
public sealed class PostgresTestServer : IAsyncLifetime
{
    public const string Variable = "MIGCOMPAT_TEST_POSTGRES";

    private readonly string? _adminConnectionString = Environment.GetEnvironmentVariable(Variable);

    /// <summary>The test class's database, or null when no server is configured.</summary>
    public string? DatabaseName { get; private set; }

    public bool Configured => !string.IsNullOrWhiteSpace(_adminConnectionString);

    public async ValueTask InitializeAsync()
    {
        if (!Configured)
        {
            return;
        }

        DatabaseName = "migcompat_test_" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{DatabaseName}\"", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (DatabaseName is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A connection string to the test class's database with <paramref name="schema"/> first on the search path.</summary>
    public string ConnectionString(string schema) =>
        new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = DatabaseName, SearchPath = schema, Pooling = true }.ConnectionString;
}
