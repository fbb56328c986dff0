using MigCompat.Core.Matching;
using MigCompat.Core.Syntax;
using static MigCompat.Core.Tests.Descriptors;

namespace MigCompat.Core.Tests;

/// <summary>
/// The first law: live only with evidence, never for a driver that cannot migrate, and each field
/// by the rule that is stated for it (docs/format.md §7.3, §7.6; docs/rules.md).
/// </summary>
public class GroundedVerdictTests
{
    [Fact]
    public void Two_descriptors_with_only_device_api_and_type_are_not_live_because_nothing_vouches()
    {
        var verdict = Check("device_api=vfio-pci\nmdev_type=nvidia-63", "device_api=vfio-pci\nmdev_type=nvidia-63");
        Assert.Equal(CompatibilityLevel.Cold, verdict.Level);
        var reason = Assert.Single(verdict.Reasons);
        Assert.Equal(ReasonCodes.NoEvidence, reason.Code);
        Assert.Contains("add a profile or rule pack for driver nvidia", reason.Message, StringComparison.Ordinal);
        Assert.Equal(EvidenceKind.None, verdict.Evidence.Kind);
    }

    [Theory]
    [InlineData("device_api=vfio-pci\npci_id=15b3:101e\ndriver=vfio-pci\ndriver_build=6.12.43", "vfio-pci")]
    [InlineData("device_api=vfio-ccw\nmdev_type=vfio_ccw-io", "vfio_ccw")]
    [InlineData("device_api=vfio-ap\nmdev_type=vfio_ap-passthrough", "vfio_ap")]
    [InlineData("device_api=vfio-pci\nmdev_type=i915-GVTg_V5_4", "i915")]
    [InlineData("device_api=vfio-pci\nmdev_type=mdpy-vga", "mdpy")]
    [InlineData("device_api=vfio-pci\npci_id=10de:2342\ndriver=nvgrace-gpu-vfio-pci\ndriver_build=1", "nvgrace-gpu-vfio-pci")]
    public void A_device_whose_driver_cannot_migrate_is_never_live_but_still_cold(string descriptor, string driver)
    {
        var verdict = Check(descriptor, descriptor);
        Assert.Equal(CompatibilityLevel.Cold, verdict.Level);
        Assert.All(verdict.Reasons, r => Assert.Equal(ReasonCodes.MigrationUnsupported, r.Code));
        Assert.Equal(2, verdict.Reasons.Length);
        Assert.Contains(driver, verdict.Reasons[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_whose_driver_cannot_migrate_still_says_none_when_the_type_differs()
    {
        var verdict = Check("device_api=vfio-pci\nmdev_type=i915-GVTg_V5_4", "device_api=vfio-pci\nmdev_type=i915-GVTg_V5_8");
        Assert.Equal(CompatibilityLevel.None, verdict.Level);
        Assert.Contains(verdict.Reasons, r => r.Code == ReasonCodes.MigrationUnsupported);
    }

    [Theory]
    [InlineData("mlx5_vfio_pci")]
    [InlineData("hisi_acc_vfio_pci")]
    [InlineData("xe-vfio-pci")]
    [InlineData("mtty")]
    public void Identical_builds_of_a_driver_that_migrates_are_live_with_that_as_evidence(string driver)
    {
        var descriptor = $"device_api=vfio-pci\npci_id=15b3:101e\ndriver={driver}\ndriver_build=6.12.43";
        var verdict = Check(descriptor, descriptor);
        Assert.True(verdict.Level == CompatibilityLevel.Live, Explain(verdict));
        Assert.Equal(EvidenceKind.IdenticalBuild, verdict.Evidence.Kind);
        Assert.Contains("6.12.43", verdict.Evidence.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("driver=mlx5_vfio_pci\ndriver_build=6.12.43", "driver=mlx5_vfio_pci\ndriver_build=6.12.44")]
    [InlineData("driver=unknown_vfio_pci\ndriver_build=1", "driver=unknown_vfio_pci\ndriver_build=1")]
    [InlineData("driver=mlx5_vfio_pci", "driver=mlx5_vfio_pci")]
    public void Different_builds_or_a_driver_of_unknown_capability_are_not_live(string source, string target)
    {
        var verdict = Check("device_api=vfio-pci\n" + source, "device_api=vfio-pci\n" + target);
        Assert.Equal(CompatibilityLevel.Cold, verdict.Level);
    }

    [Fact]
    public void The_seed_example_stays_live_with_the_targets_own_declaration_as_evidence()
    {
        var verdict = Matcher.Check(Parse(File.ReadAllText(Path.Combine(MatcherTests.ExamplesDirectory(), "seed-source.desc"))), Parse(File.ReadAllText(Path.Combine(MatcherTests.ExamplesDirectory(), "seed-target.desc"))));
        Assert.Equal(CompatibilityLevel.Live, verdict.Level);
        Assert.Equal(EvidenceKind.Declaration, verdict.Evidence.Kind);
    }

    [Theory]
    [InlineData("rule-pack mtty 1 (mtty.rules)", EvidenceKind.RulePack, "mtty 1 (mtty.rules)")]
    [InlineData("profile /etc/migcompat/profiles.d/50-p4.profile", EvidenceKind.Profile, "/etc/migcompat/profiles.d/50-p4.profile")]
    [InlineData("driver", EvidenceKind.Driver, "the driver's own migration attributes")]
    [InlineData("vendor sheet 2026-11", EvidenceKind.Declaration, "vendor sheet 2026-11")]
    public void A_stated_evidence_field_names_what_vouches(string text, EvidenceKind kind, string detail)
    {
        var descriptor = $"device_api=vfio-pci\nmdev_type=x-1\nmigration.evidence={text}";
        var verdict = Check(descriptor, descriptor);
        Assert.True(verdict.Level == CompatibilityLevel.Live, Explain(verdict));
        Assert.Equal(new Evidence(kind, detail), verdict.Evidence);
    }

    [Fact]
    public void A_stated_capability_overrides_the_driver_table()
    {
        var verdict = Check("device_api=vfio-pci\nmdev_type=mtty-2\nsoftware_version=1.0\nmigration.capable=no", "device_api=vfio-pci\nmdev_type=mtty-2\nsoftware_version=1.0");
        Assert.Equal(CompatibilityLevel.Cold, verdict.Level);
        var reason = Assert.Single(verdict.Reasons);
        Assert.Equal(ReasonCodes.MigrationUnsupported, reason.Code);
        Assert.Contains("migration.capable=no", reason.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("550.54.14", "550.144.03")]
    [InlineData("550.144.03", "550.54.14")]
    [InlineData("550", "580")]
    public void A_driver_version_is_compared_exactly_not_by_the_x_y_rule(string source, string target)
    {
        var verdict = Check($"device_api=vfio-pci\nmdev_type=nvidia-63\nsoftware_version=1.0\ndriver_version={source}", $"device_api=vfio-pci\nmdev_type=nvidia-63\nsoftware_version=1.0\ndriver_version={target}");
        Assert.Equal(CompatibilityLevel.Cold, verdict.Level);
        Assert.Equal(ReasonCodes.ValueMismatch, Assert.Single(verdict.Reasons).Code);
    }

    private const string NvidiaTarget = """
        device_api=vfio-pci
        mdev_type=nvidia-558
        gpu=10de:20b5
        ecc=on
        driver=nvidia
        driver_build=570.133.10
        vgpu_range=18.1-24.2
        vgpu_version=18.1-24.2
        rule.vgpu_version=within vgpu_range
        rule.driver_build=ignore
        migration.evidence=rule-pack nvidia-vgpu 1
        """;

    [Theory]
    [InlineData("18.1", CompatibilityLevel.Live, null)]
    [InlineData("24.2", CompatibilityLevel.Live, null)]
    [InlineData("20.1", CompatibilityLevel.Live, null)]
    [InlineData("17.1", CompatibilityLevel.Cold, ReasonCodes.VersionOutOfRange)]
    [InlineData("24.3", CompatibilityLevel.Cold, ReasonCodes.VersionOutOfRange)]
    [InlineData("18.1-24.2", CompatibilityLevel.Live, null)]
    [InlineData("7.1-24.1", CompatibilityLevel.Cold, ReasonCodes.VersionOutOfRange)]
    public void A_negotiated_vgpu_version_must_lie_in_the_targets_range_and_an_unknown_one_needs_the_whole_source_range(string negotiated, CompatibilityLevel level, string? code)
    {
        var source = $"device_api=vfio-pci\nmdev_type=nvidia-558\ngpu=10de:20b5\necc=on\ndriver=nvidia\ndriver_build=550.127.05\nvgpu_range=7.1-20.1\nvgpu_version={negotiated}";
        var verdict = Check(source, NvidiaTarget);
        Assert.True(level == verdict.Level, Explain(verdict));
        Assert.Equal(code, verdict.Reasons.SingleOrDefault()?.Code);
        Assert.Equal(EvidenceKind.RulePack, verdict.Evidence.Kind);
    }

    [Theory]
    [InlineData("ecc=off", ReasonCodes.ValueMismatch)]
    [InlineData("gpu=10de:2331", ReasonCodes.ValueMismatch)]
    public void A_vgpu_needs_the_same_gpu_and_ecc_mode(string change, string code)
    {
        var field = change[..change.IndexOf('=', StringComparison.Ordinal)];
        var source = string.Join('\n', "device_api=vfio-pci\nmdev_type=nvidia-558\ngpu=10de:20b5\necc=on\ndriver=nvidia\nvgpu_version=20.1".Split('\n').Select(l => l.StartsWith(field + "=", StringComparison.Ordinal) ? change : l));
        var verdict = Check(source, NvidiaTarget);
        Assert.Equal(CompatibilityLevel.Cold, verdict.Level);
        Assert.Equal(code, Assert.Single(verdict.Reasons).Code);
        Assert.Equal(field, verdict.Reasons[0].Field);
    }

    [Fact]
    public void A_source_without_a_vgpu_version_cannot_be_shown_to_fit_the_range()
    {
        var verdict = Check("device_api=vfio-pci\nmdev_type=nvidia-558\ngpu=10de:20b5\necc=on\ndriver=nvidia", NvidiaTarget);
        Assert.Equal(CompatibilityLevel.Cold, verdict.Level);
        Assert.Equal(ReasonCodes.FieldMissingOnSource, Assert.Single(verdict.Reasons).Code);
    }

    [Theory]
    [InlineData("exact", "1.2.0", "1.3.0", CompatibilityLevel.Cold)]
    [InlineData("minor", "1.2.0", "1.3.0", CompatibilityLevel.Live)]
    [InlineData("minor", "1.3.0", "1.2.0", CompatibilityLevel.Cold)]
    [InlineData("opaque", "1.2.0", "1.2.0", CompatibilityLevel.Live)]
    [InlineData("ignore", "a", "b", CompatibilityLevel.Live)]
    [InlineData("within", "1.5", "1.0-2.0", CompatibilityLevel.Live)]
    [InlineData("within", "2.1", "1.0-2.0", CompatibilityLevel.Cold)]
    [InlineData("superset", "a,b", "c,b,a", CompatibilityLevel.Live)]
    [InlineData("superset", "a,d", "c,b,a", CompatibilityLevel.Cold)]
    public void A_stated_rule_decides_how_the_field_is_compared(string rule, string source, string target, CompatibilityLevel level)
    {
        var verdict = Check($"device_api=vfio-pci\nfw_interface={source}", $"device_api=vfio-pci\nfw_interface={target}\nrule.fw_interface={rule}");
        Assert.True(level == verdict.Level, Explain(verdict));
    }

    [Fact]
    public void The_default_version_rule_holds_for_interface_version_as_in_the_seed()
    {
        Assert.Equal(CompatibilityLevel.Live, Check("device_api=vfio-pci\ninterface_version=3.1", "device_api=vfio-pci\ninterface_version=3.4").Level);
        Assert.Equal(CompatibilityLevel.Cold, Check("device_api=vfio-pci\ninterface_version=3.4", "device_api=vfio-pci\ninterface_version=3.1").Level);
    }

    [Theory]
    [InlineData("rule.x=faster", "MC1021")]
    [InlineData("rule.x=exact please", "MC1021")]
    [InlineData("rule.mdev_type=exact", "MC1021")]
    [InlineData("rule.x=within x", "MC1021")]
    [InlineData("migration.capable=maybe", "MC1022")]
    [InlineData("migration.capabel=yes", "MC1022")]
    public void A_misspelled_rule_or_migration_field_is_an_error_with_its_position(string line, string code)
    {
        var result = DescriptorParser.Parse("device_api=vfio-pci\nx=1\n" + line, "t.desc");
        var diagnostic = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal(code, diagnostic.Code);
        Assert.Equal(3, diagnostic.Line);
        Assert.Null(result.Descriptor);
    }

    [Fact]
    public void A_within_rule_whose_ranges_do_not_parse_is_a_warning()
    {
        var result = DescriptorParser.Parse("device_api=vfio-pci\nv=1.0\nr=abc\nrule.v=within r", "t.desc");
        Assert.Equal("MC2009", Assert.Single(result.Diagnostics).Code);
    }
}
