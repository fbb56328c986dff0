using BenchmarkDotNet.Attributes;
using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Sysfs;

namespace MigCompat.Benchmarks;

/// <summary>
/// A full sysfs scan of a generated host: 8 parents x 32 types x 16 instances (4096 mdevs, 256
/// types). The tree is written once per run, on disk (the temp directory, ext4 here) and in memory
/// (<c>/dev/shm</c>, tmpfs: like sysfs, a file system without a disk). The goal: a full scan, the
/// in-use lookup over this machine's real <c>/proc</c> included, under 2 s.
/// </summary>
[MemoryDiagnoser]
public class ScanBenchmarks
{
    private string root = string.Empty;
    private SysfsScanOptions withoutInUse = new();
    private SysfsScanOptions withInUse = new();

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
        withoutInUse = new SysfsScanOptions { SysfsRoot = root, ProfilesDirectory = null, HostName = "bench", ProcRoot = null };

        // The default ProcRoot (/proc): every process's open files are read, as on a real host. The
        // generated devices are not this machine's, so none is found open; what it costs depends on
        // how many files this machine's processes hold open (bench/README.md says how many).
        withInUse = withoutInUse with { ProcRoot = SysfsScanOptions.DefaultProcRoot };
        Check(SysfsScanner.Scan(withoutInUse), inUseLookedUp: false);
        Check(SysfsScanner.Scan(withInUse), inUseLookedUp: true);
    }

    [GlobalCleanup]
    public void DeleteTree() => Directory.Delete(root, recursive: true);

    [Benchmark]
    public HostInventory Scan_8_parents_32_types_16_instances() => SysfsScanner.Scan(withoutInUse);

    [Benchmark]
    public HostInventory Scan_8_parents_32_types_16_instances_with_in_use_lookup() => SysfsScanner.Scan(withInUse);

    private static void Check(HostInventory inventory, bool inUseLookedUp)
    {
        // The in-use lookup may warn (MCS013) where this machine's /proc cannot be fully read; nothing else may.
        var warnings = inventory.Warnings.Count(w => !(inUseLookedUp && w.Code == SysfsWarningCodes.InUseUnknown));
        if (inventory.Devices.Length != 8 * 32 * 16 || inventory.CreatableTypes.Length != 8 * 32 || warnings != 0)
        {
            throw new InvalidOperationException($"generated tree scanned wrong: {inventory.Devices.Length} devices, {inventory.CreatableTypes.Length} types, {warnings} warnings");
        }
    }
}
