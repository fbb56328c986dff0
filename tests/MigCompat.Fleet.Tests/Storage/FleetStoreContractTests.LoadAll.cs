using System.Collections.Concurrent;
using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Generation;
using MigCompat.Fleet.Search;
using MigCompat.Fleet.Service;
using MigCompat.Fleet.Storage;
using MigCompat.Fleet.Tests.Search;

namespace MigCompat.Fleet.Tests.Storage;

/// <summary>
/// The load-all path (rows streamed, documents read as UTF-8 by InventoryJson.Read on one
/// decoder per core) gives back exactly what was stored, on each backend: SQLite hands the reader the
/// stored bytes, PostgreSQL a string encoded to UTF-8.
/// </summary>
public abstract partial class FleetStoreContractTests
{
    private const int GeneratedSeed = 2025;

    /// <summary>Text that needs more than ASCII, and characters JSON must escape (the reader's other string path).</summary>
    private const string Escaped = "quote \" backslash \\ tab \t newline \n control \u0001 line separator \u2028";

    [Fact]
    public async Task Loading_all_gives_back_five_hundred_and_twenty_generated_hosts_exactly_as_stored_with_their_generation_and_drain_flag()
    {
        var ct = TestContext.Current.CancellationToken;
        const int count = 520; // more than the loader's channels hold (512)
        var stored = FleetGenerator.Generate(count, GeneratedSeed).ToDictionary(host => host.Host, StringComparer.Ordinal);
        await PutAllAsync(stored.Values);
        for (var i = 0; i < count; i += 10)
        {
            var name = FleetGenerator.HostName(i);
            stored[name] = FleetGenerator.GenerateHost(i, GeneratedSeed + 1) with { Host = name };
            Assert.IsType<HostStored>(await Store.PutHostAsync(stored[name], 1, ct));
        }

        for (var i = 0; i < count; i += 13)
        {
            Assert.True(await Store.SetDrainedAsync(FleetGenerator.HostName(i), true, ct));
        }

        var loaded = await LoadAllAsync();

        Assert.Equal(stored.Keys.Order(StringComparer.Ordinal), loaded.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, inventory) in stored)
        {
            var host = loaded[name];
            var i = int.Parse(name["host-".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal((i % 10 == 0 ? 2 : 1, i % 13 == 0), (host.Generation, host.Drained));
            Assert.Empty(host.ReadDiagnostics);
            Assert.Equal(Json(inventory), Json(host.Inventory));
        }
    }

    [Fact]
    public async Task Loading_all_keeps_non_ascii_and_escaped_text_in_names_descriptions_and_warnings_exactly()
    {
        var ct = TestContext.Current.CancellationToken;
        var stored = FleetGenerator.Generate(200, GeneratedSeed).Select((host, i) => WithText(host, i)).ToList();
        await PutAllAsync(stored);

        var loaded = await LoadAllAsync();

        Assert.Equal(stored.Count, loaded.Count);
        foreach (var inventory in stored)
        {
            var host = Assert.IsType<HostInventory>(loaded[inventory.Host].Inventory);
            Assert.Equal(Json(inventory), Json(host));
            Assert.Equal(inventory.CreatableTypes.Select(t => (t.Name, t.Description)), host.CreatableTypes.Select(t => (t.Name, t.Description)));
            Assert.Equal(inventory.Warnings, host.Warnings);
            Assert.Equal(inventory.Devices.Select(d => d.Descriptor.OriginDetail), host.Devices.Select(d => d.Descriptor.OriginDetail));
        }

        var one = stored[7];
        Assert.Equal(Json(one), Json((await Store.GetHostAsync(one.Host, ct))!.Inventory));
        Assert.Contains(one.Host, (await Store.ListHostsAsync(ct)).Select(h => h.Name));
    }

    /// <summary>Documents no current reader accepts, written behind the store's back (the store itself only writes documents that read back).</summary>
    public static TheoryData<string, string, string> UnreadableDocuments => new()
    {
        { "cut off mid-document", """{ "schema_version": 1, "host": "host-000003", "taken_at": """, InventoryJsonCodes.MalformedJson },
        { "empty", "", InventoryJsonCodes.MalformedJson },
        { "from a newer schema", """{ "schema_version": 99, "host": "host-000003", "taken_at": "2025-01-06T08:00:03+00:00", "devices": [], "creatable_types": [] }""", InventoryJsonCodes.UnsupportedSchemaVersion },
        { "with a negative capacity", NegativeCapacityDocument(), InventoryJsonCodes.NegativeCapacity },
    };

    [Theory]
    [MemberData(nameof(UnreadableDocuments))]
    public async Task A_host_whose_stored_document_cannot_be_read_is_loaded_without_an_inventory_with_the_reason_and_the_others_load_as_stored(string what, string document, string code)
    {
        var ct = TestContext.Current.CancellationToken;
        var stored = FleetGenerator.Generate(20, GeneratedSeed).ToList();
        await PutAllAsync(stored);
        var broken = FleetGenerator.HostName(3);
        Assert.True(await Store.SetDrainedAsync(broken, true, ct));
        await ExecuteSqlAsync($"UPDATE hosts SET inventory_json = '{document.Replace("'", "''", StringComparison.Ordinal)}' WHERE name = '{broken}'");

        var loaded = await LoadAllAsync();

        Assert.Equal(stored.Count, loaded.Count);
        var unreadable = loaded[broken];
        Assert.True(unreadable.Inventory is null, $"the document {what} was read");
        Assert.Equal((1L, true), (unreadable.Generation, unreadable.Drained));
        Assert.Contains(unreadable.ReadDiagnostics, d => d.IsError && d.Code == code);
        Assert.All(unreadable.ReadDiagnostics, d => Assert.Contains(broken, d.File ?? "", StringComparison.Ordinal));
        Assert.All(stored.Where(h => h.Host != broken), h => Assert.Equal(Json(h), Json(loaded[h.Host].Inventory)));
        var read = await Store.GetHostAsync(broken, ct);
        Assert.Null(read!.Inventory);
        Assert.Equal(unreadable.ReadDiagnostics, read.ReadDiagnostics);
        Assert.Contains(broken, (await Store.ListHostsAsync(ct)).Select(h => h.Name));
    }

    [Fact]
    public async Task A_service_starting_on_a_host_it_cannot_read_keeps_it_stored_reports_it_and_does_not_search_it()
    {
        var ct = TestContext.Current.CancellationToken;
        var stored = FleetGenerator.Generate(20, GeneratedSeed).ToList();
        await PutAllAsync(stored);
        var broken = FleetGenerator.HostName(3);
        await ExecuteSqlAsync($"UPDATE hosts SET inventory_json = '{{ \"schema_version\": 1, \"host\": ' WHERE name = '{broken}'");
        var log = new ConcurrentQueue<string>();

        await using var service = await FleetService.StartAsync(await OpenInstanceAsync(Clock), new FleetServiceOptions
        {
            RefreshInterval = TimeSpan.Zero,
            ExpirySweepInterval = TimeSpan.Zero,
            TimeProvider = Clock,
            Logger = new MigCompat.Fleet.Tests.Service.LineLogger(log.Enqueue),
        }, ct);

        Assert.Equal(19, service.HostCount);
        Assert.Contains(log, line => line.StartsWith($"host '{broken}' is stored but its inventory cannot be read", StringComparison.Ordinal));
        Assert.Contains("19 hosts searchable, 1 stored hosts not searchable", log.Last(), StringComparison.Ordinal);
        Assert.Contains(broken, (await service.ListHostsAsync(ct)).Select(h => h.Name));
        Assert.Null((await service.GetHostAsync(broken, ct))!.Inventory);
        var anyDevice = stored[3].Devices[0].Descriptor;
        var search = service.FindTargets(new TargetQuery(string.Empty, [new VmDeviceRef(null, TestFleet.Parse(anyDevice))], Limit: 100, MaxRejected: 100));
        Assert.True(search.Succeeded);
        Assert.Equal(19, search.HostsConsidered);
        Assert.DoesNotContain(broken, search.Candidates.Select(c => c.Host).Concat(search.Rejected.Select(r => r.Host)));

        await service.RefreshAsync(ct);
        Assert.Equal(19, service.HostCount);
    }

    /// <summary>Stores new hosts, four writers at a time (one at a time on SQLite's writer lock anyway).</summary>
    private async Task PutAllAsync(IEnumerable<HostInventory> hosts) =>
        await Parallel.ForEachAsync(hosts, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = TestContext.Current.CancellationToken }, async (host, ct) =>
        {
            var result = await Store.PutHostAsync(host, 0, ct);
            Assert.True(result is HostStored, $"{host.Host}: {result}");
        });

    private async Task<Dictionary<string, StoredHost>> LoadAllAsync()
    {
        var loaded = new Dictionary<string, StoredHost>(StringComparer.Ordinal);
        await foreach (var host in Store.LoadAllAsync(TestContext.Current.CancellationToken))
        {
            Assert.True(loaded.TryAdd(host.Name, host), $"{host.Name} was loaded twice");
        }

        return loaded;
    }

    /// <summary>
    /// Generated host <paramref name="i"/> renamed and described in several scripts: short values that
    /// repeat within a document (the reader pools those), values longer than the pool takes, and values with escapes.
    /// </summary>
    private static HostInventory WithText(HostInventory host, int i)
    {
        var longText = string.Concat(Enumerable.Repeat("Grafikprozessor für Büro 東京 🚀 ", 12));
        return host with
        {
            Host = $"hôte-{i:D3}-東京-🚀",
            CreatableTypes = [.. host.CreatableTypes.Select((type, t) => type with
            {
                Name = (type.Name ?? "") + " — Ångström",
                Description = (t % 3) switch { 0 => "Beschreibung: größer", 1 => longText + i, _ => Escaped + " — ü" },
            })],
            Devices = [.. host.Devices.Select(device => device with { Descriptor = device.Descriptor with { OriginDetail = "profil-ü.d/Ωmega.toml" } })],
            Warnings = [new InventoryWarning("MCS001", "/sys/bus/mdev/ñ", "Gerät übersprungen: 名前 " + Escaped), new InventoryWarning("MCS002", "/sys/ü", longText)],
        };
    }

    private static string NegativeCapacityDocument()
    {
        var json = InventoryJson.Serialize(Inventories.Host(FleetGenerator.HostName(3), freeInstances: 5));
        Assert.Contains("\"available_instances\": 5", json, StringComparison.Ordinal);
        return json.Replace("\"available_instances\": 5", "\"available_instances\": -5", StringComparison.Ordinal);
    }
}
