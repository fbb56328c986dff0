using MigCompat.Core.Model;
using MigCompat.Core.Syntax;
using static MigCompat.Core.Tests.Descriptors;

namespace MigCompat.Core.Tests;

public class ParserTests
{
    public static TheoryData<string, string, string> SelfValues => new()
    {
        // input line, field, expected text
        { "a=plain", "a", "plain" },
        { "a = spaced ", "a", "spaced" },
        { "\ta=\ttabbed\t", "a", "tabbed" },
        { "  a=x # a comment", "a", "x" },
        { "a=x#not-a-comment", "a", "x#not-a-comment" },
        { "a=x\t# tab before the comment", "a", "x" },
        { "a=\"quoted # not a comment\"", "a", "quoted # not a comment" },
        { "a=\"esc \\\" \\\\ \\n \\r \\t\"", "a", "esc \" \\ \n \r \t" },
        { "a=\"\"", "a", "" },
        { "a=", "a", "" },
        { "a=# only a comment", "a", "" },
        { "a=\"{literal braces}\"", "a", "{literal braces}" },
        { "a=two words", "a", "two words" },
        { "a=x=y", "a", "x=y" },
        { "a.b-c_d=1", "a.b-c_d", "1" },
        { "a=\"v\"  # after quotes", "a", "v" },
    };

    [Theory]
    [MemberData(nameof(SelfValues))]
    public void A_self_line_is_read_as_its_value(string line, string field, string expected)
    {
        var descriptor = Parse(line);
        Assert.Equal(expected, descriptor.SelfText(field));
    }

    [Theory]
    [InlineData("SELF:\na=1\nCOMPATIBLE:\na=1")]
    [InlineData("a=1\nCOMPATIBLE:\na=1")]
    [InlineData("# header comment\n\nSELF: # with a comment\n  a=1\n\nCOMPATIBLE:\n\ta=1  # indented by a tab\n")]
    [InlineData("SELF:\r\na=1\r\nCOMPATIBLE:\r\na=1\r\n")]
    [InlineData("\uFEFFSELF:\na=1\nCOMPATIBLE:\na=1")]
    public void The_same_descriptor_is_read_with_or_without_header_comments_indentation_CRLF_or_BOM(string text)
    {
        var expected = new Descriptor(
            [new SelfField("a", FieldValue.Create("a", "1"))],
            [new CompatibleBlock([new AcceptField("a", ValuePattern.Literal("1"))])],
            []);
        Assert.Equal(expected, Parse(text));
    }

    [Fact]
    public void Several_COMPATIBLE_blocks_are_kept_in_order_as_alternatives()
    {
        var descriptor = Parse(Lines("a=1", "COMPATIBLE:", "a=1", "COMPATIBLE:", "a={v:int:2-3}", "COMPATIBLE:", "a=\"\""));
        Assert.Equal(3, descriptor.Compatible.Length);
        Assert.Equal("1", descriptor.Compatible[0].Fields[0].Pattern.ToString());
        Assert.Equal("{v:int:2-3}", descriptor.Compatible[1].Fields[0].Pattern.ToString());
        Assert.True(descriptor.Compatible[2].Fields[0].Pattern.AcceptsAbsent);
    }

    [Theory]
    [InlineData("DYNAMIC:\n  aggregator", new[] { "aggregator" })]
    [InlineData("DYNAMIC:\n  aggregator, instances # comment", new[] { "aggregator", "instances" })]
    [InlineData("DYNAMIC:\n aggregator instances\n other", new[] { "aggregator", "instances", "other" })]
    public void DYNAMIC_lists_names_separated_by_commas_spaces_or_lines(string section, string[] names)
    {
        var descriptor = Parse("aggregator=1\ninstances=2\nother=3\n" + section);
        Assert.Equal(names, descriptor.DynamicResources);
    }

    [Fact]
    public void Positions_are_recorded_and_firstLine_shifts_them()
    {
        var result = DescriptorParser.Parse("\n  a=1\nCOMPATIBLE:\n    b=2", "f.desc", firstLine: 10);
        var descriptor = Assert.IsType<Descriptor>(result.Descriptor);
        Assert.Equal(new SourcePosition("f.desc", 11, 3), descriptor.Self[0].Position);
        Assert.Equal(new SourcePosition("f.desc", 12, 1), descriptor.Compatible[0].Position);
        Assert.Equal(new SourcePosition("f.desc", 13, 5), descriptor.Compatible[0].Fields[0].Position);
    }

    [Fact]
    public void An_empty_input_is_an_empty_descriptor()
    {
        var result = DescriptorParser.Parse(string.Empty);
        Assert.True(result.Success);
        Assert.Empty(result.Descriptor!.Self);
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void A_quoted_COMPATIBLE_value_is_a_literal_even_with_braces()
    {
        var descriptor = Parse("a=\"{x}\"\nCOMPATIBLE:\na=\"{x}\"");
        Assert.Equal("{x}", descriptor.Compatible[0].Fields[0].Pattern.LiteralText);
    }

    [Fact]
    public void Errors_on_several_lines_are_all_reported_in_order_and_no_descriptor_is_returned()
    {
        var result = DescriptorParser.Parse("a=\"x\n!b=1\nc=ok\nc=dup");
        Assert.Null(result.Descriptor);
        Assert.Equal(["MC1003", "MC1002", "MC1005"], result.Diagnostics.Select(d => d.Code));
        Assert.Equal([1, 2, 4], result.Diagnostics.Select(d => d.Line));
    }

    [Fact]
    public void Warnings_alone_still_give_a_descriptor()
    {
        var result = DescriptorParser.Parse("device_type=pci");
        Assert.True(result.Success);
        Assert.Single(result.Warnings);
        Assert.Empty(result.Errors);
    }

    [Fact]
    public void FromFields_takes_self_values_verbatim_and_compatible_values_as_templates()
    {
        var result = DescriptorParser.Parse(string.Empty);
        result = DescriptorParser.FromFields(
            [new("mdev_type", "i915-GVTg_V5_4"), new("note", "\"quoted\" {braces}")],
            [[new("mdev_type", "i915-GVTg_V5_{n:int:1,2,4,8}")]],
            ["note"],
            "inventory");
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        Assert.Equal("\"quoted\" {braces}", result.Descriptor!.SelfText("note"));
        Assert.Equal("i915-GVTg_V5_{n:int:1,2,4,8}", result.Descriptor.Compatible[0].Fields[0].Pattern.ToString());
        Assert.Equal(["note"], result.Descriptor.DynamicResources);
    }

    [Theory]
    [InlineData("bad name", "x", "MC1002")]
    [InlineData("a", "\u0001", "MC1016")]
    public void FromFields_reports_bad_fields_with_the_origin(string name, string value, string code)
    {
        var result = DescriptorParser.FromFields([new(name, value)], [], [], "inventory.json");
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(code, diagnostic.Code);
        Assert.Equal("inventory.json", diagnostic.File);
        Assert.Null(result.Descriptor);
    }
}
