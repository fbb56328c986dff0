using System.Diagnostics;
using System.Globalization;
using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Sysfs;

namespace MigCompat.Benchmarks;

/// <summary>
/// A console timing of the full scan (<c>scan-timing [ROUNDS]</c>), quicker than BenchmarkDotNet and
/// with CPU time: the generated 4,096-instance tree of <see cref="ScanBenchmarks"/> in the temp directory,
/// scanned without and with the in-use lookup over this machine's real <c>/proc</c>, alternately, each round.
/// </summary>
public static class ScanTiming
{
    /// <summary>Writes the tree, scans it (one warm-up, then <paramref name="args"/>[0] rounds, default 5), prints each and the median.</summary>
    public static int Run(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var root = Path.Combine(Path.GetTempPath(), "migcompat-scan-timing-" + Guid.NewGuid().ToString("N"));
        try
        {
            SysfsTreeGenerator.Generate(root, parents: 8, typesPerParent: 32, instancesPerType: 16);
            var without = new SysfsScanOptions { SysfsRoot = root, ProfilesDirectory = null, HostName = "bench", ProcRoot = null };
            var with = without with { ProcRoot = SysfsScanOptions.DefaultProcRoot };
            Measure(without);
            var (_, _, warnings) = Measure(with);
            Console.WriteLine($"processes: {Directory.EnumerateDirectories("/proc").Count(d => char.IsAsciiDigit(Path.GetFileName(d)[0]))}; in-use warnings: {warnings}");

            var scans = new List<(double Wall, double Cpu)>();
            var lookups = new List<(double Wall, double Cpu)>();
            for (var i = 0; i < rounds; i++)
            {
                var (wall0, cpu0, _) = Measure(without);
                var (wall1, cpu1, _) = Measure(with);
                scans.Add((wall1, cpu1));
                lookups.Add((wall1 - wall0, cpu1 - cpu0));
                Console.WriteLine(FormattableString.Invariant($"round {i + 1}: scan without lookup {wall0:F0} ms (cpu {cpu0:F0}); full scan with lookup {wall1:F0} ms (cpu {cpu1:F0})"));
            }

            Console.WriteLine(FormattableString.Invariant(
                $"median: full scan with lookup {Median(scans, s => s.Wall):F0} ms (cpu {Median(scans, s => s.Cpu):F0} ms); lookup alone (difference) {Median(lookups, s => s.Wall):F0} ms (cpu {Median(lookups, s => s.Cpu):F0} ms)"));
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static (double WallMs, double CpuMs, int Warnings) Measure(SysfsScanOptions options)
    {
        var cpu = Environment.CpuUsage.TotalTime;
        var watch = Stopwatch.StartNew();
        var inventory = SysfsScanner.Scan(options);
        var wall = watch.Elapsed.TotalMilliseconds;
        return (wall, (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds, inventory.Warnings.Count(w => w.Code == SysfsWarningCodes.InUseUnknown));
    }

    private static double Median<T>(List<T> values, Func<T, double> key)
    {
        var sorted = values.Select(key).Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
