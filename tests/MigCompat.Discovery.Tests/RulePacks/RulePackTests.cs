using System.Collections.Immutable;
using MigCompat.Core.Matching;
using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Profiles;
using MigCompat.Discovery.RulePacks;

namespace MigCompat.Discovery.Tests.RulePacks;

public sealed class RulePackTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("migcompat-rules-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Every_shipped_pack_loads_without_a_warning_and_cites_its_sources()
    {
        var shipped = RulePackLoader.LoadShipped();
        Assert.Empty(shipped.Warnings);
        Assert.Equal(["gvt-g", "hisi-acc", "mlx5", "mtty", "nvidia-vgpu", "pds", "qat", "virtio", "xe"], shipped.Packs.Select(p => p.Name));
        Assert.All(shipped.Packs, p => Assert.NotEmpty(p.Sources));
        Assert.All(shipped.Packs, p => Assert.StartsWith("shipped:", p.FilePath, StringComparison.Ordinal));
        Assert.False(shipped.Packs.Single(p => p.Name == "gvt-g").Migrates);
    }

    [Theory]
    [InlineData("[pack]\nversion = 1\ndriver = x\nmigrates = yes\nsource = s\n[descriptor]\nSELF:\n  a=1\n", "1:1", "no \"name\"")]
    [InlineData("[pack]\nname = x\nversion = 1\ndriver = x\nmigrates = maybe\nsource = s\n[descriptor]\nSELF:\n  a=1\n", "5:1", "write yes")]
    [InlineData("[pack]\nname = x\nversion = one\ndriver = x\nmigrates = yes\nsource = s\n[descriptor]\nSELF:\n  a=1\n", "3:1", "not a positive integer")]
    [InlineData("[pack]\nname = x\nversion = 1\ndriver = x\nmigrates = yes\nsourse = s\n[descriptor]\nSELF:\n  a=1\n", "6:1", "expected one of")]
    [InlineData("[pack]\nname = x\nversion = 1\ndriver = x\nmigrates = yes\n[descriptor]\nSELF:\n  a=1\n", "1:1", "names no \"source\"")]
    [InlineData("[pack]\nname = x\nversion = 1\ndriver = x\nmigrates = yes\nsource = s\n[descriptor]\nSELF:\n  rule.a=faster\n", "9:3", "MC1021")]
    [InlineData("[pack]\nname = x\nversion = 1\ndriver = x\nmigrates = yes\nsource = s\n[match]\ncolour = red\n[descriptor]\nSELF:\n  a=1\n", "8:1", "unknown criterion")]
    [InlineData("[pack]\nname = x\nversion = 1\ndriver = x\nmigrates = yes\nsource = s\n[descriptor]\nSELF:\n  a=1\n[match]\ntype = t\n", "10:1", "without a [descriptor]")]
    [InlineData("[pack]\nname = x\nversion = 1\ndriver = x\nmigrates = yes\nsource = s\n", "7:1", "has no rule")]
    public void A_broken_pack_is_reported_at_its_line_and_not_used(string text, string position, string message)
    {
        var result = RulePackLoader.Parse(text, "/r/x.rules");
        Assert.Empty(result.Packs);
        Assert.Contains(result.Warnings, w => w.Code == SysfsWarningCodes.RulePackInvalid && w.Path == "/r/x.rules:" + position && w.Message.Contains(message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("[descriptor]\n")]
    [InlineData("[descriptor]\n# nothing to add for this type\n")]
    [InlineData("[match]\ntype = t\n[descriptor]\nSELF:\n[descriptor]\nSELF:\n  a=1\n")]
    public void A_pack_may_have_an_empty_descriptor_section_which_is_not_an_empty_descriptor_error(string rules)
    {
        var result = RulePackLoader.Parse("[pack]\nname = x\nversion = 1\ndriver = x\nmigrates = no\nsource = s\n" + rules, "/r/x.rules");

        Assert.Single(result.Packs);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void An_operator_pack_of_the_same_name_replaces_the_shipped_one()
    {
        File.WriteAllText(Path.Combine(directory, "nvidia-vgpu.rules"), "[pack]\nname = nvidia-vgpu\nversion = 2\ndriver = nvidia\nmigrates = yes\nsource = our RHEL 9.6 release notes\n[descriptor]\nSELF:\n  rule.vgpu_version=within vgpu_range\n  rule.driver_build=ignore\n");
        File.WriteAllText(Path.Combine(directory, "README"), "not a pack");
        var loaded = RulePackLoader.Load(directory);
        Assert.Empty(loaded.Warnings);
        var pack = Assert.Single(loaded.Packs, p => p.Name == "nvidia-vgpu");
        Assert.Equal(2, pack.Version);
        Assert.Equal(9, loaded.Packs.Length);
    }

    [Theory]
    [InlineData("[pack]\n# a comment ", "\nname = mtty\nversion = 2\ndriver = mtty\nmigrates = yes\nsource = notes\n[descriptor]\n")]
    [InlineData("[pack]\nname = mtty\nversion = 2\ndriver = mtty\nmigrates = yes\nsource = our notes ", "\n[descriptor]\n")]
    public void An_operator_pack_that_is_not_utf8_is_not_used_and_the_shipped_one_stays(string before, string after)
    {
        File.WriteAllBytes(Path.Combine(directory, "mtty.rules"), [.. System.Text.Encoding.UTF8.GetBytes(before), 0xFF, .. System.Text.Encoding.UTF8.GetBytes(after)]);

        var loaded = RulePackLoader.Load(directory);

        Assert.Equal(1, Assert.Single(loaded.Packs, p => p.Name == "mtty").Version);
        var warning = Assert.Single(loaded.Warnings);
        Assert.Contains($"invalid UTF-8 at byte {System.Text.Encoding.UTF8.GetByteCount(before)} (0xFF)", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(loaded.Packs, p => p.Text.Contains('\uFFFD', StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("mtty-2", "mtty-2", CompatibilityLevel.Live)]
    [InlineData("mtty-1", "mtty-1", CompatibilityLevel.Live)]
    [InlineData("mtty-2", "mtty-1", CompatibilityLevel.None)]
    [InlineData("mtty-1", "mtty-2", CompatibilityLevel.None)]
    public void The_mtty_pack_makes_the_same_type_live_and_another_type_not(string sourceType, string targetType, CompatibilityLevel level)
    {
        var verdict = Matcher.Check(Parse(Mtty(sourceType, "0.1")), Parse(Mtty(targetType, "0.1")));
        Assert.True(level == verdict.Level, string.Join("\n", verdict.Reasons.Select(r => r.Message)));
        Assert.Equal(EvidenceKind.RulePack, verdict.Evidence.Kind);
        Assert.Contains("mtty 1", verdict.Evidence.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Mtty_compares_its_stream_version_not_the_module_version()
    {
        var verdict = Matcher.Check(Parse(Mtty("mtty-2", "0.1")), Parse(Mtty("mtty-2", "0.2")));
        Assert.Equal(CompatibilityLevel.Live, verdict.Level);
    }

    [Fact]
    public void An_mdevctl_type_without_a_driver_gets_the_pack_of_its_type_prefix()
    {
        var imported = DerivedDescriptors.ForMdev("vfio-pci", "mtty-2", null, null, DescriptorOrigin.Imported, "mdevctl");
        var inventory = new HostInventory(1, "h", DateTimeOffset.UnixEpoch, [], [new CreatableType("mtty", "mtty-2", "Dual port serial", null, "vfio-pci", 9, 0, null, null, imported)], []);
        var completed = DescriptorSources.ApplyTo(inventory, [], RulePackLoader.LoadShipped().Packs);
        var self = completed.CreatableTypes[0].Descriptor.Self;
        Assert.Contains(KeyValuePair.Create("nr_ports", "2"), self);
        Assert.Contains(KeyValuePair.Create("migration.capable", "yes"), self);
    }

    [Theory]
    [InlineData("535.161.07", "7.1-18.1")]
    [InlineData("550.127.05", "7.1-20.1")]
    [InlineData("570.86.15", "7.1-24.1")]
    [InlineData("570.124.06", "18.1-24.1")]
    [InlineData("570.133.10", "18.1-24.2")]
    [InlineData("580.95.05", "18.1-26.1")]
    [InlineData("595.45.04", "24.1-28.1")]
    [InlineData("560.35.03", null)]
    [InlineData("580.143.01", null)]
    public void The_nvidia_pack_gives_each_known_branch_its_vgpu_range_and_no_range_to_unknown_builds(string driverVersion, string? range)
    {
        var fields = Choose(DerivedDescriptors.ForMdev("vfio-pci", "nvidia-558", "nvidia", driverVersion), "nvidia-558", "nvidia", driverVersion);
        Assert.Equal(range, fields.Self.FirstOrDefault(f => f.Key == "vgpu_range").Value);
        Assert.Equal(range, fields.Self.FirstOrDefault(f => f.Key == "vgpu_version").Value);
        Assert.Contains(KeyValuePair.Create("rule.vgpu_version", "within vgpu_range"), fields.Self);
    }

    [Fact]
    public void Discovered_nvml_facts_win_over_the_packs_branch_table()
    {
        var derived = DerivedDescriptors.ForMdev("vfio-pci", "nvidia-558", "nvidia", "550.127.05", extraSelf: [new("vgpu_range", "7.1-19.1"), new("vgpu_version", "18.1")]);
        var fields = Choose(derived, "nvidia-558", "nvidia", "550.127.05");
        Assert.Equal("7.1-19.1", fields.Self.Single(f => f.Key == "vgpu_range").Value);
        Assert.Equal("18.1", fields.Self.Single(f => f.Key == "vgpu_version").Value);
    }

    [Theory]
    [InlineData("550.127.05", "550.127.05", CompatibilityLevel.Live, null)]
    [InlineData("550.127.05", "580.95.05", CompatibilityLevel.Cold, ReasonCodes.VersionOutOfRange)]
    [InlineData("580.95.05", "580.95.05", CompatibilityLevel.Live, null)]
    [InlineData("560.35.03", "560.35.03", CompatibilityLevel.Cold, ReasonCodes.FieldMissingOnSource)]
    public void Without_nvml_a_vgpu_is_live_only_when_the_target_accepts_every_version_the_source_could_have_negotiated(string sourceVersion, string targetVersion, CompatibilityLevel level, string? code)
    {
        var source = Parse(Choose(DerivedDescriptors.ForMdev("vfio-pci", "nvidia-558", "nvidia", sourceVersion, extraSelf: [new("gpu", "10de:20b5")]), "nvidia-558", "nvidia", sourceVersion));
        var target = Parse(Choose(DerivedDescriptors.ForMdev("vfio-pci", "nvidia-558", "nvidia", targetVersion, extraSelf: [new("gpu", "10de:20b5")]), "nvidia-558", "nvidia", targetVersion));
        var verdict = Matcher.Check(source, target);
        Assert.True(level == verdict.Level, string.Join("\n", verdict.Reasons.Select(r => r.Message)));
        if (code is not null)
        {
            Assert.Contains(verdict.Reasons, r => r.Code == code);
        }
    }

    [Theory]
    [InlineData("mlx5_vfio_pci", "mlx5")]
    [InlineData("xe-vfio-pci", "xe")]
    [InlineData("hisi_acc_vfio_pci", "hisi-acc")]
    public void A_variant_driver_pack_vouches_for_the_same_device_under_the_same_build(string driver, string pack)
    {
        var pci = new PciIds("15b3", "101e", null, null, null);
        var same = Parse(Choose(DerivedDescriptors.ForPciDevice("vfio-pci", pci, driver, "6.12.43", revision: "00"), null, driver, "6.12.43", DeviceKind.SriovVf, pci));
        var newer = Parse(Choose(DerivedDescriptors.ForPciDevice("vfio-pci", pci, driver, "6.12.44", revision: "00"), null, driver, "6.12.44", DeviceKind.SriovVf, pci));
        var live = Matcher.Check(same, same);
        Assert.Equal(CompatibilityLevel.Live, live.Level);
        Assert.Equal(EvidenceKind.RulePack, live.Evidence.Kind);
        Assert.Contains(pack, live.Evidence.Detail, StringComparison.Ordinal);
        Assert.Equal(CompatibilityLevel.Cold, Matcher.Check(same, newer).Level);
    }

    [Fact]
    public void The_gvt_g_pack_says_gvt_g_cannot_migrate()
    {
        var fields = Choose(DerivedDescriptors.ForMdev("vfio-pci", "i915-GVTg_V5_4", "i915", null), "i915-GVTg_V5_4", "i915", null);
        var verdict = Matcher.Check(Parse(fields), Parse(fields));
        Assert.Equal(CompatibilityLevel.Cold, verdict.Level);
        Assert.All(verdict.Reasons, r => Assert.Equal(ReasonCodes.MigrationUnsupported, r.Code));
    }

    private static DescriptorFields Mtty(string type, string build) =>
        Choose(DerivedDescriptors.ForMdev("vfio-pci", type, "mtty", build), type, "mtty", build);

    private static Core.Model.Descriptor Parse(DescriptorFields fields)
    {
        var parsed = fields.Parse("test");
        Assert.True(parsed.Success, string.Join("\n", parsed.Diagnostics));
        return parsed.Descriptor!;
    }

    private static DescriptorFields Choose(DescriptorFields derived, string? type, string? driver, string? version, DeviceKind kind = DeviceKind.Mdev, PciIds? pci = null)
    {
        var sources = new DescriptorSources([], RulePackLoader.LoadShipped().Packs, new ScanWarnings());
        return sources.Choose(null, new ProfileSubject(kind, driver, version, pci, type, null, "vfio-pci"), derived);
    }
}
