using System.Text.Json;
using MigCompat.Cli.Tests.Support;

namespace MigCompat.Cli.Tests;

public sealed class RulesCommandTests : IDisposable
{
    private const string MttyTypes = """
        [
          {
            "mtty": [
              { "mtty-1": { "available_instances": 18, "device_api": "vfio-pci", "name": "Single port serial" } },
              { "mtty-2": { "available_instances": 9, "device_api": "vfio-pci", "name": "Dual port serial" } }
            ]
          }
        ]
        """;

    private readonly Workspace workspace = new();

    public void Dispose() => workspace.Dispose();

    [Fact]
    public async Task Rules_list_prints_every_shipped_pack_as_a_table()
    {
        var result = await CliRunner.RunAsync("rules", "list", "--rules", workspace.Path("none-here"));
        Assert.Equal(2, result.ExitCode);

        workspace.Write("rules.d/README", "not a pack");
        var listed = await CliRunner.RunAsync("rules", "list", "--rules", workspace.Path("rules.d"));
        Assert.Equal(0, listed.ExitCode);
        Golden.Matches("rules-list.txt", listed.Stdout);
    }

    [Fact]
    public async Task Rules_show_prints_one_pack_with_its_sources_in_json()
    {
        var result = await CliRunner.RunAsync("rules", "show", "nvidia-vgpu", "--format", "json");
        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal("nvidia-vgpu", json.RootElement.GetProperty("name").GetString());
        Assert.True(json.RootElement.GetProperty("migrates").GetBoolean());
        Assert.NotEmpty(json.RootElement.GetProperty("sources").EnumerateArray());
        Assert.Contains("rule.vgpu_version=within vgpu_range", json.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rules_show_of_an_unknown_pack_exits_2_and_names_the_packs()
    {
        var result = await CliRunner.RunAsync("rules", "show", "nvidai-vgpu");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no rule pack 'nvidai-vgpu'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("nvidia-vgpu", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task A_broken_operator_pack_is_reported_with_its_position_and_the_listing_fails()
    {
        workspace.Write("rules.d/ours.rules", "[pack]\nname = ours\nversion = 1\ndriver = x\nmigrates = perhaps\nsource = s\n[descriptor]\nSELF:\n  a=1\n");
        var result = await CliRunner.RunAsync("rules", "list", "--rules", workspace.Path("rules.d"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("ours.rules:5:1: warning MCS023", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_operator_pack_replaces_the_shipped_one_of_its_name_in_scan_import_and_listing()
    {
        workspace.Write("rules.d/mtty.rules", "[pack]\nname = mtty\nversion = 7\ndriver = mtty\nmigrates = no\nsource = our lab\n");
        workspace.Write("types.json", MttyTypes);
        var listed = await CliRunner.RunAsync("rules", "list", "--rules", workspace.Path("rules.d"), "--format", "json");
        Assert.Equal(0, listed.ExitCode);
        using var packs = JsonDocument.Parse(listed.Stdout);
        Assert.Equal(7, packs.RootElement.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "mtty").GetProperty("version").GetInt32());

        var imported = await CliRunner.RunAsync("import", "mdevctl-types", workspace.Path("types.json"), "--rules", workspace.Path("rules.d"), "--format", "json");
        Assert.Equal(0, imported.ExitCode);
        Assert.Contains("\"migration.capable\": \"no\"", imported.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_completes_mdevctl_types_with_the_rule_pack_of_their_driver_so_check_can_vouch()
    {
        workspace.Write("types.json", MttyTypes);
        var imported = await CliRunner.RunAsync("import", "mdevctl-types", workspace.Path("types.json"), "--host", "lab", "--format", "json");
        Assert.Equal(0, imported.ExitCode);
        workspace.Write("inventory.json", imported.Stdout);

        var same = await CliRunner.RunAsync("check", workspace.Path("inventory.json#mtty/mtty-2"), workspace.Path("inventory.json#mtty/mtty-2"), "--format", "json");
        Assert.Equal(0, same.ExitCode);
        using var verdict = JsonDocument.Parse(same.Stdout);
        Assert.Equal("rule-pack", verdict.RootElement.GetProperty("evidence").GetProperty("kind").GetString());

        var other = await CliRunner.RunAsync("check", workspace.Path("inventory.json#mtty/mtty-2"), workspace.Path("inventory.json#mtty/mtty-1"));
        Assert.Equal(1, other.ExitCode);
    }

    [Fact]
    public async Task Import_applies_an_operator_profile_as_a_scan_does()
    {
        workspace.Write("types.json", MttyTypes);
        workspace.Write("profiles.d/10-mtty.profile", "[match]\ntype = mtty-2\n[descriptor]\nSELF:\n  software_version=2.1.0\n");
        var imported = await CliRunner.RunAsync("import", "mdevctl-types", workspace.Path("types.json"), "--profiles", workspace.Path("profiles.d"), "--format", "json");
        Assert.Equal(0, imported.ExitCode);
        Assert.Contains("\"software_version\": \"2.1.0\"", imported.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"migration.evidence\": \"profile " + workspace.Path("profiles.d/10-mtty.profile"), imported.Stdout, StringComparison.Ordinal);
    }
}
