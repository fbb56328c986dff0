using MigCompat.Cli.Tests.Support;

namespace MigCompat.Cli.Tests;

public sealed class HelpAndUsageTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("check --help")]
    [InlineData("validate --help")]
    [InlineData("format --help")]
    [InlineData("scan --help")]
    [InlineData("import --help")]
    [InlineData("import mdevctl-types --help")]
    [InlineData("import mdevctl-list -h")]
    [InlineData("import nodedev-xml --help")]
    [InlineData("import domain-xml --help")]
    [InlineData("rules --help")]
    [InlineData("rules list --help")]
    [InlineData("rules show --help")]
    [InlineData("vms list --help")]
    [InlineData("vms show --help")]
    public async Task Every_command_has_help_with_examples_and_exit_codes(string commandLine)
    {
        var result = await CliRunner.RunAsync(commandLine.Split(' '));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("\nExamples:\n  ", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"\nExit codes:\n  0  .+\n(  [1-3]  .+\n)*  2  ", result.Stdout);
        Assert.Equal(string.Empty, result.Stderr);
    }

    [Theory]
    [InlineData("--help", "help-root.txt")]
    [InlineData("check --help", "help-check.txt")]
    [InlineData("validate --help", "help-validate.txt")]
    [InlineData("format --help", "help-format.txt")]
    [InlineData("scan --help", "help-scan.txt")]
    [InlineData("import --help", "help-import.txt")]
    [InlineData("import mdevctl-types --help", "help-import-mdevctl-types.txt")]
    [InlineData("import domain-xml --help", "help-import-domain-xml.txt")]
    [InlineData("rules --help", "help-rules.txt")]
    [InlineData("rules show --help", "help-rules-show.txt")]
    [InlineData("serve --help", "help-serve.txt")]
    [InlineData("agent --help", "help-agent.txt")]
    [InlineData("targets --help", "help-targets.txt")]
    [InlineData("vms show --help", "help-vms-show.txt")]
    [InlineData("demo --help", "help-demo.txt")]
    [InlineData("migrate-xml --help", "help-migrate-xml.txt")]
    [InlineData("libvirt-hook --help", "help-libvirt-hook.txt")]
    [InlineData("placement sync --help", "help-placement-sync.txt")]
    [InlineData("export kubevirt --help", "help-export-kubevirt.txt")]
    [InlineData("export dra --help", "help-export-dra.txt")]
    [InlineData("plan upgrade --help", "help-plan-upgrade.txt")]
    [InlineData("plan verify --help", "help-plan-verify.txt")]
    public async Task Each_help_text_reads_as_its_golden_file(string commandLine, string golden)
    {
        var result = await CliRunner.RunAsync(commandLine.Split(' '));

        Assert.Equal(0, result.ExitCode);

        // Usage names the running executable: the test host here, migcompat when installed.
        Golden.Matches(golden, result.Stdout.Replace("  " + new System.CommandLine.RootCommand().Name + " ", "  migcompat ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_help_documents_exit_code_1_for_not_compatible()
    {
        var result = await CliRunner.RunAsync("check", "--help");

        Assert.Contains("  1  not live-compatible", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("migcompat check source.desc target.desc", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_a_version_and_exits_0()
    {
        var result = await CliRunner.RunAsync("--version");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^migcompat \d+\.\d+\.\d+\n$", result.Stdout.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("[suggest:2]", "ch", "check")]
    [InlineData("[suggest:8]", "rules sh", "show")]
    [InlineData("[suggest:22]", "check a.desc --format ", "json\ntext")]
    public async Task The_suggest_directive_the_shell_completion_uses_prints_what_may_come_next(string directive, string line, string expected)
    {
        var result = await CliRunner.RunAsync(directive, line);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(expected + "\n", result.Stdout.ReplaceLineEndings("\n"));
        Assert.Equal("", result.Stderr);
    }

    [Theory]
    [InlineData("")]
    [InlineData("frobnicate")]
    [InlineData("check onlyone")]
    [InlineData("check a b --format xml")]
    [InlineData("scan --format table")]
    [InlineData("import")]
    [InlineData("import vmware-vmx x")]
    [InlineData("validate")]
    public async Task Bad_usage_exits_2_with_a_message_and_no_stack_trace(string commandLine)
    {
        var result = await CliRunner.RunAsync(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.StartsWith("migcompat: error: ", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }
}
