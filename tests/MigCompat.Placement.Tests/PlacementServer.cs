using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace MigCompat.Placement.Tests;

/// <summary>
/// A real OpenStack Placement (Debian's placement-api / python3-placement) on 127.0.0.1 with SQLite and
/// <c>auth_strategy = noauth2</c>, served by gunicorn: one per test class. Missing packages fail the tests
/// in CI (MIGCOMPAT_CI=1) and skip them elsewhere.
/// </summary>
public sealed class PlacementServer : IAsyncLifetime
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "migcompat-placement-" + Guid.NewGuid().ToString("N"));
    private Process? process;
    private string? unavailable;

    /// <summary>Placement's base URL.</summary>
    public Uri Endpoint { get; private set; } = new("http://127.0.0.1:9/");

    /// <summary>Skips (locally) or fails (in CI) when Placement could not be started.</summary>
    public void Require()
    {
        if (unavailable is null)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("MIGCOMPAT_CI") == "1")
        {
            Assert.Fail("a real Placement is required in CI: " + unavailable);
        }

        Assert.Skip(unavailable);
    }

    /// <summary>An admin client at <paramref name="microversion"/> (the test's own setup may use newer ones than MigCompat).</summary>
    public HttpClient Admin(string microversion = "placement 1.20")
    {
        var client = new HttpClient { BaseAddress = Endpoint };
        client.DefaultRequestHeaders.Add("X-Auth-Token", "admin");
        client.DefaultRequestHeaders.Add("OpenStack-API-Version", microversion);
        return client;
    }

    public async ValueTask InitializeAsync()
    {
        var gunicorn = Which("gunicorn");
        var manage = Which("placement-manage");
        if (gunicorn is null || manage is null)
        {
            unavailable = "Placement is not installed (apt-get install -y placement-api python3-placement gunicorn)";
            return;
        }

        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "placement.conf"), $"""
            [DEFAULT]
            debug = false
            [api]
            auth_strategy = noauth2
            [placement_database]
            connection = sqlite:///{Path.Combine(directory, "placement.db")}
            """);
        var sync = await RunAsync(manage, ["--config-file", Path.Combine(directory, "placement.conf"), "db", "sync"], TimeSpan.FromMinutes(2));
        if (sync is not null)
        {
            unavailable = "placement-manage db sync failed: " + sync;
            return;
        }

        var port = FreePort();
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        var start = new ProcessStartInfo(gunicorn)
        {
            ArgumentList = { "--bind", $"127.0.0.1:{port}", "--workers", "1", "--log-file", Path.Combine(directory, "gunicorn.log"), "placement.wsgi:init_application()" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        start.Environment["OS_PLACEMENT_CONFIG_DIR"] = directory;
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var client = Admin();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await client.GetAsync("resource_providers");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (process.HasExited)
            {
                break;
            }

            await Task.Delay(250);
        }

        unavailable = "Placement did not start: " + (File.Exists(Path.Combine(directory, "gunicorn.log")) ? File.ReadAllText(Path.Combine(directory, "gunicorn.log")) : "no log");
    }

    public ValueTask DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }

        process?.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left in /tmp.
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Creates a provider (under <paramref name="parent"/> when given) and returns its uuid.</summary>
    public async Task<string> CreateProviderAsync(string name, string? parent = null, Dictionary<string, int>? inventory = null, params string[] traits)
    {
        using var client = Admin();
        var uuid = Guid.NewGuid().ToString();
        var body = new Dictionary<string, object?> { ["name"] = name, ["uuid"] = uuid };
        if (parent is not null)
        {
            body["parent_provider_uuid"] = parent;
        }

        using (var created = await client.PostAsJsonAsync("resource_providers", body))
        {
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        var generation = 0L;
        if (inventory is not null)
        {
            var inventories = inventory.ToDictionary(i => i.Key, i => new { total = i.Value });
            using var put = await client.PutAsJsonAsync($"resource_providers/{uuid}/inventories", new { resource_provider_generation = generation, inventories });
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
            generation = (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("resource_provider_generation").GetInt64();
        }

        if (traits.Length > 0)
        {
            await SetTraitsAsync(uuid, traits);
        }

        return uuid;
    }

    /// <summary>Replaces a provider's traits out of band (creating custom ones), as Nova or an operator would.</summary>
    public async Task SetTraitsAsync(string uuid, IEnumerable<string> traits)
    {
        using var client = Admin();
        foreach (var trait in traits.Where(t => t.StartsWith("CUSTOM_", StringComparison.Ordinal)))
        {
            (await client.PutAsync("traits/" + trait, null)).Dispose();
        }

        var (_, generation) = await TraitsAsync(uuid);
        using var put = await client.PutAsJsonAsync($"resource_providers/{uuid}/traits", new { traits = traits.ToArray(), resource_provider_generation = generation });
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
    }

    /// <summary>A provider's traits (sorted) and generation.</summary>
    public async Task<(string[] Traits, long Generation)> TraitsAsync(string uuid)
    {
        using var client = Admin();
        var body = await client.GetFromJsonAsync<JsonElement>($"resource_providers/{uuid}/traits");
        return ([.. body.GetProperty("traits").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal)], body.GetProperty("resource_provider_generation").GetInt64());
    }

    /// <summary>The custom traits that exist.</summary>
    public async Task<string[]> CustomTraitsAsync(string prefix)
    {
        using var client = Admin();
        var body = await client.GetFromJsonAsync<JsonElement>("traits?name=startswith:" + prefix);
        return [.. body.GetProperty("traits").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal)];
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    /// <summary>Runs a program; null when it exits 0, else its output.</summary>
    private static async Task<string?> RunAsync(string program, string[] arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var run = Process.Start(start)!;
        var stdout = run.StandardOutput.ReadToEndAsync();
        var stderr = run.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await run.WaitForExitAsync(cancel.Token);
        return run.ExitCode == 0 ? null : await stdout + await stderr;
    }
}
