using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Importers;

namespace MigCompat.Discovery.Tests.Importers;

/// <summary>One tool's export given to another tool's importer is an error that names what it looks like, never an empty import.</summary>
public sealed class WrongFormatTests
{
    /// <summary>(the importer, the fixture given to it, the error's code, what the message must name).</summary>
    public static TheoryData<ImportFormat, string, string, string> WrongInputs => new()
    {
        { ImportFormat.MdevctlTypes, "mdevctl-list-multi.json", ImportCodes.UnexpectedShape, "This is mdevctl list --dumpjson output (import it as mdevctl-list)" },
        { ImportFormat.MdevctlList, "mdevctl-types-multi.json", ImportCodes.UnexpectedShape, "This is mdevctl types --dumpjson output (import it as mdevctl-types)" },
        { ImportFormat.LibvirtNodeDevice, "domain-hostdevs.xml", ImportCodes.UnexpectedShape, "This is a libvirt domain (virsh dumpxml output; import it as domain-xml)" },
        { ImportFormat.LibvirtNodeDevice, "mdevctl-list-multi.json", ImportCodes.Malformed, "The input is JSON, not XML: mdevctl list --dumpjson output (import it as mdevctl-list)" },
        { ImportFormat.LibvirtNodeDevice, "mdevctl-types-multi.json", ImportCodes.Malformed, "The input is JSON, not XML: mdevctl types --dumpjson output (import it as mdevctl-types)" },
        { ImportFormat.MdevctlTypes, "nodedev-wrapped.xml", ImportCodes.Malformed, "The input is XML, not JSON: libvirt node devices (virsh nodedev-dumpxml output; import it as nodedev-xml)" },
        { ImportFormat.MdevctlList, "nodedev-concatenated.xml", ImportCodes.Malformed, "The input is XML, not JSON: libvirt node devices (virsh nodedev-dumpxml output; import it as nodedev-xml)" },
        { ImportFormat.MdevctlList, "domain-hostdevs.xml", ImportCodes.Malformed, "The input is XML, not JSON: a libvirt domain (virsh dumpxml output; import it as domain-xml)" },
        { ImportFormat.MdevctlList, "mdevctl-one-device.json", ImportCodes.UnexpectedShape, "it looks like one mdev's configuration (what mdevctl list --uuid UUID --dumpjson prints" },
        { ImportFormat.MdevctlTypes, "mdevctl-one-device.json", ImportCodes.UnexpectedShape, "names neither the mdev's UUID nor its parent: give mdevctl list --dumpjson without --uuid" },
        { ImportFormat.LibvirtNodeDevice, "mdevctl-one-device.json", ImportCodes.Malformed, "The input is JSON, not XML: one mdev's configuration" },
    };

    [Theory]
    [MemberData(nameof(WrongInputs))]
    public void An_export_of_another_tool_is_one_error_naming_the_format_it_looks_like(ImportFormat format, string fixture, string code, string named)
    {
        var content = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Importers", "Fixtures", fixture));

        var result = format switch
        {
            ImportFormat.MdevctlTypes => MdevctlTypesImporter.Import(content, fixture),
            ImportFormat.MdevctlList => MdevctlListImporter.Import(content, fixture),
            _ => LibvirtNodeDeviceImporter.Import(content, fixture),
        };

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal((DiagnosticSeverity.Error, code), (error.Severity, error.Code));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.True(error.Line > 0 && error.Column > 0, error.ToString());
        Assert.Empty(result.Devices);
        Assert.Empty(result.CreatableTypes);
    }

    [Theory]
    [InlineData("nodedev-wrapped.xml", "This is libvirt node devices (virsh nodedev-dumpxml output; import it as nodedev-xml), not a domain")]
    [InlineData("nodedev-concatenated.xml", "This is libvirt node devices (virsh nodedev-dumpxml output; import it as nodedev-xml), not a domain")]
    [InlineData("mdevctl-list-multi.json", "The input is JSON, not XML: mdevctl list --dumpjson output (import it as mdevctl-list)")]
    public void A_domain_reader_given_something_else_names_what_it_was_given(string fixture, string named)
    {
        var content = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Importers", "Fixtures", fixture));

        var result = LibvirtDomainReader.Read(content, fixture);

        Assert.Null(result.Devices);
        Assert.Contains(named, Assert.Single(result.Diagnostics).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ImportFormat.MdevctlTypes, "[]")]
    [InlineData(ImportFormat.MdevctlList, "[]")]
    [InlineData(ImportFormat.MdevctlList, "[{\"0000:00:02.0\": []}]")]
    public void An_empty_dump_is_still_a_valid_empty_import(ImportFormat format, string content)
    {
        var result = format == ImportFormat.MdevctlTypes ? MdevctlTypesImporter.Import(content, "x.json") : MdevctlListImporter.Import(content, "x.json");

        Assert.Empty(result.Diagnostics);
    }
}
