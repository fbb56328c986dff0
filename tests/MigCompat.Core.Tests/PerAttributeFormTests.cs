using MigCompat.Core.Matching;
using MigCompat.Core.Syntax;
using static MigCompat.Core.Tests.Descriptors;

namespace MigCompat.Core.Tests;

public class PerAttributeFormTests
{
    private static readonly KeyValuePair<string, string>[] GvtTarget =
    [
        new("name", "GVTg_V5_2\n"),
        new("description", "low_gm_size: 256MB\nhigh_gm_size: 1024MB\n"),
        new("available_instances", "3\n"),
        new("device_api", "vfio-pci\n"),
        new("mdev_type", "i915-GVTg_V5_2"),
        new("software_version", "1.2.0\n"),
        new("compatible_type", "i915-GVTg_V5_4, i915-GVTg_V5_8\n"),
        new("compatible_pv_mode", "none+ppgtt,none+context\n"),
        new("compatible_aggregator", "1-4\n"),
        new("aggregator", "1\n"),
        new("dynamic_resources", "aggregator\n"),
    ];

    [Fact]
    public void The_September_2020_attributes_map_to_self_one_block_and_dynamic()
    {
        var result = PerAttributeForm.Parse(GvtTarget, "sysfs");
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        var descriptor = result.Descriptor!;
        Assert.Equal(["device_api", "mdev_type", "software_version", "aggregator"], descriptor.Self.Select(f => f.Name));
        Assert.Equal("1.2.0", descriptor.SelfText("software_version"));
        var block = Assert.Single(descriptor.Compatible);
        Assert.Equal(
            ["mdev_type={mdev_type:string:\"i915-GVTg_V5_2\",\"i915-GVTg_V5_4\",\"i915-GVTg_V5_8\"}", "pv_mode={pv_mode:string:\"none+ppgtt\",\"none+context\"}", "aggregator={aggregator:int:1-4}"],
            block.Fields.Select(f => $"{f.Name}={f.Pattern}"));
        Assert.Equal(["aggregator"], descriptor.DynamicResources);
    }

    [Theory]
    [InlineData("i915-GVTg_V5_2", "context+none", "1.2.5", CompatibilityLevel.Live)]
    [InlineData("i915-GVTg_V5_8", "none+ppgtt", "1.0.0", CompatibilityLevel.Live)]
    [InlineData("i915-GVTg_V5_8", "none+ppgtt+context", "1.0.0", CompatibilityLevel.Cold)]
    [InlineData("i915-GVTg_V5_4", "none+ppgtt", "1.3.0", CompatibilityLevel.Cold)]
    [InlineData("i915-GVTg_V5_1", "none+ppgtt", "1.0.0", CompatibilityLevel.None)]
    public void The_per_attribute_target_accepts_listed_types_and_values_and_applies_the_version_rule(string type, string pvMode, string version, CompatibilityLevel level)
    {
        var target = PerAttributeForm.Parse(GvtTarget).Descriptor!;
        var source = Parse($"device_api=vfio-pci\nmdev_type={type}\nsoftware_version={version}\npv_mode={pvMode}\naggregator=2");
        var verdict = Matcher.Check(source, target);
        Assert.True(level == verdict.Level, Explain(verdict));
        if (level == CompatibilityLevel.Live)
        {
            Assert.Equal([new DynamicResourceClaim("aggregator", "2")], verdict.DynamicResources);
        }
    }

    [Fact]
    public void Attributes_whose_names_map_to_the_same_variable_get_distinct_variables()
    {
        var result = PerAttributeForm.Parse([new("mdev_type", "t"), new("a.b", "1"), new("a_b", "1"), new("compatible_a.b", "1,2"), new("compatible_a_b", "1,2")]);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        Assert.Equal(["{a_b:int:1,2}", "{a_b_2:int:1,2}"], result.Descriptor!.Compatible[0].Fields.Select(f => f.Pattern.ToString()));
    }

    [Fact]
    public void Without_compatible_attributes_there_is_no_block_and_the_default_rule_applies()
    {
        var result = PerAttributeForm.Parse([new("device_api", "vfio-ccw"), new("mdev_type", "vfio_ccw-io")]);
        Assert.True(result.Success);
        Assert.Empty(result.Descriptor!.Compatible);
    }

    [Fact]
    public void Quotes_and_braces_in_listed_values_are_kept_literally()
    {
        var result = PerAttributeForm.Parse([new("mode", "a"), new("compatible_mode", "a\"b,{c}")]);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        Assert.Equal("{mode:string:\"a\\\"b\",\"{c}\"}", result.Descriptor!.Compatible[0].Fields[0].Pattern.ToString());
    }

    [Fact]
    public void A_bad_attribute_name_is_reported_not_thrown()
    {
        var result = PerAttributeForm.Parse([new("bad name", "1")], "sysfs");
        Assert.Equal("MC1002", Assert.Single(result.Diagnostics).Code);
    }
}
