using BenchmarkDotNet.Attributes;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Sysfs;

namespace MigCompat.Benchmarks;

/// <summary>
/// A full sysfs scan of a generated host: 8 parents x 32 types x 16 instances (4096 mdevs, 256
/// types). The tree is written once per run, on disk (the temp directory, ext4 here) and in memory
/// (<c>/dev/shm</c>, tmpfs: like sysfs, a file system without a disk); the target is well under 100 ms.
/// </summary>
[MemoryDiagnoser]
public class ScanBenchmarks
{
    private string root = string.Empty;
    private SysfsScanOptions options = new();

    /// <summary>Where the tree is written: <c>temp</c> (the temp directory) or <c>tmpfs</c> (<c>/dev/shm</c>).</summary>
    [Params("temp", "tmpfs")]
    public string FileSystem { get; set; } = "temp";

    [GlobalSetup]
    public void GenerateTree()
    {
        var parent = FileSystem == "tmpfs" ? "/dev/shm" : Path.GetTempPath();
        if (!Directory.Exists(parent))
        {
            throw new InvalidOperationException($"{parent} does not exist: run with --filter on the temp case only");
        }

        root = Path.Combine(parent, "migcompat-bench-sysfs-" + Guid.NewGuid().ToString("N"));
        SysfsTreeGenerator.Generate(root, parents: 8, typesPerParent: 32, instancesPerType: 16);
        // ProcRoot = null: the generated tree's devices are not this machine's, and walking the real
        // /proc would measure the machine's process count, not the scan (and make runs incomparable).
        options = new SysfsScanOptions { SysfsRoot = root, ProfilesDirectory = null, HostName = "bench", ProcRoot = null };
        var inventory = SysfsScanner.Scan(options);
        if (inventory.Devices.Length != 8 * 32 * 16 || inventory.CreatableTypes.Length != 8 * 32 || !inventory.Warnings.IsEmpty)
        {
            throw new InvalidOperationException($"generated tree scanned wrong: {inventory.Devices.Length} devices, {inventory.CreatableTypes.Length} types, {inventory.Warnings.Length} warnings");
        }
    }

    [GlobalCleanup]
    public void DeleteTree() => Directory.Delete(root, recursive: true);

    [Benchmark]
    public HostInventory Scan_8_parents_32_types_16_instances() => SysfsScanner.Scan(options);
}
