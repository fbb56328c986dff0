using System.Collections.Immutable;
using CsCheck;
using MigCompat.Core.Matching;
using MigCompat.Core.Syntax;
using MigCompat.Fleet.Publishing;

namespace MigCompat.Kubernetes.Tests;

public sealed class NamesAndVersionsTests
{
    [Theory]
    [InlineData("550.127.08", "550.127.8")]
    [InlineData("580.126.08", "580.126.8")]
    [InlineData("17.4", "17.4.0")]
    [InlineData("6", "6.0.0")]
    [InlineData("01.02.03", "1.2.3")]
    [InlineData("1.2.3-rc.1+build.5", "1.2.3-rc.1+build.5")]
    [InlineData("1.2.3.4", null)]
    [InlineData("5.15.0-105-generic", "5.15.0-105-generic")]
    [InlineData("5.15.00", "5.15.0")]
    [InlineData("abc", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void A_driver_version_is_normalised_to_strict_semver_or_left_out(string? raw, string? expected)
    {
        Assert.Equal(expected, SemanticVersion.Normalize(raw));
    }

    [Fact]
    public void What_normalise_returns_is_always_strict_semver_of_at_most_64_characters()
    {
        Gen.String[Gen.Char["0123456789.-+abc"], 0, 80].Sample(raw =>
        {
            if (SemanticVersion.Normalize(raw) is { } version)
            {
                Assert.True(SemanticVersion.IsStrict(version) && version.Length <= 64, version);
            }
        });
    }

    [Fact]
    public void Every_class_id_makes_a_valid_label_key_and_attribute_name()
    {
        Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyzABC0123456789-_ ./:"], 1, 300].Sample(type =>
        {
            if (DescriptorParser.FromFields([new("device_api", "vfio-pci"), new("mdev_type", type)], [], []).Descriptor is not { } descriptor)
            {
                return;
            }

            var id = SourceClassId.For(descriptor);
            Assert.True(KubernetesNames.IsLabelKey(KubernetesNames.LiveLabel(id)), KubernetesNames.LiveLabel(id));
            Assert.True(KubernetesNames.IsAttributeName(KubernetesNames.LiveAttribute(id)), KubernetesNames.LiveAttribute(id));
        });
    }

    [Fact]
    public void Every_text_makes_a_dns_label_and_different_long_texts_stay_apart()
    {
        Gen.String[Gen.Char["abcXYZ019:./_- "], 0, 200].Sample(text => Assert.True(KubernetesNames.IsDnsLabel(KubernetesNames.ToDnsLabel(text)), text));
        Assert.NotEqual(KubernetesNames.ToDnsLabel(new string('a', 70) + "1"), KubernetesNames.ToDnsLabel(new string('a', 70) + "2"));
    }

    [Theory]
    [InlineData("migcompat.dev/live.nvidia-63-abcdefghij", true)]
    [InlineData("live", true)]
    [InlineData("-bad", false)]
    [InlineData("migcompat.dev/", false)]
    [InlineData("Bad_Domain/x", false)]
    public void Label_keys_follow_the_kubernetes_rules(string key, bool valid)
    {
        Assert.Equal(valid, KubernetesNames.IsLabelKey(key));
    }

    [Theory]
    [InlineData("migcompat.dev/live_abcdefghij", true)]
    [InlineData("driverVersion", true)]
    [InlineData("migcompat.dev/live-x", false)]
    [InlineData("migcompat.dev/a23456789012345678901234567890123", false)]
    [InlineData("9lives", false)]
    public void Attribute_names_are_a_c_identifier_of_at_most_32_optionally_after_a_domain(string name, bool valid)
    {
        Assert.Equal(valid, KubernetesNames.IsAttributeName(name));
    }

    [Fact]
    public void A_host_with_more_than_128_resources_is_split_into_slices_and_a_device_with_too_many_classes_is_truncated_never_widened()
    {
        var many = Enumerable.Range(0, 40).Select(i => new ClassAcceptance($"nvidia-63-{i:d10}", new Evidence(EvidenceKind.Declaration, "test"))).ToImmutableArray();
        var resources = Enumerable.Range(0, 300).Select(i => new ResourceAcceptance($"type:0000:{i / 8:x2}:00.{i % 8}/nvidia-63", AcceptingResourceKind.CreatableType, "nvidia-63", $"0000:{i / 8:x2}:00.{i % 8}", "nvidia-63", 1, i == 0 ? many : [])).ToImmutableArray();
        var host = new HostAcceptance("big-node", false, [], resources);

        var slices = DraExport.Slices(host, _ => ("nvidia", "550.127.08"), out var warnings);

        Assert.Equal([128, 128, 44], slices.Select(s => s.Spec.Devices.Count));
        Assert.All(slices, DraLimits.AssertValid);
        Assert.All(slices, s => Assert.Equal(3, s.Spec.Pool.ResourceSliceCount));
        var first = slices[0].Spec.Devices[0].Attributes;
        Assert.True(first["migcompat.dev/liveTruncated"].BoolValue);
        var listed = first.Keys.Where(k => k.StartsWith("migcompat.dev/live_", StringComparison.Ordinal)).ToList();
        Assert.All(listed, k => Assert.Contains(many, c => KubernetesNames.LiveAttribute(c.ClassId) == k));
        Assert.Contains(warnings, w => w.Contains("accepts 40 classes live", StringComparison.Ordinal));
    }
}
