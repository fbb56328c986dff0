using BenchmarkDotNet.Attributes;
using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Generation;

namespace MigCompat.Benchmarks;

/// <summary>
/// <see cref="InventoryJson"/> on generated hosts: reading (the whole cost of a store load per host)
/// and writing. <see cref="Read"/> goes over a set of 64 different hosts (8 to 16 devices, about
/// 4-12 KB each) so the numbers are not one document's; results are per document.
/// </summary>
[MemoryDiagnoser]
public class InventoryJsonBenchmarks
{
    private const int Seed = 2025;
    private const int Documents = 64;
    private HostInventory[] inventories = null!;
    private string[] documents = null!;

    /// <summary>Generates the hosts and their JSON text, and checks that each reads back cleanly.</summary>
    [GlobalSetup]
    public void Setup()
    {
        inventories = [.. FleetGenerator.Generate(Documents, Seed)];
        documents = [.. inventories.Select(InventoryJson.Serialize)];
        foreach (var json in documents)
        {
            var result = InventoryJson.Read(json);
            if (result.Inventory is null || !result.Diagnostics.IsEmpty)
            {
                throw new InvalidOperationException("a generated host does not read back cleanly");
            }
        }

        Console.WriteLine($"// {Documents} documents, {documents.Average(d => d.Length):F0} chars on average ({documents.Min(d => d.Length)}..{documents.Max(d => d.Length)})");
    }

    /// <summary>Reads and validates one document.</summary>
    [Benchmark(OperationsPerInvoke = Documents)]
    public int Read()
    {
        var devices = 0;
        foreach (var json in documents)
        {
            devices += InventoryJson.Read(json, "stored inventory of host x").Inventory!.Devices.Length;
        }

        return devices;
    }

    /// <summary>Writes one document.</summary>
    [Benchmark(OperationsPerInvoke = Documents)]
    public int Serialize()
    {
        var length = 0;
        foreach (var inventory in inventories)
        {
            length += InventoryJson.Serialize(inventory).Length;
        }

        return length;
    }
}
