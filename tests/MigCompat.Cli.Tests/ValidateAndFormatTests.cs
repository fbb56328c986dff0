using System.Text.Json;
using MigCompat.Cli.Tests.Support;

namespace MigCompat.Cli.Tests;

public sealed class ValidateAndFormatTests : IDisposable
{
    private readonly Workspace workspace = new();

    public void Dispose() => workspace.Dispose();

    [Theory]
    [InlineData("valid.desc", 0, 0)]
    [InlineData("target.desc", 0, 0)]
    [InlineData("warnings.desc", 0, 1)]
    [InlineData("attrs", 0, 0)]
    [InlineData("inventory.json", 0, 0)]
    [InlineData("inventory.json#" + Workspace.MdevId, 0, 0)]
    [InlineData("syntax.desc", 2, 2)]
    [InlineData("missing.desc", 2, 1)]
    [InlineData("empty-dir", 2, 1)]
    [InlineData("broken.json", 2, 1)]
    [InlineData("inventory.json#unknown", 2, 1)]
    public async Task Validate_exits_0_for_valid_input_with_or_without_warnings_and_2_otherwise(string input, int expectedExit, int expectedDiagnostics)
    {
        var result = await CliRunner.RunAsync("validate", workspace.Path(input));

        Assert.Equal(expectedExit, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expectedDiagnostics, lines.Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\S+:\d+:\d+: (error|warning) MC[A-Z]*\d+: ")));
        Assert.StartsWith("migcompat validate: 1 input, ", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_prints_every_diagnostic_then_a_summary()
    {
        var result = await CliRunner.RunAsync("validate", workspace.Path("valid.desc"), workspace.Path("warnings.desc"), workspace.Path("syntax.desc"));

        Assert.Equal(2, result.ExitCode);
        Golden.Matches("validate.txt", workspace.Normalize(result.Stderr));
    }

    [Fact]
    public async Task Validate_with_json_format_writes_the_diagnostics_as_a_json_array_on_stdout()
    {
        var result = await CliRunner.RunAsync("validate", "--format", "json", workspace.Path("warnings.desc"), workspace.Path("syntax.desc"));

        Assert.Equal(2, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var items = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(["warning", "error", "error"], items.Select(i => i.GetProperty("severity").GetString()));
        Assert.Equal(["MC2004", "MC1001", "MC1003"], items.Select(i => i.GetProperty("code").GetString()));
        Assert.Equal(2, items[1].GetProperty("line").GetInt32());
        Assert.Equal(6, items[1].GetProperty("column").GetInt32());
        Assert.EndsWith("syntax.desc", items[1].GetProperty("file").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Format_prints_the_canonical_form()
    {
        var result = await CliRunner.RunAsync("format", workspace.Path("target.desc"));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Empty, result.Stderr);
        Golden.Matches("format-target.txt", result.Stdout);
    }

    [Fact]
    public async Task Format_of_the_seed_example_keeps_its_warnings_on_stderr()
    {
        var result = await CliRunner.RunAsync("format", Repo.Path("docs/examples/seed-target.desc"));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("warning MC2003", result.Stderr, StringComparison.Ordinal);
        Golden.Matches("format-seed-target.txt", result.Stdout);
    }

    [Theory]
    [InlineData("valid.desc", 0)]
    [InlineData("warnings.desc", 0)]
    [InlineData("attrs", 0)]
    [InlineData("inventory.json#0000:00:02.0/i915-GVTg_V5_8", 0)]
    [InlineData("syntax.desc", 2)]
    [InlineData("missing.desc", 2)]
    [InlineData("empty-dir", 2)]
    [InlineData("inventory.json#unknown", 2)]
    public async Task Format_exits_0_with_output_or_2_with_nothing_on_stdout(string input, int expected)
    {
        var result = await CliRunner.RunAsync("format", workspace.Path(input));

        Assert.Equal(expected, result.ExitCode);
        if (expected == 0)
        {
            Assert.StartsWith("SELF:\n", result.Stdout, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(string.Empty, result.Stdout);
            Assert.Contains(": error MC", result.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Formatting_the_formatted_output_changes_nothing()
    {
        var first = await CliRunner.RunAsync("format", workspace.Path("attrs"));
        workspace.Write("formatted.desc", first.Stdout);
        var second = await CliRunner.RunAsync("format", workspace.Path("formatted.desc"));

        Assert.Equal(0, second.ExitCode);
        Assert.Equal(first.Stdout, second.Stdout);
        Assert.Contains("DYNAMIC:\n  aggregator\n", first.Stdout, StringComparison.Ordinal);
    }
}
