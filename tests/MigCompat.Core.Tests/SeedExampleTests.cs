using MigCompat.Core.Formatting;
using MigCompat.Core.Matching;
using MigCompat.Core.Syntax;

namespace MigCompat.Core.Tests;

public class SeedExampleTests
{
    private const string Target = """
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

    private static string Source(int aggregator) => $"""
        device_type=pci
        device_id=8086591d
        mdev_type=i915-GVTg_V5_4
        aggregator={aggregator}
        pv_mode="none+ppgtt"
        interface_version=3
        """;

    [Fact]
    public void The_seed_example_parses_verbatim()
    {
        var result = DescriptorParser.Parse(Target, "seed");
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        Assert.Equal(6, result.Descriptor!.Self.Length);
        Assert.Single(result.Descriptor.Compatible);
        Assert.Equal(6, result.Descriptor.Compatible[0].Fields.Length);
    }

    [Fact]
    public void A_V5_4_source_with_aggregator_2_is_accepted_with_val1_bound_to_4()
    {
        var verdict = Check(Source(2));
        Assert.True(verdict.IsCompatible, string.Join("\n", verdict.Reasons.Select(r => r.Message)));
        Assert.Equal(CompatibilityLevel.Live, verdict.Level);
        Assert.Equal(0, verdict.AcceptedBlock);
        Assert.Contains(verdict.Bindings, b => b is { Name: "val1", Value: "4", BoundBy: "mdev_type" });
        Assert.Contains(verdict.Bindings, b => b is { Name: "val2", Value: "none+ppgtt" });
    }

    [Fact]
    public void A_V5_4_source_with_aggregator_1_is_refused_with_a_binding_reason()
    {
        var verdict = Check(Source(1));
        Assert.Equal(CompatibilityLevel.Cold, verdict.Level);
        var reason = Assert.Single(verdict.Reasons);
        Assert.Equal(ReasonCodes.BindingMismatch, reason.Code);
        Assert.Equal("aggregator", reason.Field);
        Assert.Equal("1", reason.SourceValue);
        Assert.Equal("2", reason.TargetAccepts);
        Assert.Equal("aggregator: the source has 1, but with val1=4 (bound by mdev_type) COMPATIBLE block 1 accepts only 2 ({val1}/2).", reason.Message);
    }

    [Fact]
    public void The_canonical_form_of_the_seed_parses_back_to_an_equal_descriptor()
    {
        var first = DescriptorParser.Parse(Target).Descriptor!;
        var text = DescriptorFormatter.Format(first);
        var second = DescriptorParser.Parse(text).Descriptor;
        Assert.Equal(first, second);
    }

    private static Verdict Check(string source) =>
        Matcher.Check(DescriptorParser.Parse(source).Descriptor!, DescriptorParser.Parse(Target).Descriptor!);
}
