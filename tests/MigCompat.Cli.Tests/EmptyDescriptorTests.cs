using MigCompat.Cli.Tests.Support;

namespace MigCompat.Cli.Tests;

/// <summary>A descriptor file with no field at all describes no device: validate, check and format refuse it.</summary>
public sealed class EmptyDescriptorTests : IDisposable
{
    private const string Message = "error MC1023: the descriptor has no fields; state at least what the device is, e.g. device_api=vfio-pci and mdev_type=... (an empty file, or only comments, describes no device)";

    private readonly Workspace workspace = new();

    public void Dispose() => workspace.Dispose();

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("# a comment, nothing else\n")]
    [InlineData("SELF:\n")]
    [InlineData("\uFEFF\r\n")]
    public async Task Validate_refuses_a_descriptor_file_with_no_field_with_exit_2(string content)
    {
        workspace.Write("empty.desc", content);

        var result = await CliRunner.RunAsync("validate", workspace.Path("empty.desc"));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"empty.desc:1:1: {Message}\nmigcompat validate: 1 input, 0 valid; 1 error, 0 warnings\n", workspace.Normalize(result.Stderr));
    }

    [Theory]
    [InlineData("empty.desc", "valid.desc")]
    [InlineData("valid.desc", "empty.desc")]
    public async Task Check_refuses_an_empty_source_or_target_with_exit_2_and_no_verdict(string source, string target)
    {
        workspace.Write("empty.desc", "# nothing here\n");

        var result = await CliRunner.RunAsync("check", workspace.Path(source), workspace.Path(target));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Contains($"empty.desc:1:1: {Message}", workspace.Normalize(result.Stderr), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Format_refuses_an_empty_descriptor_and_writes_nothing()
    {
        workspace.Write("empty.desc", string.Empty);

        var result = await CliRunner.RunAsync("format", workspace.Path("empty.desc"));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Contains(Message, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shipped_rule_packs_with_empty_descriptor_sections_still_load()
    {
        var result = await CliRunner.RunAsync("rules", "list");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("gvt-g", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("MC1023", result.Stderr, StringComparison.Ordinal);
    }
}
