using System.Collections.Immutable;
using CsCheck;
using MigCompat.Core.Matching;
using MigCompat.Core.Model;

namespace MigCompat.Core.Tests;

/// <summary>Properties of the first law and of the stated rules, over generated descriptors.</summary>
public class GroundedPropertyTests
{
    private static readonly string[] Drivers = ["mtty", "mlx5_vfio_pci", "vfio-pci", "i915", "nvidia", "unknown_drv", "vfio_ccw"];

    /// <summary>Descriptors with a random mix of identity, driver facts, rules and meta fields.</summary>
    private static readonly Gen<Descriptor> Grounded =
        Gen.Select(
            Generators.Descriptor,
            Gen.Int[0, Drivers.Length],
            Gen.Int[0, 2],
            Gen.Int[0, 3],
            Gen.Bool,
            (descriptor, driver, build, meta, capable) =>
            {
                var self = descriptor.Self.ToList();
                void Set(string name, string value)
                {
                    var at = self.FindIndex(f => f.Name == name);
                    var field = Generators.Field(name, value);
                    if (at >= 0)
                    {
                        self[at] = field;
                    }
                    else
                    {
                        self.Add(field);
                    }
                }

                if (driver < Drivers.Length)
                {
                    Set("driver", Drivers[driver]);
                }

                if (build > 0)
                {
                    Set("driver_build", build == 1 ? "1.0" : "2.0");
                }

                if (meta == 1)
                {
                    Set(MigrationSupport.CapableField, capable ? "yes" : "no");
                }
                else if (meta == 2)
                {
                    Set(MigrationSupport.EvidenceField, "rule-pack test 1");
                }

                return descriptor with { Self = [.. self] };
            });

    [Fact]
    public void A_live_verdict_always_names_its_evidence_and_never_involves_a_driver_that_cannot_migrate() =>
        Gen.Select(Grounded, Grounded).Sample(
            pair =>
            {
                var (source, target) = pair;
                foreach (var verdict in new[] { Matcher.Check(source, target), Matcher.Check(target, target) })
                {
                    if (verdict.Level != CompatibilityLevel.Live)
                    {
                        continue;
                    }

                    Assert.NotEqual(EvidenceKind.None, verdict.Evidence.Kind);
                    Assert.NotEqual(MigrationCapability.Unsupported, DescriptorFacts.Capability(target));
                }
            },
            iter: 5000);

    [Fact]
    public void A_stated_no_on_either_side_is_never_live() =>
        Gen.Select(Grounded, Grounded, Gen.Bool).Sample(
            c =>
            {
                var (source, target, onSource) = c;
                Descriptor No(Descriptor d) => d with { Self = [.. d.Self.Where(f => f.Name != MigrationSupport.CapableField), Generators.Field(MigrationSupport.CapableField, "no")] };
                var verdict = onSource ? Matcher.Check(No(source), target) : Matcher.Check(source, No(target));
                Assert.NotEqual(CompatibilityLevel.Live, verdict.Level);
            },
            iter: 3000);

    [Fact]
    public void A_version_lies_within_a_stated_range_exactly_when_it_is_between_its_bounds() =>
        Gen.Select(Gen.Int[0, 30], Gen.Int[0, 5], Gen.Int[0, 30], Gen.Int[0, 5], Gen.Int[0, 30], Gen.Int[0, 5]).Sample(
            c =>
            {
                var (lowMajor, lowMinor, highMajor, highMinor, major, minor) = c;
                if ((highMajor, highMinor).CompareTo((lowMajor, lowMinor)) < 0)
                {
                    (lowMajor, lowMinor, highMajor, highMinor) = (highMajor, highMinor, lowMajor, lowMinor);
                }

                var target = Descriptor($"v=0.0", $"r={lowMajor}.{lowMinor}-{highMajor}.{highMinor}", "rule.v=within r");
                var verdict = Matcher.Check(Descriptor($"v={major}.{minor}"), target);
                var inside = (major, minor).CompareTo((lowMajor, lowMinor)) >= 0 && (major, minor).CompareTo((highMajor, highMinor)) <= 0;
                Assert.Equal(inside, verdict.Level == CompatibilityLevel.Live);
            },
            iter: 3000);

    [Fact]
    public void A_superset_rule_accepts_exactly_the_sources_whose_values_the_target_lists() =>
        Gen.Select(Gen.Int[0, 255], Gen.Int[0, 255]).Sample(
            c =>
            {
                var (sourceBits, targetBits) = c;
                static string Items(int bits) => string.Join(',', Enumerable.Range(0, 8).Where(i => (bits & (1 << i)) != 0).Select(i => $"8086:59{i:x2}"));
                var source = Descriptor($"ids={Items(sourceBits)}");
                var target = Descriptor($"ids={Items(targetBits)}", "rule.ids=superset");
                var contained = (sourceBits & ~targetBits) == 0;
                Assert.Equal(contained, Matcher.Check(source, target).Level == CompatibilityLevel.Live);
            },
            iter: 3000);

    /// <summary>A vfio-pci descriptor that states a rule (so it has evidence) plus <paramref name="fields"/>.</summary>
    private static Descriptor Descriptor(params string[] fields) =>
        new(
            [Generators.Field("device_api", "vfio-pci"), Generators.Field("migration.evidence", "rule-pack test 1"), .. fields.Select(f => Generators.Field(f[..f.IndexOf('=', StringComparison.Ordinal)], f[(f.IndexOf('=', StringComparison.Ordinal) + 1)..]))],
            ImmutableArray<CompatibleBlock>.Empty,
            []);
}
