using System.Text.RegularExpressions;
using MigCompat.Cli.Tests.Support;

namespace MigCompat.Cli.Tests;

/// <summary>Bytes that are not UTF-8 are reported where they are, never read as U+FFFD.</summary>
public sealed class InvalidUtf8Tests : IDisposable
{
    private readonly Workspace workspace = new();

    public void Dispose() => workspace.Dispose();

    /// <summary>(content with {XX} for a raw byte, line, column, byte offset, the byte).</summary>
    public static TheoryData<string, int, int, int, string> BadFiles => new()
    {
        { "device_api=vfio-pci\nmdev_type=ab{FF}c\n", 2, 13, 32, "FF" },
        { "{FF}device_api=vfio-pci\n", 1, 1, 0, "FF" },
        { "{EF}{BB}{BF}a={C3}", 1, 3, 5, "C3" },
        { "a=\u00e9\u00e9{C3}{28}\n", 1, 5, 6, "C3" },
        { "a=1\r\nb=2\r\nc={ED}{A0}{80}\r\n", 3, 3, 12, "ED" },
        { "a=x\nb=y\nc=z{C0}{AF}", 3, 4, 11, "C0" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Validate_reports_invalid_utf8_at_its_line_column_and_byte_and_exits_2(string content, int line, int column, int offset, string badByte)
    {
        var path = WriteBytes("bad.desc", content);

        var result = await CliRunner.RunAsync("validate", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{path}:{line}:{column}: error MCC009: invalid UTF-8 at byte {offset} (0x{badByte}); ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("1 input, 0 valid; 1 error", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Format_refuses_invalid_utf8_and_never_writes_a_replacement_character(string content, int line, int column, int offset, string badByte)
    {
        var path = WriteBytes("bad.desc", content);

        var result = await CliRunner.RunAsync("format", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.DoesNotContain("\uFFFD", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($":{line}:{column}: error MCC009: invalid UTF-8 at byte {offset} (0x{badByte})", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("check", "bad.desc", "valid.desc")]
    [InlineData("check", "valid.desc", "bad.desc")]
    [InlineData("validate", "bad.json", null)]
    [InlineData("import", "mdevctl-types", "bad.json")]
    [InlineData("import", "nodedev-xml", "bad.xml")]
    [InlineData("import", "domain-xml", "bad.xml")]
    public async Task Every_command_that_reads_a_file_refuses_invalid_utf8_with_exit_2(string command, string first, string? second)
    {
        WriteBytes("bad.desc", "device_api=vfio-pci\nmdev_type=x{FE}\n");
        WriteBytes("bad.json", "[{\"0000:00:02.0\": [{\"t{80}\": {}}]}]");
        WriteBytes("bad.xml", "<device><name>{FF}</name></device>");
        string[] args = second is null ? [command, workspace.Path(first)] : command == "import" ? [command, first, workspace.Path(second)] : [command, workspace.Path(first), workspace.Path(second)];

        var result = await CliRunner.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Matches(new Regex(@":\d+:\d+: error MCC009: invalid UTF-8 at byte \d+ \(0x[0-9A-F]{2}\)"), result.Stderr);
    }

    [Fact]
    public async Task A_per_attribute_file_with_invalid_utf8_is_skipped_with_a_warning_naming_the_byte()
    {
        WriteBytes("attrs/software_version", "1.{FF}\n");

        var result = await CliRunner.RunAsync("validate", workspace.Path("attrs"));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("warning MCC006: attribute skipped: invalid UTF-8 at byte 2 (0xFF)", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("validate", "inventory.json")]
    [InlineData("check", "inventory.json#d1")]
    [InlineData("import mdevctl-types", "types.json")]
    [InlineData("import mdevctl-list", "list.json")]
    [InlineData("import domain-xml d.xml --inventory", "inventory.json")]
    public async Task A_lone_surrogate_escape_in_json_input_is_exit_2_with_a_located_error_never_an_internal_error(string command, string file)
    {
        workspace.Write("inventory.json", "{\"schema_version\": 1, \"host\": \"h\\ud800\", \"taken_at\": \"2025-03-01T12:00:00Z\"}");
        workspace.Write("types.json", "[{\"0000:00:02.0\": [{\"t\\ud800\": {\"available_instances\": 1}}]}]");
        workspace.Write("list.json", "[{\"0000:00:02.0\": [{\"d069d019-36ea-4111-8f0a-8c9a70e21366\": {\"mdev_type\": \"t\\udc00\"}}]}]");
        workspace.Write("d.xml", "<domain><name>vm</name></domain>");
        var words = command.Split(' ');
        string[] args = command == "check"
            ? ["check", workspace.Path(file), workspace.Path(file)]
            : [.. words.Select(w => w.EndsWith(".xml", StringComparison.Ordinal) ? workspace.Path(w) : w), workspace.Path(file)];

        var result = await CliRunner.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Matches(new Regex(@":1:\d+: error MC[IM]0\d\d: .*lone UTF-16 surrogate"), result.Stderr);
        Assert.DoesNotContain("internal error", result.Stderr, StringComparison.Ordinal);
    }

    private string WriteBytes(string relative, string content)
    {
        var bytes = new List<byte>();
        foreach (Match part in Regex.Matches(content, @"\{([0-9A-F]{2})\}|[^{]+|\{"))
        {
            bytes.AddRange(part.Groups[1].Success ? [Convert.ToByte(part.Groups[1].Value, 16)] : System.Text.Encoding.UTF8.GetBytes(part.Value));
        }

        var path = workspace.Path(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [.. bytes]);
        return path;
    }
}
