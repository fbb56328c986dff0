using System.Collections.Immutable;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MigCompat.Cli.Fleet;
using MigCompat.Discovery.Inventory;
using MigCompat.Server;

namespace MigCompat.Placement.Tests;

/// <summary>A migcompat server on 127.0.0.1 with a small vGPU fleet: one VM's nvidia-63 vGPU (17.0.0) on gpu-01.</summary>
internal sealed class TestFleet : IAsyncDisposable
{
    public const string ReadToken = "read-secret";
    private const string AdminToken = "admin-secret";
    private readonly Microsoft.AspNetCore.Builder.WebApplication app;
    private readonly string directory;

    private TestFleet(Microsoft.AspNetCore.Builder.WebApplication app, string directory)
    {
        this.app = app;
        this.directory = directory;
        Url = FleetHosting.Addresses(app)[0];
    }

    public string Url { get; }

    /// <summary>A 17.x vGPU descriptor: accepts device state from the listed versions (a declaration: evidence for live).</summary>
    public static DescriptorFields Gpu(string version, params string[] accepts) => new(
        [new("device_api", "vfio-pci"), new("mdev_type", "nvidia-63"), new("software_version", version)],
        [[new("device_api", "vfio-pci"), new("mdev_type", "nvidia-63"), new("software_version", "{v:string:" + string.Join(',', accepts.Select(a => $"\"{a}\"")) + "}")]],
        [],
        DescriptorOrigin.Profile,
        "test");

    public static CreatableType Type(string parent, DescriptorFields descriptor, int available) =>
        new(parent, "nvidia-63", "GRID P40-1Q", null, "vfio-pci", available, 0, "nvidia", "550.127.08", descriptor);

    public static HostInventory Host(string name, ImmutableArray<InventoryDevice> devices, params CreatableType[] types) =>
        new(HostInventory.CurrentSchemaVersion, name, DateTimeOffset.UnixEpoch, devices, [.. types], []);

    /// <summary>gpu-01 runs the VM (its pGPU 84 accepts 17.0.0 and 17.1.0); gpu-02's pGPU 84 accepts it live, its pGPU 85 (18.0.0) does not.</summary>
    public static HostInventory[] Hosts(string suffix)
    {
        var source = Gpu("17.0.0", "17.0.0", "17.1.0");
        return
        [
            Host($"gpu-01{suffix}", [new InventoryDevice("6a4c1b6e-0000-4000-8000-000000000001", DeviceKind.Mdev, "vfio-pci", "nvidia-63", "0000:84:00.0", "nvidia", "550.127.08", null, 40, 0, true, source)], Type("0000:84:00.0", source, 3)),
            Host($"gpu-02{suffix}", [], Type("0000:84:00.0", Gpu("17.1.0", "17.0.0", "17.1.0"), 4), Type("0000:85:00.0", Gpu("18.0.0", "18.0.0"), 0)),
        ];
    }

    public static async Task<TestFleet> StartAsync(params HostInventory[] hosts)
    {
        var directory = Path.Combine(Path.GetTempPath(), "migcompat-placement-fleet-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var options = new ServerOptions { Database = Path.Combine(directory, "fleet.db"), Urls = "http://127.0.0.1:0", AdminToken = AdminToken, ReadToken = ReadToken };
        var app = await FleetHosting.StartAsync(options, "serve", TestContext.Current.CancellationToken);
        await MigCompatServer.WhenReadyAsync(app, TestContext.Current.CancellationToken);
        var fleet = new TestFleet(app, directory);
        using var client = new HttpClient { BaseAddress = new Uri(fleet.Url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        foreach (var host in hosts)
        {
            using var content = new StringContent(InventoryJson.Serialize(host), System.Text.Encoding.UTF8, "application/json");
            using var response = await client.PutAsync("/v1/hosts/" + host.Host, content, TestContext.Current.CancellationToken);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        return fleet;
    }

    /// <summary>The one source class's trait, read from the server.</summary>
    public async Task<string> SourceTraitAsync()
    {
        using var client = new HttpClient { BaseAddress = new Uri(Url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ReadToken);
        var answer = await client.GetFromJsonAsync<JsonElement>("/v1/source-classes", TestContext.Current.CancellationToken);
        return PlacementNames.Trait(Assert.Single(answer.GetProperty("classes").EnumerateArray()).GetProperty("id").GetString()!);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left in /tmp.
        }
    }
}
