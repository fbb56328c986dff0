using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Importers;

namespace MigCompat.Discovery.Tests.Importers;

public sealed class MalformedInputTests
{
    public enum Reader
    {
        MdevctlTypes,
        MdevctlList,
        NodeDevice,
        Domain,
    }

    private const string Dtd = "<?xml version='1.0'?>\n<!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;&lol;'>]>\n<device><name>&lol2;</name></device>";

    public static TheoryData<Reader, string, string, int> Inputs => new()
    {
        { Reader.MdevctlTypes, "[{\"0000:00:02.0\": [{\"t\": {\"available_instances\": 1", ImportCodes.Malformed, 1 },
        { Reader.MdevctlList, "[\n  {\"p\": [}\n]", ImportCodes.Malformed, 2 },
        { Reader.MdevctlTypes, "{\"0000:00:02.0\": []}", ImportCodes.UnexpectedShape, 1 },
        { Reader.MdevctlList, "\"hello\"", ImportCodes.UnexpectedShape, 1 },
        { Reader.MdevctlList, "", ImportCodes.Malformed, 1 },
        { Reader.NodeDevice, "<device><name>x</name>", ImportCodes.Malformed, 1 },
        { Reader.NodeDevice, Dtd, ImportCodes.DtdRefused, 2 },
        { Reader.Domain, Dtd.Replace("device", "domain", StringComparison.Ordinal), ImportCodes.DtdRefused, 2 },
        { Reader.NodeDevice, "<node>\n  <other/>\n</node>", ImportCodes.UnexpectedShape, 1 },
        { Reader.Domain, "<device/>", ImportCodes.UnexpectedShape, 1 },
        { Reader.Domain, "<domain type='kvm'>\n<devices/>\n</domain>", ImportCodes.InvalidValue, 1 },
        { Reader.Domain, "<domain><name>a</name></domain><domain><name>b</name></domain>", ImportCodes.UnexpectedShape, 1 },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Unusable_input_gives_one_located_error_and_nothing_else(Reader reader, string content, string code, int line)
    {
        var diagnostics = Run(reader, content);

        var error = Assert.Single(diagnostics);
        Assert.Equal((DiagnosticSeverity.Error, code, line, "in.txt"), (error.Severity, error.Code, error.Line, error.File));
    }

    [Theory]
    [InlineData(Reader.MdevctlTypes)]
    [InlineData(Reader.MdevctlList)]
    [InlineData(Reader.NodeDevice)]
    [InlineData(Reader.Domain)]
    public void Input_over_the_size_limit_is_refused_unread(Reader reader)
    {
        var huge = new string(' ', ImportLimits.MaxInputChars + 1);

        Assert.Equal(ImportCodes.InputTooLarge, Assert.Single(Run(reader, huge)).Code);
    }

    /// <summary>(reader, element name, levels, line of the first element too deep, the column of its name).</summary>
    public static TheoryData<Reader, string, int, int, int> DeepXml => new()
    {
        { Reader.NodeDevice, "device", 100_000, 1, "<device>".Length * (ImportLimits.MaxXmlDepth + 1) + 2 },
        { Reader.Domain, "domain", 100_000, 1, "<domain>".Length * (ImportLimits.MaxXmlDepth + 1) + 2 },
        { Reader.NodeDevice, "a", ImportLimits.MaxXmlDepth + 2, 1, "<a>".Length * (ImportLimits.MaxXmlDepth + 1) + 2 },
    };

    [Theory]
    [MemberData(nameof(DeepXml))]
    public void Deeply_nested_xml_is_refused_fast_at_the_first_element_too_deep(Reader reader, string element, int levels, int line, int column)
    {
        var content = string.Concat(Enumerable.Repeat($"<{element}>", levels)) + string.Concat(Enumerable.Repeat($"</{element}>", levels));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = Assert.Single(Run(reader, content));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        Assert.Equal((DiagnosticSeverity.Error, ImportCodes.Malformed, line, column), (error.Severity, error.Code, error.Line, error.Column));
        Assert.Contains($"deeper than {ImportLimits.MaxXmlDepth} levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Xml_whose_deepest_node_is_at_the_limit_is_read()
    {
        // Depth counts from 0 at the root element: the wrappers, then device, name and its text at MaxXmlDepth.
        var wrappers = ImportLimits.MaxXmlDepth - 2;
        var content = string.Concat(Enumerable.Repeat("<a>", wrappers)) + "<device><name>x</name></device>" + string.Concat(Enumerable.Repeat("</a>", wrappers));

        Assert.DoesNotContain(Run(Reader.NodeDevice, content), d => d.Code == ImportCodes.Malformed);
    }

    [Fact]
    public void The_dispatcher_turns_an_unusable_input_into_an_empty_inventory_with_the_error_as_a_warning()
    {
        var (inventory, diagnostics) = InventoryImporter.ImportWithDiagnostics(ImportFormat.MdevctlTypes, "[", "t.json", "h");

        Assert.True(Assert.Single(diagnostics).IsError);
        var warning = Assert.Single(inventory.Warnings);
        Assert.Equal((ImportCodes.Malformed, "t.json:1:2"), (warning.Code, warning.Path));
        Assert.StartsWith("error: ", warning.Message, StringComparison.Ordinal);
        Assert.Empty(inventory.CreatableTypes);
    }

    private static System.Collections.Immutable.ImmutableArray<Diagnostic> Run(Reader reader, string content) => reader switch
    {
        Reader.MdevctlTypes => MdevctlTypesImporter.Import(content, "in.txt").Diagnostics,
        Reader.MdevctlList => MdevctlListImporter.Import(content, "in.txt").Diagnostics,
        Reader.NodeDevice => LibvirtNodeDeviceImporter.Import(content, "in.txt").Diagnostics,
        _ => LibvirtDomainReader.Read(content, "in.txt").Diagnostics,
    };
}
