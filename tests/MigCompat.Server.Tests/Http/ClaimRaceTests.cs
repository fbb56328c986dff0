using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace MigCompat.Server.Tests.Http;

public sealed class ClaimRaceTests
{
    private const int Capacity = 5;
    private const int Clients = 40;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Parallel_clients_racing_for_the_last_instances_never_reserve_more_than_the_capacity_on_sqlite()
    {
        await using var server = await FleetTestServer.StartAsync();
        await RaceAsync(server);
    }

    [Fact]
    public async Task Parallel_clients_racing_for_the_last_instances_never_reserve_more_than_the_capacity_on_postgres()
    {
        var admin = Environment.GetEnvironmentVariable("MIGCOMPAT_TEST_POSTGRES");
        Assert.SkipWhen(string.IsNullOrWhiteSpace(admin), "MIGCOMPAT_TEST_POSTGRES is not set (an Npgsql connection string to a server where a database may be created)");
        var database = "migcompat_race_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(Ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await create.ExecuteNonQueryAsync(Ct);
        }

        try
        {
            var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database, Pooling = false }.ConnectionString;
            await using var server = await FleetTestServer.StartAsync(connectionString);
            await RaceAsync(server);
        }
        finally
        {
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync(CancellationToken.None);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task RaceAsync(FleetTestServer server)
    {
        (await server.PutHostAsync(TestInventories.Host("host-b", Capacity))).Dispose();
        using var start = new ManualResetEventSlim();
        var attempts = Enumerable.Range(0, Clients).Select(i => Task.Run(
            async () =>
            {
                start.Wait(Ct);
                using var client = server.Client(FleetTestServer.AdminToken);
                using var response = await client.PostAsJsonAsync(
                    "/v1/claims",
                    new { host = "host-b", items = new[] { new { resourceKey = TestInventories.TypeKey, count = 1 } }, ttlSeconds = 600, idempotencyKey = "client-" + i },
                    Ct);
                return response.StatusCode;
            },
            Ct)).ToList();
        start.Set();
        var statuses = await Task.WhenAll(attempts);

        Assert.Equal(Capacity, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Created or HttpStatusCode.Conflict, $"unexpected status {s}"));
        var resource = (await server.GetJsonAsync("/v1/hosts/host-b")).GetProperty("resources").EnumerateArray()
            .Single(r => r.GetProperty("resourceKey").GetString() == TestInventories.TypeKey);
        Assert.Equal(Capacity, resource.GetProperty("claimed").GetInt64());
        Assert.Equal(0, resource.GetProperty("available").GetInt64());
    }
}

public sealed class RestartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Hosts_drain_flags_and_claims_survive_a_restart_on_the_same_sqlite_file()
    {
        using var directory = new TempDirectory();
        var db = Path.Combine(directory.Path, "fleet.db");
        string claimId;
        await using (var first = await FleetTestServer.StartAsync(db))
        {
            (await first.PutHostAsync(TestInventories.Host("host-a"))).Dispose();
            (await first.PutHostAsync(TestInventories.Host("host-b", 2))).Dispose();
            (await first.PutHostAsync(TestInventories.Host("host-b", 2), generation: 1)).Dispose();
            (await first.Client(FleetTestServer.AdminToken).PostAsync("/v1/hosts/host-a/drain", null, Ct)).Dispose();
            var created = await TargetAndClaimTests.PostAsync(first, "/v1/claims", new { host = "host-b", items = new[] { new { resourceKey = TestInventories.TypeKey, count = 1 } } }, FleetTestServer.AdminToken, HttpStatusCode.Created);
            claimId = created.GetProperty("claim").GetProperty("id").GetString()!;
        }

        await using var second = await FleetTestServer.StartAsync(db);

        var hostB = await second.GetJsonAsync("/v1/hosts/host-b");
        Assert.Equal(2, hostB.GetProperty("generation").GetInt64());
        Assert.True((await second.GetJsonAsync("/v1/hosts/host-a")).GetProperty("drained").GetBoolean());
        Assert.Equal("pending", (await second.GetJsonAsync($"/v1/claims/{claimId}")).GetProperty("state").GetString());
        Assert.Equal(2, (await second.GetJsonAsync("/healthz")).GetProperty("hosts").GetInt32());
        var answer = await TargetAndClaimTests.PostAsync(second, "/v1/migrations/targets", new { sourceHost = "host-b", devices = new[] { new { id = TestInventories.SourceDevice } } }, FleetTestServer.ReadToken, HttpStatusCode.OK);
        Assert.Empty(answer.GetProperty("candidates").EnumerateArray());
        var race = await TargetAndClaimTests.PostAsync(second, "/v1/claims", new { host = "host-b", items = new[] { new { resourceKey = TestInventories.TypeKey, count = 2 } } }, FleetTestServer.AdminToken, HttpStatusCode.Conflict);
        Assert.Equal(JsonValueKind.Array, race.GetProperty("items").ValueKind);
    }
}
