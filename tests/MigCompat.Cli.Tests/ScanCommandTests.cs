using System.Text.Json;
using MigCompat.Cli.Tests.Support;

namespace MigCompat.Cli.Tests;

public sealed class ScanCommandTests : IDisposable
{
    private readonly Workspace workspace = new();

    public ScanCommandTests()
    {
        FakeSysfs.Build(workspace.Path("sys"));
        Directory.CreateDirectory(workspace.Path("profiles.d"));
    }

    public void Dispose() => workspace.Dispose();

    [Fact]
    public async Task Scan_prints_devices_and_creatable_types_as_tables()
    {
        var result = await CliRunner.RunAsync("scan", "--sysfs-root", workspace.Path("sys"), "--profiles", workspace.Path("profiles.d"), "--host", "gpu-node-07");

        Assert.Equal(0, result.ExitCode);
        Assert.EndsWith("migcompat scan: " + CountWarnings(result.Stderr) + "\n", result.Stderr, StringComparison.Ordinal);
        Golden.Matches("scan-table.txt", workspace.Normalize(result.Stdout));
    }

    [Fact]
    public async Task Scan_with_json_format_writes_an_inventory_that_check_can_read()
    {
        var result = await CliRunner.RunAsync("scan", "--sysfs-root", workspace.Path("sys"), "--profiles", workspace.Path("profiles.d"), "--host", "gpu-node-07", "--format", "json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal("gpu-node-07", root.GetProperty("host").GetString());
        var ids = root.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("id").GetString()).ToList();
        Assert.Contains(FakeSysfs.MdevUuid, ids);
        Assert.Contains("0000:3b:02.1", ids);
        Assert.Equal(2, root.GetProperty("creatable_types").GetArrayLength());

        workspace.Write("scanned.json", result.Stdout);
        var check = await CliRunner.RunAsync("check", workspace.Path("scanned.json#" + FakeSysfs.MdevUuid), workspace.Path("scanned.json#0000:00:02.0/i915-GVTg_V5_4"));
        Assert.Equal(0, check.ExitCode);
        var refused = await CliRunner.RunAsync("check", workspace.Path("scanned.json#" + FakeSysfs.MdevUuid), workspace.Path("scanned.json#0000:00:02.0/i915-GVTg_V5_8"));
        Assert.Equal(1, refused.ExitCode);
    }

    [Theory]
    [InlineData("no-such-root", null)]
    [InlineData("sys", "no-such-profiles")]
    public async Task Scan_exits_2_when_a_named_directory_does_not_exist(string root, string? profiles)
    {
        string[] args = profiles is null
            ? ["scan", "--sysfs-root", workspace.Path(root)]
            : ["scan", "--sysfs-root", workspace.Path(root), "--profiles", workspace.Path(profiles)];
        var result = await CliRunner.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Contains(": error MCC001: ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_lists_what_it_could_not_read_as_warnings_on_stderr()
    {
        workspace.Write("sys/bus/mdev/devices/broken", "not a link");
        Directory.CreateDirectory(workspace.Path("sys/bus/mdev/devices/11111111-2222-4333-8444-555555555555"));
        var result = await CliRunner.RunAsync("scan", "--sysfs-root", workspace.Path("sys"), "--profiles", workspace.Path("profiles.d"));

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"(?m)^\S+: warning MCS\d+: ", result.Stderr);
        Assert.DoesNotContain("migcompat scan: 0 warnings", result.Stderr, StringComparison.Ordinal);
    }

    private static string CountWarnings(string stderr)
    {
        var count = stderr.Split('\n').Count(l => l.Contains(": warning ", StringComparison.Ordinal));
        return count == 1 ? "1 warning" : $"{count} warnings";
    }
}
