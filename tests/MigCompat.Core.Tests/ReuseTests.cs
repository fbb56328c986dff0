using MigCompat.Core.Matching;
using MigCompat.Core.Syntax;
using static MigCompat.Core.Tests.Descriptors;

namespace MigCompat.Core.Tests;

/// <summary>The parser and matcher reuse per-thread scratch state; nothing may leak from one call into the next.</summary>
public class ReuseTests
{
    private const string Target = """
        mdev_type=i915-GVTg_V5_2
        aggregator=1
        COMPATIBLE:
        mdev_type=i915-GVTg_V5_{n:int:1,2,4,8}
        aggregator={n}/2
        """;

    private const string WideTarget = """
        mdev_type=t-1
        COMPATIBLE:
        mdev_type=t-{a:int:1-9}
        x={b:string:"p","q"}
        y={c:int}
        z={a}+1
        w={b}{c}
        """;

    [Fact]
    public void A_parse_after_a_failed_parse_starts_clean()
    {
        var bad = DescriptorParser.Parse("a=1\na=2\nCOMPATIBLE:\nCOMPATIBLE:\nb={x}\nDYNAMIC:\nc c", "bad");
        Assert.False(bad.Success);

        var good = DescriptorParser.Parse("SELF:\na=1\nCOMPATIBLE:\na={v:int:1,2}\nDYNAMIC:\nc", "good");
        Assert.True(good.Success, string.Join("\n", good.Diagnostics));
        var warning = Assert.Single(good.Diagnostics);
        Assert.Equal("good", warning.File);
        Assert.Equal(6, warning.Line);
        Assert.Single(good.Descriptor!.Self);
        Assert.Single(good.Descriptor.Compatible);
        Assert.Equal(["c"], good.Descriptor.DynamicResources);
    }

    [Fact]
    public void Checks_against_blocks_of_different_sizes_do_not_share_bindings()
    {
        var source = Parse("mdev_type=i915-GVTg_V5_4\naggregator=2");
        var target = CompiledTarget.Compile(Parse(Target));
        var wideSource = Parse("mdev_type=t-3\nx=q\ny=17\nz=4\nw=q17");
        var wide = CompiledTarget.Compile(Parse(WideTarget));

        var first = Matcher.Check(source, target);
        var wideVerdict = Matcher.Check(wideSource, wide);
        var refused = Matcher.Check(Parse("mdev_type=i915-GVTg_V5_4\naggregator=3"), target);
        var again = Matcher.Check(source, target);

        Assert.True(first.IsCompatible, Explain(first));
        Assert.True(wideVerdict.IsCompatible, Explain(wideVerdict));
        Assert.Equal(3, wideVerdict.Bindings.Length);
        Assert.False(refused.IsCompatible);
        Assert.True(again.IsCompatible, Explain(again));
        Assert.Equal(first.Bindings, again.Bindings);
        Assert.Equal([new VariableBinding("n", "4", "mdev_type")], again.Bindings);
    }

    [Fact]
    public void Parallel_parses_and_checks_agree_with_sequential_ones()
    {
        var text = Target + "\n";
        var expected = DescriptorParser.Parse(text);
        var source = Parse("mdev_type=i915-GVTg_V5_8\naggregator=4");
        var target = CompiledTarget.Compile(expected.Descriptor!);
        var expectedVerdict = Matcher.Check(source, target);
        Parallel.For(0, 64, _ =>
        {
            for (var i = 0; i < 50; i++)
            {
                var result = DescriptorParser.Parse(text);
                Assert.Equal(expected.Descriptor, result.Descriptor);
                Assert.Equal(expected.Diagnostics, result.Diagnostics);
                var verdict = Matcher.Check(source, target);
                Assert.Equal(expectedVerdict.Level, verdict.Level);
                Assert.Equal(expectedVerdict.Bindings, verdict.Bindings);
            }
        });
    }
}
