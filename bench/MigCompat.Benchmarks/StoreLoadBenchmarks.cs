using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Generation;
using MigCompat.Fleet.Storage.Sqlite;

namespace MigCompat.Benchmarks;

/// <summary>
/// What a fleet service restart costs before it can answer: <c>LoadAllAsync</c> of every host of a
/// SQLite store holding <see cref="Hosts"/> generated hosts (the database file is filled once in
/// <see cref="Setup"/>, with the documents <c>PutHostAsync</c> would write, in one transaction).
/// </summary>
[MemoryDiagnoser]
public class StoreLoadBenchmarks
{
    private const int Seed = 2025;
    private string directory = null!;
    private SqliteFleetStore store = null!;

    /// <summary>How many hosts the store holds.</summary>
    [Params(10_000, 100_000)]
    public int Hosts { get; set; }

    /// <summary>Creates and fills the database file.</summary>
    [GlobalSetup]
    public void Setup()
    {
        directory = Path.Combine(Path.GetTempPath(), "migcompat-bench-" + Guid.NewGuid().ToString("N"));
        var path = Path.Combine(directory, "fleet.db");
        store = SqliteFleetStore.OpenAsync(path).GetAwaiter().GetResult();
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var transaction = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO hosts (name, generation, drained, updated_at_ms, device_count, inventory_json) VALUES ($name, 1, 0, 0, $devices, $json)";
            var name = insert.Parameters.Add("$name", SqliteType.Text);
            var devices = insert.Parameters.Add("$devices", SqliteType.Integer);
            var json = insert.Parameters.Add("$json", SqliteType.Text);
            long bytes = 0;
            foreach (var host in FleetGenerator.Generate(Hosts, Seed))
            {
                var text = InventoryJson.Serialize(host);
                bytes += text.Length;
                name.Value = host.Host;
                devices.Value = host.Devices.Length;
                json.Value = text;
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
            Console.WriteLine($"// {Hosts} hosts, {bytes / Hosts} chars of JSON per host on average");
        }

        if (Load() != Hosts)
        {
            throw new InvalidOperationException("not every host loads cleanly");
        }
    }

    /// <summary>Deletes the database file.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>Streams and decodes every stored host; returns how many loaded with an inventory.</summary>
    [Benchmark]
    public int Load() => LoadAsync().GetAwaiter().GetResult();

    private async Task<int> LoadAsync()
    {
        var loaded = 0;
        await foreach (var host in store.LoadAllAsync())
        {
            if (host.Inventory is not null)
            {
                loaded++;
            }
        }

        return loaded;
    }
}
