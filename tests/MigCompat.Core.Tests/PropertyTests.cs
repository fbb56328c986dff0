using CsCheck;
using MigCompat.Core.Formatting;
using MigCompat.Core.Matching;
using MigCompat.Core.Model;
using MigCompat.Core.Syntax;

namespace MigCompat.Core.Tests;

public class PropertyTests
{
    [Fact]
    public void Parsing_the_canonical_form_gives_back_an_equal_descriptor() =>
        Generators.Descriptor.Sample(
            descriptor =>
            {
                var text = DescriptorFormatter.Format(descriptor);
                var result = DescriptorParser.Parse(text);
                Assert.True(result.Success, text + "\n" + string.Join("\n", result.Diagnostics));
                Assert.Equal(descriptor, result.Descriptor);
                Assert.Equal(text, DescriptorFormatter.Format(result.Descriptor!));
            },
            iter: 3000,
            print: DescriptorFormatter.Format);

    [Fact]
    public void A_device_is_accepted_live_by_its_own_default_declaration() =>
        Generators.Descriptor.Sample(
            descriptor =>
            {
                // Every compared field holds; only the first law may keep it from live: a driver that
                // cannot migrate, or nothing that vouches for a descriptor that states no rules.
                var target = descriptor with { Compatible = [] };
                var verdict = Matcher.Check(descriptor, target);
                Assert.True(verdict.Level != CompatibilityLevel.None, string.Join("\n", verdict.Reasons.Select(r => r.Message)));
                Assert.All(verdict.Reasons, r => Assert.True(r.Code is ReasonCodes.NoEvidence or ReasonCodes.MigrationUnsupported, r.Message));
                if (DescriptorFacts.StatesAcceptanceRules(target) && DescriptorFacts.Capability(target) != MigrationCapability.Unsupported)
                {
                    Assert.True(verdict.Level == CompatibilityLevel.Live, string.Join("\n", verdict.Reasons.Select(r => r.Message)));
                }
            },
            iter: 3000,
            print: DescriptorFormatter.Format);

    [Fact]
    public void Raising_the_targets_minor_version_never_turns_live_into_not_live()
    {
        var cases = Gen.Select(Generators.Self, Gen.Int[0, 20], Gen.Int[0, 20], Gen.Int[1, 5], Gen.Int[0, 3], Gen.Bool, (self, majorDelta, minor, raise, covered, withBlock) =>
            (self, majorDelta % 3 == 0 ? 0 : 1, minor, raise, covered, withBlock));
        var live = 0;
        cases.Sample(
            c =>
            {
                var source = new Descriptor(c.self.Add(Generators.Field("software_version", "4.7.1")), [], []);
                var fields = c.self.Take(c.covered).Select(f => new AcceptField(f.Name, ValuePattern.Literal(f.Value.Text))).ToList();
                fields.Add(new AcceptField("padding", ValuePattern.Literal(string.Empty)));
                Descriptor Target(int minor) => new(
                    c.self.Add(Generators.Field("software_version", $"{4 + c.Item2}.{minor}.0")),
                    c.withBlock ? [new CompatibleBlock([.. fields])] : [],
                    []);
                var before = Matcher.Check(source, Target(c.minor));
                var after = Matcher.Check(source, Target(c.minor + c.raise));
                if (before.Level == CompatibilityLevel.Live)
                {
                    live++;
                    Assert.Equal(CompatibilityLevel.Live, after.Level);
                }

                Assert.True(after.Level >= before.Level);
            },
            iter: 3000);
        Assert.True(live > 100, $"only {live} live cases: the property was hardly exercised");
    }

    [Fact]
    public void Parsing_and_checking_are_deterministic() =>
        Gen.Select(Generators.Descriptor, Generators.Descriptor).Sample(
            (source, target) =>
            {
                var text = DescriptorFormatter.Format(target);
                Assert.Equal(DescriptorParser.Parse(text), DescriptorParser.Parse(text), ParseResultsEqual);
                var compiled = CompiledTarget.Compile(target);
                var first = Render(Matcher.Check(source, compiled));
                Assert.Equal(first, Render(Matcher.Check(source, compiled)));
                Assert.Equal(first, Render(Matcher.Check(source, target)));
            },
            iter: 2000);

    [Fact]
    public void Version_rule_agrees_with_a_direct_comparison_of_the_parts() =>
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, 5], Gen.Int[0, 5], Gen.Int[0, 5], Gen.Int[0, 5], Gen.Int[0, 5]).Sample(
            (sMajor, sMinor, sBugfix, tMajor, tMinor, tBugfix) =>
            {
                var verdict = Matcher.Check(
                    new Descriptor([Generators.Field("software_version", $"{sMajor}.{sMinor}.{sBugfix}")], [], []),
                    new Descriptor([Generators.Field("software_version", $"v{tMajor}.{tMinor}.{tBugfix}")], [], []));
                Assert.Equal(sMajor == tMajor && tMinor >= sMinor, verdict.IsCompatible);
            });

    private static bool ParseResultsEqual(ParseResult a, ParseResult b) =>
        Equals(a.Descriptor, b.Descriptor) && a.Diagnostics.SequenceEqual(b.Diagnostics);

    internal static string Render(Verdict verdict) =>
        string.Join(
            "\n",
            new[] { $"{verdict.Level} {verdict.AcceptedBlock}" }
                .Concat(verdict.Reasons.Select(r => r.ToString()))
                .Concat(verdict.Bindings.Select(b => b.ToString()))
                .Concat(verdict.DynamicResources.Select(d => d.ToString()))
                .Concat(verdict.Blocks.Select(b => $"{b.Index} {b.Accepted} {string.Join(";", b.Reasons)} {string.Join(";", b.Bindings)}")));
}
