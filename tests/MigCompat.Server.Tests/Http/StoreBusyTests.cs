using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace MigCompat.Server.Tests.Http;

/// <summary>A PostgreSQL server with no connection slot left: the request is not carried out and says so as a 503 to retry.</summary>
public sealed class StoreBusyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_claim_the_database_has_no_connection_for_is_a_503_with_retry_after_and_goes_through_when_retried()
    {
        var admin = Environment.GetEnvironmentVariable("MIGCOMPAT_TEST_POSTGRES");
        Assert.SkipWhen(string.IsNullOrWhiteSpace(admin), "MIGCOMPAT_TEST_POSTGRES is not set (an Npgsql connection string to a server where a database and a role may be created)");
        var suffix = Guid.NewGuid().ToString("N");
        var (database, role) = ("migcompat_busy_" + suffix, "migcompat_busy_" + suffix);
        await ExecuteAsync(admin!, $"CREATE ROLE \"{role}\" LOGIN PASSWORD 'busy'", $"CREATE DATABASE \"{database}\" OWNER \"{role}\"");
        try
        {
            // No pool: every request opens its own connection, as a pool does once its connections are gone.
            var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database, Username = role, Password = "busy", Pooling = false }.ConnectionString;
            await using var server = await FleetTestServer.StartAsync(connectionString);
            (await server.PutHostAsync(TestInventories.Host("host-b", 2))).Dispose();
            using var client = server.Client(FleetTestServer.AdminToken);
            var claim = new { host = "host-b", items = new[] { new { resourceKey = TestInventories.TypeKey, count = 1 } }, ttlSeconds = 600, idempotencyKey = "busy-1" };

            await ExecuteAsync(admin!, $"ALTER ROLE \"{role}\" CONNECTION LIMIT 0");
            using (var refused = await client.PostAsJsonAsync("/v1/claims", claim, Ct))
            {
                var text = await refused.Content.ReadAsStringAsync(Ct);
                Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)refused.StatusCode}: {text}");
                Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
                Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
                var detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!;
                Assert.Contains("no free connection", detail, StringComparison.Ordinal);
                Assert.Contains("nothing was done", detail, StringComparison.Ordinal);
                Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
                Assert.DoesNotContain("Npgsql", text, StringComparison.Ordinal);
            }

            await ExecuteAsync(admin!, $"ALTER ROLE \"{role}\" CONNECTION LIMIT -1");
            using var retried = await client.PostAsJsonAsync("/v1/claims", claim, Ct);
            Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        }
        finally
        {
            await ExecuteAsync(admin!, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", $"DROP ROLE IF EXISTS \"{role}\"");
        }
    }

    private static async Task ExecuteAsync(string admin, params string[] statements)
    {
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync(CancellationToken.None);
        foreach (var statement in statements)
        {
            await using var command = new NpgsqlCommand(statement, connection);
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}
