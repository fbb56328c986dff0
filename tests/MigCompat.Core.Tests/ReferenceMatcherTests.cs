using System.Collections.Immutable;
using CsCheck;
using MigCompat.Core.Matching;
using MigCompat.Core.Model;
using MigCompat.Core.Versioning;

namespace MigCompat.Core.Tests;

/// <summary>
/// The matcher's default rule (no COMPATIBLE blocks) against an independent reference written from
/// docs/format.md §7.1 and §7.3 alone: which fields refuse, and at which level. The reference shares
/// only value reading (<see cref="FieldValue"/>) with the matcher, none of its comparison code.
/// </summary>
public class ReferenceMatcherTests
{
    private static readonly Gen<ImmutableArray<SelfField>> Fields =
        Gen.Select(Generators.Self, Gen.Int[0, 4], Gen.Int[0, 20], Gen.Int[0, 20], (self, version, major, minor) =>
        {
            // Mostly the generator's fields, sometimes interface_version and a pre-release software_version.
            var list = self.ToList();
            if (version == 1)
            {
                list.Add(Generators.Field("interface_version", $"{major % 3}.{minor % 4}"));
            }
            else if (version == 2)
            {
                list.RemoveAll(f => f.Name == "software_version");
                list.Add(Generators.Field("software_version", $"{major % 2}.{minor % 3}.0-rc{minor % 2}"));
            }

            return list.ToImmutableArray();
        });

    [Fact]
    public void The_default_rule_refuses_exactly_the_fields_the_specification_says() =>
        Gen.Select(Fields, Fields, Gen.Int[0, 3]).Sample(
            c =>
            {
                var (sourceSelf, targetSelf, share) = c;

                // Pairs that share fields are where the interesting answers are.
                if (share > 0)
                {
                    targetSelf = [.. targetSelf.Where(t => sourceSelf.All(s => s.Name != t.Name)), .. sourceSelf.Take(share * 2)];
                }

                var source = new Descriptor(sourceSelf, [], []);
                var target = new Descriptor(targetSelf, [], []);
                var verdict = Matcher.Check(source, target);
                var (expectedFields, identityFails) = Reference(source, target);

                var actual = verdict.Reasons
                    .Where(r => r.Code is not (ReasonCodes.NoEvidence or ReasonCodes.MigrationUnsupported))
                    .Select(r => r.Field)
                    .Order(StringComparer.Ordinal);
                Assert.Equal(expectedFields.Order(StringComparer.Ordinal), actual);
                Assert.Equal(identityFails, verdict.Level == CompatibilityLevel.None);
                if (expectedFields.Count == 0)
                {
                    Assert.NotEqual(CompatibilityLevel.None, verdict.Level);
                }
            },
            iter: 5000);

    /// <summary>The fields that must refuse, by the written rules; and whether identity fails.</summary>
    private static (List<string> Fields, bool IdentityFails) Reference(Descriptor source, Descriptor target)
    {
        var refused = new List<string>();
        string? Value(Descriptor d, string name) => d.Self.FirstOrDefault(f => f.Name == name)?.Value.Text;

        var identityFails = false;
        foreach (var name in new[] { "device_api", "mdev_type" })
        {
            if (Value(source, name) != Value(target, name))
            {
                refused.Add(name);
                identityFails = true;
            }
        }

        foreach (var field in source.Self.Where(f => f.Name is not ("device_api" or "mdev_type")))
        {
            var other = target.Self.FirstOrDefault(f => f.Name == field.Name);
            if (other is null)
            {
                if (field.Value.Text.Length > 0)
                {
                    refused.Add(field.Name);
                }

                continue;
            }

            bool accepted;
            if (field.Name is "software_version" or "interface_version"
                && DeviceVersion.TryParse(field.Value.Text, out var s) && DeviceVersion.TryParse(other.Value.Text, out var t))
            {
                var preRelease = other.Value.Text.Contains('-', StringComparison.Ordinal) || other.Value.Text.Contains('~', StringComparison.Ordinal);
                accepted = preRelease ? field.Value.Text.Trim() == other.Value.Text.Trim() : s.Major == t.Major && t.Minor >= s.Minor;
            }
            else
            {
                accepted = field.Value.Comparable == other.Value.Comparable;
            }

            if (!accepted)
            {
                refused.Add(field.Name);
            }
        }

        foreach (var field in target.Self.Where(f => f.Name is not ("device_api" or "mdev_type")))
        {
            if (field.Value.Text.Length > 0 && source.Self.All(f => f.Name != field.Name))
            {
                refused.Add(field.Name);
            }
        }

        return (refused, identityFails);
    }
}
