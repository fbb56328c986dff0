using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkCase = BenchmarkDotNet.Running.BenchmarkCase;
using MigCompat.Core.Matching;
using MigCompat.Core.Model;
using MigCompat.Core.Syntax;

namespace MigCompat.Benchmarks;

/// <summary>
/// Core throughput: parsing descriptor files and <see cref="Matcher.Check(Descriptor, CompiledTarget)"/>
/// with a precompiled target. The parse benchmarks parse a corpus of about 100 KB made of separate
/// files, each with its own <see cref="DescriptorParser.Parse"/> call, and report MB/s (10^6 bytes of
/// UTF-8 descriptor text per second, from the mean) in the <c>MB/s</c> column:
/// <list type="bullet">
/// <item><see cref="ParseValid100KB"/>: realistic, valid descriptors without diagnostics (GVT-g, NVIDIA
/// vGPU, SR-IOV VF, vfio-ccw), the "above 100 MB/s" target.</item>
/// <item><see cref="ParseSeed100KB"/> and <see cref="ParseSeedTarget"/>: the upstream seed example,
/// which parses with five warnings (the warnings path: diagnostics, messages, sorting).</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class CoreBenchmarks
{
    /// <summary>The seed example (docs/examples/seed-target.desc): valid, with warnings MC2001-MC2004.</summary>
    internal const string SeedTarget = """
        # The upstream example: a GVT-g vGPU and what it accepts.
        device_type=pci
        device_id=8086591d
        mdev_type=i915-GVTg_V5_2
        aggregator=1
        pv_mode="none+ppgtt+context"
        interface_version=3
        COMPATIBLE:
        device_type=pci
        device_id=8086591d
        mdev_type=i915-GVTg_V5_{val1:int:1,2,4,8}
        aggregator={val1}/2
        pv_mode={val2:string:"none+ppgtt","none+context","none+ppgtt+context"}
        interface_version={val3:int:2,3}

        """;

    private const string SeedSource = """
        device_type=pci
        device_id=8086591d
        mdev_type=i915-GVTg_V5_4
        aggregator=2
        pv_mode="none+ppgtt"
        interface_version=3
        """;

    private const string PlainTarget = """
        device_api=vfio-pci
        mdev_type=nvidia-63
        software_version=550.144.03
        ecc=enabled
        framebuffer=1024M
        """;

    private const string PlainSource = """
        device_api=vfio-pci
        mdev_type=nvidia-63
        software_version=550.127.08
        ecc=enabled
        framebuffer=1024M
        """;

    /// <summary>About 100 KB of valid descriptor files (no diagnostics at all).</summary>
    internal static readonly string[] ValidFiles = DescriptorCorpus.Typical(100_000);

    /// <summary>About 100 KB of copies of the seed target, one file each.</summary>
    internal static readonly string[] SeedFiles = DescriptorCorpus.Repeat(SeedTarget, 100_000);

    private Descriptor seedSource = null!;
    private CompiledTarget seedTarget = null!;
    private Descriptor plainSource = null!;
    private CompiledTarget plainTarget = null!;

    /// <summary>Checks the corpora (valid means no diagnostic; the seed has warnings only) and builds the precompiled pairs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        foreach (var file in ValidFiles)
        {
            var result = DescriptorParser.Parse(file);
            if (!result.Success || result.Diagnostics.Length > 0)
            {
                throw new InvalidOperationException("the typical corpus must parse without diagnostics:\n" + file + "\n" + string.Join("\n", result.Diagnostics));
            }
        }

        var seed = DescriptorParser.Parse(SeedTarget);
        if (!seed.Success || seed.Diagnostics.Length == 0)
        {
            throw new InvalidOperationException("the seed target must parse with warnings only");
        }

        seedSource = DescriptorParser.Parse(SeedSource).Descriptor!;
        seedTarget = CompiledTarget.Compile(seed.Descriptor!);
        plainSource = DescriptorParser.Parse(PlainSource).Descriptor!;
        plainTarget = CompiledTarget.Compile(DescriptorParser.Parse(PlainTarget).Descriptor!);
        if (!Matcher.Check(seedSource, seedTarget).IsCompatible || !Matcher.Check(plainSource, plainTarget).IsCompatible)
        {
            throw new InvalidOperationException("the benchmark pairs must be compatible");
        }
    }

    /// <summary>Parses ~100 KB of typical valid descriptor files, one <see cref="DescriptorParser.Parse"/> call per file.</summary>
    /// <returns>The number of self fields read (so the work is not optimized away).</returns>
    [Benchmark]
    public int ParseValid100KB()
    {
        var total = 0;
        foreach (var file in ValidFiles)
        {
            total += DescriptorParser.Parse(file).Descriptor!.Self.Length;
        }

        return total;
    }

    /// <summary>Parses ~100 KB of copies of the seed target (the warnings path), one call per file.</summary>
    /// <returns>The number of diagnostics (so the work is not optimized away).</returns>
    [Benchmark]
    public int ParseSeed100KB()
    {
        var total = 0;
        foreach (var file in SeedFiles)
        {
            total += DescriptorParser.Parse(file).Diagnostics.Length;
        }

        return total;
    }

    /// <summary>Parses the seed target once (warnings path).</summary>
    [Benchmark]
    public Descriptor? ParseSeedTarget() => DescriptorParser.Parse(SeedTarget).Descriptor;

    /// <summary>Checks the seed source against the precompiled seed target (templates, bindings, arithmetic).</summary>
    [Benchmark]
    public Verdict CheckSeedPair() => Matcher.Check(seedSource, seedTarget);

    /// <summary>Checks a no-blocks pair (default rule with a version).</summary>
    [Benchmark]
    public Verdict CheckNoBlocksPair() => Matcher.Check(plainSource, plainTarget);

    /// <summary>The UTF-8 size of the text one benchmark operation parses, by benchmark method name.</summary>
    internal static long BytesPerOperation(string method) => method switch
    {
        nameof(ParseValid100KB) => DescriptorCorpus.Utf8Length(ValidFiles),
        nameof(ParseSeed100KB) => DescriptorCorpus.Utf8Length(SeedFiles),
        nameof(ParseSeedTarget) => Encoding.UTF8.GetByteCount(SeedTarget),
        _ => 0,
    };

    /// <summary>Adds the MB/s column.</summary>
    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new ThroughputColumn());
    }
}

/// <summary>The <c>MB/s</c> column: bytes parsed per operation / mean time, in 10^6 bytes per second.</summary>
internal sealed class ThroughputColumn : IColumn
{
    public string Id => nameof(ThroughputColumn);

    public string ColumnName => "MB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Descriptor text parsed per second (10^6 UTF-8 bytes / s, from the mean)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var bytes = CoreBenchmarks.BytesPerOperation(benchmarkCase.Descriptor.WorkloadMethod.Name);
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return bytes == 0 || mean is not > 0 ? "-" : (bytes / 1e6 / (mean.Value / 1e9)).ToString("F1", CultureInfo.InvariantCulture);
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;
}

/// <summary>
/// Realistic descriptor files as hosts report them: comments, indentation, SELF headers, several
/// device families, values that differ from file to file (types, versions, addresses).
/// </summary>
internal static class DescriptorCorpus
{
    private static readonly string[] NvidiaProfiles = ["A100-4C:471:4096", "A100-10C:472:10240", "A40-8Q:557:8192", "L4-6Q:1024:6144", "L40S-12Q:1153:12288"];

    private static readonly string[] NvidiaDrivers = ["550.90.07", "550.127.08", "550.144.03"];

    /// <summary>Valid files (no diagnostics), cycling through the device families until about <paramref name="totalChars"/> characters.</summary>
    public static string[] Typical(int totalChars)
    {
        var files = new List<string>();
        var length = 0;
        for (var i = 0; length < totalChars; i++)
        {
            var file = (i % 4) switch
            {
                0 => GvtG(i),
                1 => NvidiaVgpu(i),
                2 => SriovVf(i),
                _ => VfioCcw(i),
            };
            files.Add(file);
            length += file.Length;
        }

        return [.. files];
    }

    /// <summary>Copies of <paramref name="text"/> until about <paramref name="totalChars"/> characters.</summary>
    public static string[] Repeat(string text, int totalChars) =>
        [.. Enumerable.Repeat(text, (totalChars + text.Length - 1) / text.Length)];

    /// <summary>The total UTF-8 size of the files.</summary>
    public static long Utf8Length(string[] files) => files.Sum(f => (long)Encoding.UTF8.GetByteCount(f));

    /// <summary>An Intel GVT-g vGPU with one COMPATIBLE block (type template and derived aggregator).</summary>
    private static string GvtG(int i)
    {
        var type = (i / 4 % 3) switch
        {
            0 => 2,
            1 => 4,
            _ => 8,
        };
        return string.Create(CultureInfo.InvariantCulture, $$"""
            # Intel GVT-g vGPU {{i}} on 0000:00:02.0 (i915, Kaby Lake GT2)
            # Written by the migration agent from /sys/bus/mdev/devices/*/migration_compatible.
            SELF:
              device_api=vfio-pci
              mdev_type=i915-GVTg_V5_{{type}}       # {{type}} instances fit on the parent
              software_version=1.2.{{i % 3}}
              aggregator=1
              pv_mode="none+ppgtt+context"
              display=edid                      # a virtual EDID display is attached
            COMPATIBLE:
              # Any V5 type of the same generation; the aggregator follows from the type.
              device_api=vfio-pci
              mdev_type=i915-GVTg_V5_{val1:int:2,4,8}
              aggregator={val1}/2
              pv_mode={val2:string:"none+ppgtt","none+context","none+ppgtt+context"}

            """);
    }

    /// <summary>An NVIDIA vGPU with a stable type, driver and software versions, vendor fields and two blocks for driver branches.</summary>
    private static string NvidiaVgpu(int i)
    {
        var profile = NvidiaProfiles[i / 4 % NvidiaProfiles.Length].Split(':');
        var driver = NvidiaDrivers[i / 4 % NvidiaDrivers.Length];
        return string.Create(CultureInfo.InvariantCulture, $$"""
            # NVIDIA vGPU GRID {{profile[0]}} ({{profile[2]}} MiB framebuffer), vGPU manager {{driver}}
            # instance {{i}}, parent 0000:{{0x3b + (i % 8):x2}}:00.0
            SELF:
                device_api=vfio-pci
                mdev_type=nvidia-{{profile[1]}}
                driver_version={{driver}}
                software_version=17.{{i % 5}}.0
                framebuffer={{profile[2]}}M
                ecc=enabled
                max_resolution=7680x4320
                num_heads=4
                frame_rate_limiter=60
                license_edition="NVIDIA RTX Virtual Workstation"

            COMPATIBLE:
                # The current production branch (R550): any update of the same type.
                device_api=vfio-pci
                mdev_type=nvidia-{{profile[1]}}
                driver_version={drv:string:"550.54.16","550.90.07","550.127.08","550.144.03"}
                ecc={ecc:string:"enabled",""}     # older managers do not report ECC

            COMPATIBLE:
                # The long-term branch (R535) for rolling upgrades of the fleet.
                device_api=vfio-pci
                mdev_type=nvidia-{{profile[1]}}
                driver_version={lts:string:"535.183.06","535.216.01","535.230.02"}
                software_version={sw:string:"16.6.0","16.7.0","16.8.0"}
                framebuffer={{profile[2]}}M

            """);
    }

    /// <summary>A self-only SR-IOV NIC virtual function (default rule) with dynamic resources.</summary>
    private static string SriovVf(int i) => string.Create(CultureInfo.InvariantCulture, $$"""
        # Mellanox ConnectX-6 Dx VF 0000:{{0x81 + (i % 4):x2}}:00.{{i % 8}} bound to mlx5_vfio_pci
        # No COMPATIBLE block: the default rule compares every field (versions by major.minor).
        device_api=vfio-pci
        vendor=mellanox
        device=connectx-6dx-vf
        driver_version=6.8.{{i % 12}}
        firmware_version=22.41.1000
        migration_version=2.1
        port_speed=100000
        num_queues=16
        mtu=9000
        offloads=rss+tso+lro+vlan+checksum
        mac=02:00:00:{{i / 256 % 256:x2}}:{{i % 256:x2}}:01
        DYNAMIC:
          mac, num_queues

        """);

    /// <summary>A vfio-ccw I/O subchannel (IBM Z).</summary>
    private static string VfioCcw(int i) => string.Create(CultureInfo.InvariantCulture, $$"""
        # IBM Z vfio-ccw: I/O subchannel 0.0.{{0x0300 + i:x4}} (ECKD DASD)
        SELF:
          device_api=vfio-ccw
          mdev_type=vfio_ccw-io
          software_version=1.1.0
          subchannel_type=io
          cu_type=3990/e9
          dev_type=3390/0c
          chpids=0x40+0x41    # two paths

        """);
}
