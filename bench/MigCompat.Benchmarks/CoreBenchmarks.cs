using System.Text;
using BenchmarkDotNet.Attributes;
using MigCompat.Core.Matching;
using MigCompat.Core.Model;
using MigCompat.Core.Syntax;

namespace MigCompat.Benchmarks;

/// <summary>
/// Core throughput: parsing typical descriptor text (report MB/s = 0.1 / mean seconds for the ~100 KB
/// input) and <see cref="Matcher.Check(Descriptor, CompiledTarget)"/> with a precompiled target.
/// </summary>
[MemoryDiagnoser]
public class CoreBenchmarks
{
    private const string SeedTarget = """
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

    private string corpus = string.Empty;
    private Descriptor seedSource = null!;
    private CompiledTarget seedTarget = null!;
    private Descriptor plainSource = null!;
    private CompiledTarget plainTarget = null!;

    /// <summary>Builds the ~100 KB corpus and the precompiled pairs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var builder = new StringBuilder();
        var i = 0;
        while (builder.Length < 100_000)
        {
            builder.Append(i++ % 2 == 0 ? SeedTarget : PlainSource).Append('\n');
        }

        corpus = builder.ToString();
        seedSource = DescriptorParser.Parse(SeedSource).Descriptor!;
        seedTarget = CompiledTarget.Compile(DescriptorParser.Parse(SeedTarget).Descriptor!);
        plainSource = DescriptorParser.Parse(PlainSource).Descriptor!;
        plainTarget = CompiledTarget.Compile(DescriptorParser.Parse(PlainTarget).Descriptor!);
        if (!Matcher.Check(seedSource, seedTarget).IsCompatible || !Matcher.Check(plainSource, plainTarget).IsCompatible)
        {
            throw new InvalidOperationException("the benchmark pairs must be compatible");
        }
    }

    /// <summary>The corpus size in bytes, for MB/s.</summary>
    public int CorpusLength => corpus.Length;

    /// <summary>Parses ~100 KB of descriptor text, descriptor by descriptor (blank-line separated files concatenated).</summary>
    [Benchmark]
    public int Parse100KB()
    {
        var total = 0;
        var start = 0;
        while (start < corpus.Length)
        {
            var end = corpus.IndexOf("\n# The", start + 1, StringComparison.Ordinal);
            end = end < 0 ? corpus.Length : end + 1;
            total += DescriptorParser.Parse(corpus[start..end]).Diagnostics.Length;
            start = end;
        }

        return total;
    }

    /// <summary>Parses the seed target once.</summary>
    [Benchmark]
    public Descriptor? ParseSeedTarget() => DescriptorParser.Parse(SeedTarget).Descriptor;

    /// <summary>Checks the seed source against the precompiled seed target (templates, bindings, arithmetic).</summary>
    [Benchmark]
    public Verdict CheckSeedPair() => Matcher.Check(seedSource, seedTarget);

    /// <summary>Checks a no-blocks pair (default rule with a version).</summary>
    [Benchmark]
    public Verdict CheckNoBlocksPair() => Matcher.Check(plainSource, plainTarget);
}
