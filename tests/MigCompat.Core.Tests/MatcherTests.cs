using MigCompat.Core.Matching;
using static MigCompat.Core.Tests.Descriptors;

namespace MigCompat.Core.Tests;

public class MatcherTests
{
    /// <summary>Source, target, level, and the one expected reason: code, field, source value, target accepts, message.</summary>
    public static TheoryData<string, string, CompatibilityLevel, string, string, string?, string?, string> SingleReasons => new()
    {
        {
            "device_api=vfio-pci", "device_api=vfio-ccw", CompatibilityLevel.None,
            ReasonCodes.DeviceApiMismatch, "device_api", "vfio-pci", "vfio-ccw",
            "device_api: the source is vfio-pci, the target is vfio-ccw; devices with different VFIO device APIs can never migrate."
        },
        {
            "a=1", "device_api=vfio-pci\na=1", CompatibilityLevel.None,
            ReasonCodes.DeviceApiMissing, "device_api", null, "vfio-pci",
            "device_api: only the target states it (vfio-pci); without it on both sides the VFIO interfaces cannot be compared."
        },
        {
            "device_api=vfio-pci\nmdev_type=nvidia-63", "device_api=vfio-pci\nmdev_type=nvidia-64", CompatibilityLevel.None,
            ReasonCodes.TypeNotAccepted, "mdev_type", "nvidia-63", "nvidia-64",
            "mdev_type: the source's type nvidia-63 is not the target's type (nvidia-64) and no COMPATIBLE block accepts it."
        },
        {
            "device_api=vfio-pci", "device_api=vfio-pci\nmdev_type=nvidia-64", CompatibilityLevel.None,
            ReasonCodes.TypeMissing, "mdev_type", null, "nvidia-64",
            "mdev_type: the target is a mediated device of type nvidia-64, the source is not a mediated device."
        },
        {
            "device_api=vfio-pci\nmdev_type=nvidia-64", "device_api=vfio-pci", CompatibilityLevel.None,
            ReasonCodes.TypeMissing, "mdev_type", "nvidia-64", null,
            "mdev_type: the source is a mediated device of type nvidia-64, the target is not a mediated device."
        },
        {
            "device_api=vfio-pci\nsoftware_version=2.1.0", "device_api=vfio-pci\nsoftware_version=1.9.0", CompatibilityLevel.Cold,
            ReasonCodes.VersionMajorDiffers, "software_version", "2.1.0", "1.9.0",
            "software_version: the source is 2.1.0 and the target 1.9.0; their major versions differ, which means features were removed, so the target cannot load the source's state."
        },
        {
            "device_api=vfio-pci\nsoftware_version=1.3.0", "device_api=vfio-pci\nsoftware_version=1.2.7", CompatibilityLevel.Cold,
            ReasonCodes.VersionMinorTooLow, "software_version", "1.3.0", "1.2.7",
            "software_version: the target is 1.2.7, older than the source's 1.3.0 (minor 2 < 3); it may lack features the source uses."
        },
        {
            "device_api=vfio-pci\npv_mode=none+ppgtt", "device_api=vfio-pci\npv_mode=none+context", CompatibilityLevel.Cold,
            ReasonCodes.ValueMismatch, "pv_mode", "none+ppgtt", "none+context",
            "pv_mode: the source has none+ppgtt, the target none+context; without a COMPATIBLE declaration the values must be equal."
        },
        {
            "device_api=vfio-pci\nnote=a b", "device_api=vfio-pci\nnote=a c\nCOMPATIBLE:\ndevice_api=vfio-pci", CompatibilityLevel.Cold,
            ReasonCodes.ValueMismatch, "note", "a b", "a c",
            "note: the source has a b, the target a c; COMPATIBLE block 1 does not list this field, so the values must be equal."
        },
        {
            "device_api=vfio-pci", "device_api=vfio-pci\nfeature=x", CompatibilityLevel.Cold,
            ReasonCodes.FieldMissingOnSource, "feature", null, "x",
            "feature: the target has x, but the source does not have this field, so the target's requirement cannot be shown to hold."
        },
        {
            "device_api=vfio-pci", "device_api=vfio-pci\nCOMPATIBLE:\nfeature={f:string:\"x\",\"y\"}", CompatibilityLevel.Cold,
            ReasonCodes.FieldMissingOnSource, "feature", null, "{f:string:\"x\",\"y\"}",
            "feature: COMPATIBLE block 1 requires it ({f:string:\"x\",\"y\"}), but the source does not have this field."
        },
        {
            "device_api=vfio-pci\nfeature=\"x y\"", "device_api=vfio-pci", CompatibilityLevel.Cold,
            ReasonCodes.FieldMissingOnTarget, "feature", "x y", null,
            "feature: the source has x y, but the target has no such field."
        },
        {
            "device_api=vfio-pci\nfeature=x", "device_api=vfio-pci\nCOMPATIBLE:\ndevice_api=vfio-pci", CompatibilityLevel.Cold,
            ReasonCodes.FieldMissingOnTarget, "feature", "x", null,
            "feature: the source has x, but the target has no such field and COMPATIBLE block 1 does not accept it."
        },
        {
            "device_api=vfio-pci\naggregator=3", "device_api=vfio-pci\nCOMPATIBLE:\naggregator={n:int:1,2,4}", CompatibilityLevel.Cold,
            ReasonCodes.ValueNotAccepted, "aggregator", "3", "{n:int:1,2,4}",
            "aggregator: the source has 3, which COMPATIBLE block 1 does not accept ({n:int:1,2,4})."
        },
        {
            "device_api=vfio-pci\nsoftware_version=1.1.0", "device_api=vfio-pci\nCOMPATIBLE:\nsoftware_version={v:string:\"1.2.0\"}", CompatibilityLevel.Cold,
            ReasonCodes.ValueNotAccepted, "software_version", "1.1.0", "{v:string:\"1.2.0\"}",
            "software_version: the source has 1.1.0, which COMPATIBLE block 1 does not accept ({v:string:\"1.2.0\"}) (the block lists accepted values explicitly, so the major.minor rule does not apply)."
        },
        {
            "device_api=vfio-pci\nsize=4\nlabel=size-2", "device_api=vfio-pci\nCOMPATIBLE:\nsize={n:int:1,2,4,8}\nlabel=size-{n}", CompatibilityLevel.Cold,
            ReasonCodes.BindingMismatch, "label", "size-2", "size-4",
            "label: the source has size-2, but with n=4 (bound by size) COMPATIBLE block 1 accepts only size-4 (size-{n})."
        },
        {
            "device_api=vfio-pci\nsize=3\nhalf=1", "device_api=vfio-pci\nCOMPATIBLE:\nsize={n:int:1-8}\nhalf={n}/2", CompatibilityLevel.Cold,
            ReasonCodes.ArithmeticNotInteger, "half", "1", "{n}/2",
            "half: with n=3 (bound by size), {n}/2 is not a non-negative integer, so COMPATIBLE block 1 accepts no value here."
        },
        {
            "device_api=vfio-pci\nsize=8\nhalf=3", "device_api=vfio-pci\nCOMPATIBLE:\nsize={n:int:1-8}\nhalf={n}/2", CompatibilityLevel.Cold,
            ReasonCodes.BindingMismatch, "half", "3", "4",
            "half: the source has 3, but with n=8 (bound by size) COMPATIBLE block 1 accepts only 4 ({n}/2)."
        },
        {
            "device_api=vfio-pci\nmdev_type=t-9\nextra=1", "device_api=vfio-pci\nmdev_type=t-1\nCOMPATIBLE:\nmdev_type=t-{n:int}\nextra=1\nCOMPATIBLE:\nmdev_type=t-{n:int:1,2}\nextra=1", CompatibilityLevel.Live,
            "", "", null, null, ""
        },
    };

    [Theory]
    [MemberData(nameof(SingleReasons))]
    public void Each_reason_code_reports_the_field_both_values_and_a_sentence(
        string source, string target, CompatibilityLevel level, string code, string field, string? sourceValue, string? targetAccepts, string message)
    {
        var verdict = Check(source, target);
        Assert.True(level == verdict.Level, Explain(verdict));
        if (level == CompatibilityLevel.Live)
        {
            Assert.Empty(verdict.Reasons);
            return;
        }

        var reason = Assert.Single(verdict.Reasons);
        Assert.Equal((code, field, sourceValue, targetAccepts, message), (reason.Code, reason.Field, reason.SourceValue, reason.TargetAccepts, reason.Message));
    }

    [Fact]
    public void A_value_no_field_could_bind_makes_the_fields_that_use_it_unbound()
    {
        var verdict = Check("device_api=vfio-pci\nsize=3\nlabel=size-3", "device_api=vfio-pci\nCOMPATIBLE:\nsize={n:int:1,2}\nlabel=size-{n}");
        Assert.Equal([ReasonCodes.ValueNotAccepted, ReasonCodes.UnboundVariable], verdict.Reasons.Select(r => r.Code));
        Assert.Equal("label: COMPATIBLE block 1 accepts size-{n}, which depends on {n}; no value of size could bind it, so size-3 cannot be checked.", verdict.Reasons[1].Message);
    }

    [Fact]
    public void The_type_reason_in_a_block_names_what_the_block_accepts()
    {
        var target = "device_api=vfio-pci\nmdev_type=t-1\nCOMPATIBLE:\nmdev_type=t-{n:int:1,2}\nsize=1\nCOMPATIBLE:\nmdev_type=t-{n:int:3}\nsize=2";
        var verdict = Check("device_api=vfio-pci\nmdev_type=t-3\nsize=1", target);
        Assert.Equal(CompatibilityLevel.Cold, verdict.Level);
        var first = verdict.Blocks[0].Reasons[0];
        Assert.Equal((ReasonCodes.TypeNotAccepted, "mdev_type: COMPATIBLE block 1 accepts t-{n:int:1,2}, which does not include t-3."), (first.Code, first.Message));
    }

    [Fact]
    public void The_seed_example_binds_val1_from_the_type_and_requires_aggregator_half_of_it()
    {
        var target = File.ReadAllText(Path.Combine(ExamplesDirectory(), "seed-target.desc"));
        var accepted = Check(File.ReadAllText(Path.Combine(ExamplesDirectory(), "seed-source.desc")), target);
        var refused = Check(File.ReadAllText(Path.Combine(ExamplesDirectory(), "seed-source-refused.desc")), target);
        Assert.Equal(CompatibilityLevel.Live, accepted.Level);
        Assert.Equal(0, accepted.AcceptedBlock);
        Assert.Equal(
            [new VariableBinding("val1", "4", "mdev_type"), new VariableBinding("val2", "none+ppgtt", "pv_mode"), new VariableBinding("val3", "3", "interface_version")],
            accepted.Bindings);
        Assert.Equal(CompatibilityLevel.Cold, refused.Level);
        Assert.Equal(ReasonCodes.BindingMismatch, Assert.Single(refused.Reasons).Code);
        Assert.Null(refused.AcceptedBlock);
    }

    [Theory]
    [InlineData("i915-GVTg_V5_2", 4, CompatibilityLevel.Live)]
    [InlineData("i915-GVTg_V5_4", 4, CompatibilityLevel.Live)]
    [InlineData("i915-GVTg_V5_8", 9, CompatibilityLevel.Cold)]
    [InlineData("i915-GVTg_V5_16", 4, CompatibilityLevel.None)]
    public void The_targets_own_type_is_always_accepted_and_other_types_only_when_a_block_lists_them(string sourceType, int size, CompatibilityLevel level)
    {
        var target = "device_api=vfio-pci\nmdev_type=i915-GVTg_V5_2\nCOMPATIBLE:\nmdev_type=i915-GVTg_V5_{n:int:4,8}\nsize={s:int:1-4}";
        var verdict = Check($"device_api=vfio-pci\nmdev_type={sourceType}\nsize={size}", target);
        Assert.True(level == verdict.Level, Explain(verdict));
    }

    [Fact]
    public void The_targets_own_type_binds_nothing_so_fields_that_depend_on_the_type_variable_refuse()
    {
        var target = "device_api=vfio-pci\nmdev_type=i915-GVTg_V5_2\nCOMPATIBLE:\nmdev_type=i915-GVTg_V5_{n:int:4,8}\nsize={n}";
        var verdict = Check("device_api=vfio-pci\nmdev_type=i915-GVTg_V5_2\nsize=4", target);
        Assert.Equal(ReasonCodes.UnboundVariable, Assert.Single(verdict.Reasons).Code);
    }

    [Fact]
    public void Blocks_are_alternatives_evaluated_in_order_until_one_accepts()
    {
        var target = "device_api=vfio-pci\nCOMPATIBLE:\nsize={n:int:1}\nCOMPATIBLE:\nsize={n:int:2}\nCOMPATIBLE:\nsize={n:int:2-3}";
        var verdict = Check("device_api=vfio-pci\nsize=2", target);
        Assert.Equal(1, verdict.AcceptedBlock);
        Assert.Equal([false, true], verdict.Blocks.Select(b => b.Accepted));
        Assert.Equal([new VariableBinding("n", "2", "size")], verdict.Bindings);
    }

    [Fact]
    public void When_every_block_refuses_each_says_why_and_the_closest_gives_the_reasons()
    {
        var target = "device_api=vfio-pci\nCOMPATIBLE:\nsize=1\ncolor=red\nCOMPATIBLE:\nsize=2\ncolor=blue";
        var verdict = Check("device_api=vfio-pci\nsize=2\ncolor=red", target);
        Assert.Equal(CompatibilityLevel.Cold, verdict.Level);
        Assert.Null(verdict.AcceptedBlock);
        Assert.Equal(2, verdict.Blocks.Length);
        Assert.All(verdict.Blocks, b => Assert.Single(b.Reasons));
        Assert.Equal(0, Assert.Single(verdict.Reasons).Block);
    }

    [Fact]
    public void A_block_that_declares_a_version_field_replaces_the_version_rule()
    {
        var target = "device_api=vfio-pci\nsoftware_version=1.0.0\nCOMPATIBLE:\nsoftware_version={v:string:\"1.5.0\",\"2.0.0\"}";
        Assert.Equal(CompatibilityLevel.Live, Check("device_api=vfio-pci\nsoftware_version=2.0.0", target).Level);
        Assert.Equal(CompatibilityLevel.Cold, Check("device_api=vfio-pci\nsoftware_version=1.0.0", target).Level);
    }

    [Fact]
    public void A_version_field_a_block_does_not_declare_follows_the_rule()
    {
        var target = "device_api=vfio-pci\nsoftware_version=1.4.0\nsize=1\nCOMPATIBLE:\nsize={n:int:1,2}";
        Assert.Equal(CompatibilityLevel.Live, Check("device_api=vfio-pci\nsoftware_version=1.3.9\nsize=2", target).Level);
        Assert.Equal(ReasonCodes.VersionMinorTooLow, Assert.Single(Check("device_api=vfio-pci\nsoftware_version=1.5.0\nsize=2", target).Reasons).Code);
    }

    [Fact]
    public void Dynamic_resources_are_not_matched_but_claimed_with_the_source_value()
    {
        var target = "device_api=vfio-pci\nmdev_type=t\nsoftware_version=1.0\naggregator=1\nDYNAMIC:\naggregator";
        var verdict = Check("device_api=vfio-pci\nmdev_type=t\nsoftware_version=1.0\naggregator=4", target);
        Assert.Equal(CompatibilityLevel.Live, verdict.Level);
        Assert.Equal([new DynamicResourceClaim("aggregator", "4")], verdict.DynamicResources);
    }

    [Fact]
    public void A_dynamic_resource_is_left_out_of_the_blocks_too()
    {
        var target = "device_api=vfio-pci\naggregator=1\nCOMPATIBLE:\naggregator=1\nDYNAMIC:\naggregator";
        var verdict = Check("device_api=vfio-pci\naggregator=4", target);
        Assert.Equal(CompatibilityLevel.Live, verdict.Level);
        Assert.Equal([new DynamicResourceClaim("aggregator", "4")], verdict.DynamicResources);
    }

    [Theory]
    [InlineData("device_api=vfio-pci", "device_api=vfio-pci\npv_mode=\"\"")]
    [InlineData("device_api=vfio-pci\npv_mode=\"\"", "device_api=vfio-pci")]
    [InlineData("device_api=vfio-pci\npv_mode=\"\"", "device_api=vfio-pci\npv_mode=\"\"")]
    public void An_empty_value_means_the_field_may_be_absent_in_the_default_rule(string source, string target) =>
        Assert.Equal(CompatibilityLevel.Live, Check(source + "\nsoftware_version=1.0", target + "\nsoftware_version=1.0").Level);

    [Fact]
    public void Feature_sets_are_equal_in_any_order_but_a_missing_feature_refuses()
    {
        Assert.Equal(CompatibilityLevel.Live, Check("device_api=vfio-pci\nsoftware_version=1.0\npv_mode=ppgtt+none", "device_api=vfio-pci\nsoftware_version=1.0\npv_mode=none+ppgtt").Level);
        Assert.Equal(CompatibilityLevel.Cold, Check("device_api=vfio-pci\nsoftware_version=1.0\npv_mode=none+ppgtt+context", "device_api=vfio-pci\nsoftware_version=1.0\npv_mode=none+ppgtt").Level);
    }

    [Fact]
    public void Several_problems_are_all_reported()
    {
        var verdict = Check(
            "device_api=vfio-ccw\nsoftware_version=2.0\ncolor=red\nonly_source=1",
            "device_api=vfio-pci\nsoftware_version=1.0\ncolor=blue\nonly_target=1");
        Assert.Equal(CompatibilityLevel.None, verdict.Level);
        Assert.Equal(
            [ReasonCodes.DeviceApiMismatch, ReasonCodes.VersionMajorDiffers, ReasonCodes.ValueMismatch, ReasonCodes.FieldMissingOnTarget, ReasonCodes.FieldMissingOnSource],
            verdict.Reasons.Select(r => r.Code));
    }

    internal static string ExamplesDirectory()
    {
        var directory = AppContext.BaseDirectory;
        while (!Directory.Exists(Path.Combine(directory, "docs", "examples")))
        {
            directory = Path.GetDirectoryName(directory) ?? throw new DirectoryNotFoundException("docs/examples");
        }

        return Path.Combine(directory, "docs", "examples");
    }
}
