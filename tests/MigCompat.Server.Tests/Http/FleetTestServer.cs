using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Server.Tests.Http;

/// <summary>The fleet server in memory (no socket) on a SQLite file in a temp directory, with known tokens.</summary>
internal sealed class FleetTestServer : IAsyncDisposable
{
    public const string AdminToken = "admin-secret";
    public const string ReadToken = "read-secret";
    public const string SchedulerToken = "scheduler-secret";
    public const string AgentA = "agent-a-secret";
    public const string AgentB = "agent-b-secret";

    private readonly WebApplication app;
    private readonly TempDirectory? ownedDirectory;

    private FleetTestServer(WebApplication app, string database, TempDirectory? ownedDirectory)
    {
        this.app = app;
        this.ownedDirectory = ownedDirectory;
        Database = database;
    }

    public string Database { get; }

    /// <summary>The running application (to wait for it, or see it stop).</summary>
    public WebApplication App => app;

    /// <summary>Starts the server; unless <paramref name="waitUntilReady"/> is false, returns once its hosts are loaded and the API answers.</summary>
    public static async Task<FleetTestServer> StartAsync(string? database = null, Func<ServerOptions, ServerOptions>? configure = null, Action<WebApplicationBuilder>? customize = null, bool waitUntilReady = true)
    {
        var directory = database is null ? new TempDirectory() : null;
        var db = database ?? Path.Combine(directory!.Path, "fleet.db");
        var options = new ServerOptions
        {
            Database = db,
            AdminToken = AdminToken,
            ReadToken = ReadToken,
            SchedulerToken = SchedulerToken,
            AgentTokens = ServerOptions.ParseAgentTokens("host-a=" + AgentA + ";host-b=" + AgentB),
            RefreshInterval = TimeSpan.Zero,
            ExpirySweepInterval = TimeSpan.Zero,
        };
        options = configure?.Invoke(options) ?? options;
        var builder = MigCompatServer.CreateBuilder(options);
        builder.WebHost.UseTestServer();
        customize?.Invoke(builder);
        var app = MigCompatServer.BuildApp(builder);
        await app.StartAsync(TestContext.Current.CancellationToken);
        if (waitUntilReady)
        {
            await MigCompatServer.WhenReadyAsync(app, TestContext.Current.CancellationToken);
        }

        return new FleetTestServer(app, db, directory);
    }

    public HttpClient Client(string? token)
    {
        var client = app.GetTestClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async Task<HttpResponseMessage> PutHostAsync(HostInventory inventory, long? generation = null, string token = AdminToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/v1/hosts/" + inventory.Host)
        {
            Content = new StringContent(TestInventories.Json(inventory), System.Text.Encoding.UTF8, "application/json"),
        };
        if (generation is { } g)
        {
            request.Headers.TryAddWithoutValidation("If-Match", $"\"{g}\"");
        }

        return await Client(token).SendAsync(request, TestContext.Current.CancellationToken);
    }

    public async Task<System.Text.Json.JsonElement> GetJsonAsync(string path, string token = AdminToken)
    {
        using var response = await Client(token).GetAsync(path, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} gave {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        return await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
        ownedDirectory?.Dispose();
    }
}

/// <summary>A temp directory deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "migcompat-server-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
