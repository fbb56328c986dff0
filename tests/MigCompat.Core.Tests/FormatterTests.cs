using MigCompat.Core.Formatting;
using MigCompat.Core.Syntax;
using static MigCompat.Core.Tests.Descriptors;

namespace MigCompat.Core.Tests;

public class FormatterTests
{
    [Fact]
    public void The_seed_example_has_this_canonical_form()
    {
        var descriptor = Parse(File.ReadAllText(Path.Combine(MatcherTests.ExamplesDirectory(), "seed-target.desc")));
        Assert.Equal(
            """
            SELF:
              device_type=pci
              device_id=8086591d
              mdev_type=i915-GVTg_V5_2
              aggregator=1
              pv_mode=none+ppgtt+context
              interface_version=3
            COMPATIBLE:
              device_type=pci
              device_id=8086591d
              mdev_type=i915-GVTg_V5_{val1:int:1,2,4,8}
              aggregator={val1}/2
              pv_mode={val2:string:"none+ppgtt","none+context","none+ppgtt+context"}
              interface_version={val3:int:2,3}

            """.ReplaceLineEndings("\n"),
            DescriptorFormatter.Format(descriptor));
    }

    [Theory]
    [InlineData("a=plain", "a=plain")]
    [InlineData("a=\"\"", "a=\"\"")]
    [InlineData("a=\" lead\"", "a=\" lead\"")]
    [InlineData("a=\"x #y\"", "a=\"x #y\"")]
    [InlineData("a=x#y", "a=x#y")]
    [InlineData("a=\"#y\"", "a=\"#y\"")]
    [InlineData("a=\"{b}\"", "a=\"{b}\"")]
    [InlineData("a=\"q\\\"q\"", "a=\"q\\\"q\"")]
    [InlineData("a=\"tab\\there\"", "a=\"tab\\there\"")]
    [InlineData("a=back\\slash", "a=back\\slash")]
    public void Self_values_are_bare_unless_they_need_quotes(string line, string canonical) =>
        Assert.Equal($"SELF:\n  {canonical}\n", DescriptorFormatter.Format(Parse(line)));

    [Fact]
    public void Comments_are_dropped_and_dynamic_names_come_last()
    {
        var text = "# c\nDYNAMIC:\n  n\nSELF:\nn=1 # c\nCOMPATIBLE:\n n={v:int:1-4} # c\n";
        var result = DescriptorParser.Parse(text);

        // SELF: after DYNAMIC: is misplaced; the canonical order is SELF, COMPATIBLE, DYNAMIC.
        Assert.Equal("MC1011", Assert.Single(result.Diagnostics).Code);
        Assert.Equal("SELF:\n  n=1\nCOMPATIBLE:\n  n={v:int:1-4}\nDYNAMIC:\n  n\n", DescriptorFormatter.Format(Parse("n=1 # c\nCOMPATIBLE:\n n={v:int:1-4} # c\nDYNAMIC:\n  n\n")));
    }

    [Fact]
    public void Formatting_twice_gives_the_same_text()
    {
        var once = DescriptorFormatter.Format(Parse(File.ReadAllText(Path.Combine(MatcherTests.ExamplesDirectory(), "seed-target.desc"))));
        Assert.Equal(once, DescriptorFormatter.Format(Parse(once)));
    }
}
