using System.Text.Json;
using MigCompat.Cli.Tests.Support;

namespace MigCompat.Cli.Tests;

public sealed class CheckCommandTests : IDisposable
{
    private readonly Workspace workspace = new();

    public void Dispose() => workspace.Dispose();

    [Theory]
    [InlineData("valid.desc", "target.desc", 0)]
    [InlineData("valid.desc", "attrs", 0)]
    [InlineData("inventory.json#" + Workspace.MdevId, "inventory.json#" + Workspace.Parent + "/i915-GVTg_V5_8", 0)]
    [InlineData("inventory.json#D069D019-36EA-4111-8F0A-8C9A70E21366", "target.desc", 0)]
    [InlineData("warnings.desc", "target.desc", 1)]
    [InlineData("other-api.desc", "target.desc", 1)]
    [InlineData("target.desc", "valid.desc", 1)]
    [InlineData("syntax.desc", "target.desc", 2)]
    [InlineData("valid.desc", "syntax.desc", 2)]
    [InlineData("missing.desc", "target.desc", 2)]
    [InlineData("valid.desc", "empty-dir", 2)]
    [InlineData("valid.desc", "inventory.json#no-such-device", 2)]
    [InlineData("valid.desc", "inventory.json#0000:00:02.0/i915-GVTg_V5_1", 2)]
    [InlineData("valid.desc", "broken.json#x", 2)]
    public async Task Check_exits_0_when_live_1_when_not_and_2_on_unusable_input(string source, string target, int expected)
    {
        var result = await CliRunner.RunAsync("check", workspace.Path(source), workspace.Path(target));

        Assert.Equal(expected, result.ExitCode);
        if (expected == 2)
        {
            Assert.Equal(string.Empty, result.Stdout);
            Assert.Matches(@"(?m)^\S+:\d+:\d+: error MC[A-Z]*\d+: ", result.Stderr);
            Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        }
        else
        {
            Assert.StartsWith(expected == 0 ? "LIVE: " : "COLD: ", result.Stdout.Replace("NONE: ", "COLD: ", StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_live_verdict_prints_headline_bindings_dynamic_resources_and_the_accepting_block()
    {
        var result = await CliRunner.RunAsync("check", workspace.Path("valid.desc"), workspace.Path("target.desc"));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Empty, result.Stderr);
        Golden.Matches("check-live.txt", workspace.Normalize(result.Stdout));
    }

    [Fact]
    public async Task A_cold_verdict_names_the_binding_that_refused_the_source()
    {
        var result = await CliRunner.RunAsync("check", Repo.Path("docs/examples/seed-source-refused.desc"), Repo.Path("docs/examples/seed-target.desc"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("warning MC2004", result.Stderr, StringComparison.Ordinal);
        Golden.Matches("check-cold.txt", Repo.Relative(result.Stdout));
    }

    [Fact]
    public async Task A_none_verdict_says_the_device_api_differs()
    {
        var result = await CliRunner.RunAsync("check", workspace.Path("other-api.desc"), workspace.Path("target.desc"));

        Assert.Equal(1, result.ExitCode);
        Golden.Matches("check-none.txt", workspace.Normalize(result.Stdout));
    }

    [Fact]
    public async Task Json_output_of_a_refusal_has_level_reasons_bindings_and_blocks()
    {
        var result = await CliRunner.RunAsync("check", Repo.Path("docs/examples/seed-source-refused.desc"), Repo.Path("docs/examples/seed-target.desc"), "--format", "json");

        Assert.Equal(1, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.False(root.GetProperty("compatible").GetBoolean());
        Assert.Equal("cold", root.GetProperty("level").GetString());
        var reason = Assert.Single(root.GetProperty("reasons").EnumerateArray());
        Assert.Equal("BINDING_MISMATCH", reason.GetProperty("code").GetString());
        Assert.Equal("aggregator", reason.GetProperty("field").GetString());
        Assert.Equal("1", reason.GetProperty("source").GetString());
        Assert.Equal("2", reason.GetProperty("accepts").GetString());
        Assert.Equal(0, reason.GetProperty("block").GetInt32());
        Assert.Equal("4", root.GetProperty("bindings").GetProperty("val1").GetString());
        Assert.Equal("mdev_type", root.GetProperty("binding_sources").GetProperty("val1").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("accepted_block").ValueKind);
        var block = Assert.Single(root.GetProperty("blocks").EnumerateArray());
        Assert.False(block.GetProperty("accepted").GetBoolean());
        Assert.Equal("BINDING_MISMATCH", block.GetProperty("reasons")[0].GetProperty("code").GetString());
    }

    [Fact]
    public async Task Json_output_of_a_live_verdict_has_the_accepted_block_and_the_claimed_dynamic_resources()
    {
        var result = await CliRunner.RunAsync("check", "--format", "json", workspace.Path("valid.desc"), workspace.Path("target.desc"));

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.True(root.GetProperty("compatible").GetBoolean());
        Assert.Equal("live", root.GetProperty("level").GetString());
        Assert.Empty(root.GetProperty("reasons").EnumerateArray());
        Assert.Equal(0, root.GetProperty("accepted_block").GetInt32());
        Assert.Equal("2", root.GetProperty("dynamic_resources").GetProperty("aggregator").GetString());
        Assert.Equal("i915-GVTg_V5_4", root.GetProperty("bindings").GetProperty("t").GetString());
    }

    [Fact]
    public async Task Json_output_of_a_none_verdict_keeps_stdout_pure_json_and_warnings_on_stderr()
    {
        var result = await CliRunner.RunAsync("check", workspace.Path("warnings.desc"), workspace.Path("other-api.desc"), "--format", "json");

        Assert.Equal(1, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal("none", json.RootElement.GetProperty("level").GetString());
        Assert.Contains("DEVICE_API_MISMATCH", json.RootElement.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()));
        Assert.Contains("warning MC2004", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_inventory_id_lists_the_ids_that_exist()
    {
        var result = await CliRunner.RunAsync("check", workspace.Path("valid.desc"), workspace.Path("inventory.json#nope"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error MCC004: no device or creatable type 'nope'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(Workspace.MdevId, result.Stderr, StringComparison.Ordinal);
        Assert.Contains("0000:00:02.0/i915-GVTg_V5_8", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("i915-GVTg_V5_4", "i915-GVTg_V5_8", "none", "TYPE_NOT_ACCEPTED")]
    [InlineData("i915-GVTg_V5_4", "i915-GVTg_V5_4", "cold", "MIGRATION_UNSUPPORTED")]
    public async Task Per_type_sysfs_directories_are_named_by_their_directory_and_gvt_g_is_never_live(string source, string target, string level, string code)
    {
        foreach (var type in new[] { source, target }.Distinct())
        {
            workspace.Write($"sys/mdev_supported_types/{type}/device_api", "vfio-pci\n");
            workspace.Write($"sys/mdev_supported_types/{type}/name", type[5..] + "\n");
            workspace.Write($"sys/mdev_supported_types/{type}/available_instances", "1\n");
        }

        var result = await CliRunner.RunAsync("check", workspace.Path($"sys/mdev_supported_types/{source}/"), workspace.Path($"sys/mdev_supported_types/{target}"), "--format", "json");

        Assert.Equal(1, result.ExitCode);
        using var verdict = System.Text.Json.JsonDocument.Parse(result.Stdout);
        Assert.Equal(level, verdict.RootElement.GetProperty("level").GetString());
        Assert.Equal(code, verdict.RootElement.GetProperty("reasons")[0].GetProperty("code").GetString());
    }

    [Fact]
    public async Task Two_descriptors_stating_only_their_identity_are_cold_and_say_what_to_add()
    {
        workspace.Write("a.desc", "device_api=vfio-pci\nmdev_type=nvidia-63\n");
        var result = await CliRunner.RunAsync("check", workspace.Path("a.desc"), workspace.Path("a.desc"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Evidence: none", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("NO_EVIDENCE", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("migcompat rules list", result.Stdout, StringComparison.Ordinal);
    }
}
