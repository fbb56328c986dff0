using System.Diagnostics;
using MigCompat.Cli.Tests.Support;

namespace MigCompat.Cli.Tests;

/// <summary>An import of the wrong tool's output, or of hostile XML, exits 2 with a located error and writes nothing.</summary>
public sealed class ImportRefusalTests : IDisposable
{
    private const string Fixtures = "tests/MigCompat.Discovery.Tests/Importers/Fixtures/";

    private readonly Workspace workspace = new();

    public void Dispose() => workspace.Dispose();

    [Theory]
    [InlineData("mdevctl-types", "mdevctl-list-multi.json", "error MCM004: $: This is mdevctl list --dumpjson output (import it as mdevctl-list)")]
    [InlineData("mdevctl-list", "mdevctl-types-multi.json", "error MCM004: $: This is mdevctl types --dumpjson output (import it as mdevctl-types)")]
    [InlineData("nodedev-xml", "domain-hostdevs.xml", "error MCM004: This is a libvirt domain (virsh dumpxml output; import it as domain-xml)")]
    [InlineData("domain-xml", "nodedev-wrapped.xml", "error MCM004: This is libvirt node devices (virsh nodedev-dumpxml output; import it as nodedev-xml)")]
    [InlineData("nodedev-xml", "mdevctl-types-multi.json", "error MCM002: The input is JSON, not XML: mdevctl types --dumpjson output")]
    [InlineData("mdevctl-types", "nodedev-concatenated.xml", "error MCM002: The input is XML, not JSON: libvirt node devices")]
    public async Task A_wrong_format_import_exits_2_naming_the_format_it_looks_like(string format, string fixture, string error)
    {
        var result = await CliRunner.RunAsync("import", format, Repo.Path(Fixtures + fixture), "--format", "json");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Matches(@":\d+:\d+: " + System.Text.RegularExpressions.Regex.Escape(error), result.Stderr);
    }

    [Theory]
    [InlineData("nodedev-xml", "device")]
    [InlineData("domain-xml", "domain")]
    [InlineData("nodedev-xml", "x")]
    public async Task Xml_nested_100000_levels_deep_is_refused_within_a_second(string format, string element)
    {
        const int Levels = 100_000;
        workspace.Write("deep.xml", string.Concat(Enumerable.Repeat($"<{element}>", Levels)) + string.Concat(Enumerable.Repeat($"</{element}>", Levels)));
        var clock = Stopwatch.StartNew();

        var result = await CliRunner.RunAsync("import", format, workspace.Path("deep.xml"));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Matches(@"deep\.xml:1:\d+: error MCM002: The XML nests elements deeper than 64 levels", result.Stderr);
    }
}
