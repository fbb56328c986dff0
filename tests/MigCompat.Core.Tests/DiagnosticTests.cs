using MigCompat.Core.Diagnostics;
using MigCompat.Core.Syntax;

namespace MigCompat.Core.Tests;

public class DiagnosticTests
{
    private const string Block = "a=1\nCOMPATIBLE:\n";

    /// <summary>Input, code, line, column, exact message: every diagnostic code with its text.</summary>
    public static TheoryData<string, string, int, int, string> Errors => new()
    {
        { "device_api", "MC1001", 1, 11, "expected name=value, found 'device_api'" },
        { "foo: bar", "MC1001", 1, 4, "expected '=' after 'foo', found ':'; fields are written name=value (section headers are SELF:, COMPATIBLE:, DYNAMIC: on a line of their own)" },
        { "de vice=1", "MC1001", 1, 4, "expected name=value, found 'de vice=1'" },
        { "dev!ce=1", "MC1002", 1, 4, "'!' is not allowed in a field name; use letters, digits, '_', '.' or '-'" },
        { "=1", "MC1002", 1, 1, "a field name cannot start with '='; write name=value with letters, digits, '_', '.' or '-'" },
        { "-x=1", "MC1002", 1, 1, "'-' is not allowed at the start of the field name '-x'; use letters, digits, '_', '.' or '-'" },
        { new string('n', 129) + "=1", "MC1002", 1, 1, "a field name is at most 128 characters long" },
        { "a=\"abc", "MC1003", 1, 3, "the quoted value has no closing '\"'" },
        { "a=\"x\\q\"", "MC1004", 1, 5, "unknown escape '\\q' in a quoted value; use \\\", \\\\, \\n, \\r or \\t" },
        { "a=1\na=2", "MC1005", 2, 1, "'a' is already given in SELF; each field appears once per section" },
        { Block + "a=1\na=2", "MC1005", 4, 1, "'a' is already given in this COMPATIBLE block; list alternatives as values ({v:string:\"a\",\"b\"}) or in another block" },
        { "a=1\nDYNAMIC:\na, a", "MC1005", 3, 4, "'a' is already listed in DYNAMIC" },
        { "compatible:", "MC1006", 1, 1, "section headers are upper case: write COMPATIBLE:" },
        { "  FOO:", "MC1006", 1, 3, "unknown section 'FOO:'; the sections are SELF:, COMPATIBLE: and DYNAMIC:" },
        { Block + "a={", "MC1007", 3, 3, "'{' is never closed with '}'" },
        { Block + "a=}", "MC1007", 3, 3, "'}' without a matching '{'; quote the value if the brace is literal" },
        { Block + "a={x:int:{y}}", "MC1007", 3, 10, "placeholders cannot be nested: '{' inside '{...}'" },
        { Block + "a={}", "MC1007", 3, 4, "a placeholder needs a variable name: {name}, {name:int:1,2} or {name:string:\"a\",\"b\"}" },
        { Block + "a={1x}", "MC1007", 3, 4, "'1x' is not a variable name; use letters, digits and '_', starting with a letter or '_'" },
        { Block + "a={x:float:1}", "MC1007", 3, 6, "unknown variable type 'float'; use int or string" },
        { Block + "a={x:int:1:2}", "MC1007", 3, 11, "too many ':' in the placeholder; write {name:type:values}" },
        { Block + "a={x:int:1,,2}", "MC1007", 3, 12, "an empty item in the values of 'x'" },
        { Block + "a={x:int:a}", "MC1007", 3, 10, "'a' is not a non-negative integer or a range like 1-8" },
        { Block + "a={x:int:8-1}", "MC1007", 3, 10, "the range '8-1' is empty: its end is below its start" },
        { Block + "a={x:string:a,,b}", "MC1007", 3, 15, "an empty item in the values of 'x'; write \"\" for the empty string" },
        { Block + "a={y}", "MC1008", 3, 1, "'a' refers to {y}, but no field of this block declares it (declare it as {y:int:...} or {y:string:...})" },
        { Block + "a={x:int:1}\nb={x:int:2}", "MC1009", 4, 1, "the variable 'x' is declared twice in this block; declare it once and refer to it as {x}" },
        { "a={x:int:1}", "MC1010", 1, 3, "'a' has a template, but SELF values are concrete; move it below COMPATIBLE:, or quote the value if the braces are literal" },
        { "a=1\nSELF:", "MC1011", 2, 1, "SELF: must be the first line with content, before any field or COMPATIBLE: block" },
        { "a=" + new string('x', 4095), "MC1013", 1, 4097, "the line is 4097 characters long; the limit is 4096" },
        { Block + "a={x:int:" + string.Join(',', Enumerable.Repeat("1", 1025)) + "}", "MC1014", 3, 10, "a value list has at most 1024 items; use a range (1-100) for integers" },
        { "a=\"x\" y", "MC1015", 1, 7, "unexpected text after the closing quote; put the whole value inside the quotes, or start a comment with '#'" },
        { "a=x\"y", "MC1015", 1, 4, "a '\"' inside a bare value; quote the whole value instead" },
        { Block + "a={x:string:\"a\" b}", "MC1015", 3, 17, "unexpected text after a quoted value of 'x'; separate values with ','" },
        { "a=\u0001", "MC1016", 1, 3, "the control character U+0001 is not allowed; descriptors are text" },
        { "a=1\rb=2", "MC1016", 1, 4, "the control character U+000D is not allowed; descriptors are text" },
        { Block + "a={x}{y:int}\nb={y}{x:int}", "MC1017", 2, 1, "the variable 'x' is referred to before it can be bound: variables of this block depend on each other in a circle, or a value refers to a variable it declares later; declare each variable before other values use it" },
        { Block + "a={x}{x:int}", "MC1017", 2, 1, "the variable 'x' is referred to before it can be bound: variables of this block depend on each other in a circle, or a value refers to a variable it declares later; declare each variable before other values use it" },
        { "a=1\nCOMPATIBLE:", "MC1019", 2, 1, "this COMPATIBLE block has no fields, so it would accept any device of the same type; list the fields it requires" },
        { Block + "a={x:string:\"p\"}\nb={x}/2", "MC1020", 4, 1, "'b' computes {x}/2, but 'x' is a string; arithmetic needs an int variable" },
    };

    public static TheoryData<string, string, int, int, string> Warnings => new()
    {
        { "mdev_type=t\ndevice_id=1", "MC2001", 2, 1, "'device_id' identifies the parent device, but an mdev_type must define a software-compatible interface on its own; matching on it blocks migration between different parents offering the same type (report a distinct mdev type per parent instead)" },
        { Block + "a={x:int:1,2,3}\nb={x}/2", "MC2002", 4, 1, "'b' = {x}/2 is not a non-negative integer for x = 1, 3; sources that bind those values are refused. Remove them from the list or change the expression" },
        { "interface_version=3\nCOMPATIBLE:\ninterface_version={v:int:2,3}", "MC2003", 3, 1, "'interface_version' lists integer versions {v:int:2,3}. The list is sparse and grows with every release. Use a major.minor.bugfix version in SELF instead and let the rule decide (same major, target minor >= source minor)" },
        { "device_type=pci", "MC2004", 1, 1, "'device_type' is not a standard field; the VFIO device API is 'device_api' (vfio-pci, vfio-ccw, vfio-ap, ...), which is always matched exactly" },
        { "device_api=vfio-mdev", "MC2005", 1, 1, "'vfio-mdev' is the driver that exposes mdevs through VFIO, not a device API; use the interface the device presents, usually vfio-pci (or vfio-ccw, vfio-ap)" },
        { "device_api=pci", "MC2005", 1, 1, "'pci' is not a VFIO device API; expected one of vfio-pci, vfio-platform, vfio-amba, vfio-ccw, vfio-ap, vfio-cdx" },
        { "software_version=abc", "MC2006", 1, 1, "'software_version' holds a version, but 'abc' is not one (a version starts with a number (major[.minor[.bugfix]], e.g. 1.2.0)); it will only match the identical text" },
        { "a=1\nDYNAMIC:\nb", "MC2008", 3, 1, "'b' is listed in DYNAMIC but is not a SELF field, so there is no value to claim on the target" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Each_error_code_is_reported_alone_with_its_position_and_message(string text, string code, int line, int column, string message)
    {
        var result = DescriptorParser.Parse(text, "x.desc");
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal((DiagnosticSeverity.Error, code, line, column, message, "x.desc"), (diagnostic.Severity, diagnostic.Code, diagnostic.Line, diagnostic.Column, diagnostic.Message, diagnostic.File));
        Assert.Null(result.Descriptor);
    }

    [Theory]
    [MemberData(nameof(Warnings))]
    public void Each_warning_code_is_reported_with_its_position_and_message_and_the_descriptor_is_kept(string text, string code, int line, int column, string message)
    {
        var result = DescriptorParser.Parse(text, "x.desc");
        var diagnostic = Assert.Single(result.Diagnostics, d => d.Code == code);
        Assert.Equal((DiagnosticSeverity.Warning, line, column, message), (diagnostic.Severity, diagnostic.Line, diagnostic.Column, diagnostic.Message));
        Assert.True(result.Success);
    }

    /// <summary>Text with no field at all, read as a descriptor of its own.</summary>
    public static TheoryData<string, int> EmptyDescriptors => new()
    {
        { "", 1 },
        { "\n\n", 1 },
        { "   \t\n", 1 },
        { "# only a comment\n# and another", 1 },
        { "\uFEFF", 1 },
        { "SELF:", 1 },
        { "SELF:\n# nothing\n", 1 },
        { "\r\n\r\n", 1 },
    };

    [Theory]
    [MemberData(nameof(EmptyDescriptors))]
    public void A_descriptor_of_its_own_with_no_field_is_refused_with_MC1023(string text, int line)
    {
        var result = DescriptorParser.Parse(text, "x.desc", requireFields: true);

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(
            (DiagnosticSeverity.Error, "MC1023", line, 1, "x.desc", "the descriptor has no fields; state at least what the device is, e.g. device_api=vfio-pci and mdev_type=... (an empty file, or only comments, describes no device)"),
            (diagnostic.Severity, diagnostic.Code, diagnostic.Line, diagnostic.Column, diagnostic.File, diagnostic.Message));
        Assert.Null(result.Descriptor);
    }

    [Theory]
    [MemberData(nameof(EmptyDescriptors))]
    public void An_empty_descriptor_section_of_a_larger_file_is_an_empty_descriptor_without_diagnostics(string text, int line)
    {
        _ = line;
        var result = DescriptorParser.Parse(text, "x.rules", firstLine: 7);

        Assert.Empty(result.Diagnostics);
        Assert.NotNull(result.Descriptor);
        Assert.Empty(result.Descriptor.Self);
    }

    [Theory]
    [InlineData("device_api=vfio-pci")]
    [InlineData("SELF:\n  a=")]
    [InlineData("COMPATIBLE:\n  device_api=vfio-pci")]
    public void One_field_is_enough_for_a_descriptor_of_its_own(string text)
    {
        var result = DescriptorParser.Parse(text, "x.desc", requireFields: true);

        Assert.DoesNotContain(result.Diagnostics, d => d.Code == "MC1023");
    }

    [Fact]
    public void An_empty_descriptor_is_reported_at_the_first_line_of_its_text()
    {
        var diagnostic = Assert.Single(DescriptorParser.Parse("# nothing", "x.desc", firstLine: 12, requireFields: true).Diagnostics);

        Assert.Equal(("MC1023", 12, 1), (diagnostic.Code, diagnostic.Line, diagnostic.Column));
    }

    [Fact]
    public void An_input_over_one_MiB_is_refused_with_MC1012()
    {
        var result = DescriptorParser.Parse(new string('a', DescriptorLimits.MaxInputLength + 1));
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(("MC1012", 1, 1, "the descriptor is 1048577 characters long; the limit is 1048576"), (diagnostic.Code, diagnostic.Line, diagnostic.Column, diagnostic.Message));
    }

    [Theory]
    [InlineData(513, 0, "MC1014", "SELF has more than 512 fields")]
    [InlineData(1, 65, "MC1014", "there are more than 64 COMPATIBLE blocks")]
    public void Too_many_fields_or_blocks_are_refused_once(int fields, int blocks, string code, string message)
    {
        var lines = Enumerable.Range(0, fields).Select(i => $"f{i}=1")
            .Concat(Enumerable.Range(0, blocks).SelectMany(_ => new[] { "COMPATIBLE:", "f0=1" }));
        var result = DescriptorParser.Parse(string.Join('\n', lines));
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal((code, message), (diagnostic.Code, diagnostic.Message));
    }

    [Fact]
    public void A_syntax_error_inside_a_block_does_not_also_report_the_block_as_empty()
    {
        var result = DescriptorParser.Parse(Block + "a={");
        Assert.Equal(["MC1007"], result.Diagnostics.Select(d => d.Code));
    }

    [Theory]
    [InlineData("f.desc", 3, 7, "f.desc:3:7: error MC1001: msg")]
    [InlineData(null, 1, 1, "<input>:1:1: error MC1001: msg")]
    public void A_diagnostic_prints_as_file_line_column_severity_code_message(string? file, int line, int column, string expected) =>
        Assert.Equal(expected, Diagnostic.Error("MC1001", "msg", file, line, column).ToString());
}
