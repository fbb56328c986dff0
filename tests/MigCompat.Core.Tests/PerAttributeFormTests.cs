using MigCompat.Core.Matching;
using MigCompat.Core.Model;
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
    public void The_September_2020_attributes_map_to_self_a_type_block_superset_rules_and_dynamic()
    {
        var result = PerAttributeForm.Parse(GvtTarget, "sysfs");
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        var descriptor = result.Descriptor!;
        Assert.Equal(
            ["device_api=vfio-pci", "mdev_type=i915-GVTg_V5_2", "software_version=1.2.0", "aggregator=1", "pv_mode=none+ppgtt,none+context", "compatible_pv_mode=none+ppgtt,none+context", "rule.pv_mode=superset compatible_pv_mode", "compatible_aggregator=1-4", "rule.aggregator=superset compatible_aggregator"],
            descriptor.Self.Select(f => $"{f.Name}={f.Value.Text}"));
        var block = Assert.Single(descriptor.Compatible);
        Assert.Equal(["mdev_type={mdev_type:string:\"i915-GVTg_V5_2\",\"i915-GVTg_V5_4\",\"i915-GVTg_V5_8\"}"], block.Fields.Select(f => $"{f.Name}={f.Pattern}"));
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

    /// <summary>A per-type directory's attributes: the type id is the directory name (Sept 2020).</summary>
    private static Descriptor Type(string typeId, params (string Name, string Value)[] attributes)
    {
        var result = PerAttributeForm.Parse(attributes.Select(a => new KeyValuePair<string, string>(a.Name, a.Value)), typeId, typeId);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        return result.Descriptor!;
    }

    [Fact]
    public void The_type_id_is_the_directory_name_so_two_different_types_never_match()
    {
        var v54 = Type("i915-GVTg_V5_4", ("device_api", "vfio-pci"), ("name", "GVTg_V5_4"));
        var v58 = Type("i915-GVTg_V5_8", ("device_api", "vfio-pci"), ("name", "GVTg_V5_8"));
        var verdict = Matcher.Check(v54, v58);
        Assert.Equal(CompatibilityLevel.None, verdict.Level);
        Assert.Equal(ReasonCodes.TypeNotAccepted, verdict.Reasons[0].Code);
        Assert.Equal("i915-GVTg_V5_4", v54.SelfText("mdev_type"));
    }

    [Fact]
    public void An_mdev_type_attribute_written_by_the_driver_wins_over_the_directory_name()
    {
        var descriptor = Type("dir-name", ("device_api", "vfio-pci"), ("mdev_type", "vendor-x"));
        Assert.Equal("vendor-x", descriptor.SelfText("mdev_type"));
    }

    [Theory]
    [InlineData("8086:591d", "8086:591d,8086:5912", CompatibilityLevel.Live)]
    [InlineData("8086:591d,8086:5912", "8086:5912,8086:591d,8086:3e92", CompatibilityLevel.Live)]
    [InlineData("8086:591d,8086:5912", "8086:591d", CompatibilityLevel.Cold)]
    [InlineData("8086:591d", "", CompatibilityLevel.Cold)]
    [InlineData("8086:591d", "8086:3e92", CompatibilityLevel.Cold)]
    public void The_targets_compatible_list_must_contain_every_value_of_the_sources_list(string sourceList, string targetList, CompatibilityLevel level)
    {
        var source = Type("vendor-a", ("device_api", "vfio-pci"), ("software_version", "1.0.0"), ("compatible_pci_ids", sourceList));
        var target = Type("vendor-a", ("device_api", "vfio-pci"), ("software_version", "1.0.0"), ("compatible_pci_ids", targetList));
        var verdict = Matcher.Check(source, target);
        Assert.True(level == verdict.Level, Explain(verdict));
        if (level == CompatibilityLevel.Cold)
        {
            Assert.Equal(ReasonCodes.SetNotContained, Assert.Single(verdict.Reasons).Code);
        }
    }

    [Fact]
    public void A_per_type_directory_accepts_itself()
    {
        var type = Type("vendor-a", ("device_api", "vfio-pci"), ("software_version", "2.1.0"), ("compatible_pci_ids", "8086:591d,8086:5912"), ("migration_version", "opaque-blob-7"));
        var verdict = Matcher.Check(type, type);
        Assert.True(verdict.Level == CompatibilityLevel.Live, Explain(verdict));
        Assert.Equal(EvidenceKind.Declaration, verdict.Evidence.Kind);
    }

    [Fact]
    public void A_source_value_is_checked_against_the_targets_list_when_the_source_has_no_list()
    {
        var source = Type("vendor-a", ("device_api", "vfio-pci"), ("software_version", "1.0"), ("pci_ids", "8086:5912"));
        var target = Type("vendor-a", ("device_api", "vfio-pci"), ("software_version", "1.0"), ("compatible_pci_ids", "8086:591d,8086:5912"));
        Assert.Equal(CompatibilityLevel.Live, Matcher.Check(source, target).Level);
    }

    [Fact]
    public void An_empty_compatible_list_accepts_a_source_without_the_field()
    {
        var source = Type("vendor-a", ("device_api", "vfio-pci"), ("software_version", "1.0"));
        var target = Type("vendor-a", ("device_api", "vfio-pci"), ("software_version", "1.0"), ("compatible_pci_ids", ""));
        Assert.Equal(CompatibilityLevel.Live, Matcher.Check(source, target).Level);
    }

    [Theory]
    [InlineData("1.2.0", "1.2.0", CompatibilityLevel.Live)]
    [InlineData("1.2.0", "1.3.0", CompatibilityLevel.Cold)]
    [InlineData("1.3.0", "1.2.0", CompatibilityLevel.Cold)]
    public void A_migration_version_is_opaque_so_only_identical_text_is_accepted(string source, string target, CompatibilityLevel level)
    {
        var verdict = Matcher.Check(Type("vendor-a", ("device_api", "vfio-pci"), ("migration_version", source)), Type("vendor-a", ("device_api", "vfio-pci"), ("migration_version", target)));
        Assert.True(level == verdict.Level, Explain(verdict));
    }

    [Theory]
    [InlineData("1.2.0", "1.2.0-rc1", CompatibilityLevel.Cold)]
    [InlineData("1.2.0-rc1", "1.2.0", CompatibilityLevel.Live)]
    [InlineData("1.2.0-rc1", "1.2.0-rc1", CompatibilityLevel.Live)]
    [InlineData("1.1.0", "1.3.0-rc2", CompatibilityLevel.Cold)]
    public void A_pre_release_target_does_not_accept_a_release_source(string source, string target, CompatibilityLevel level)
    {
        var verdict = Matcher.Check(Type("vendor-a", ("device_api", "vfio-pci"), ("software_version", source)), Type("vendor-a", ("device_api", "vfio-pci"), ("software_version", target)));
        Assert.True(level == verdict.Level, Explain(verdict));
    }

    [Fact]
    public void A_bad_attribute_name_is_reported_not_thrown()
    {
        var result = PerAttributeForm.Parse([new("bad name", "1")], "sysfs");
        Assert.Equal("MC1002", Assert.Single(result.Diagnostics).Code);
    }
}
