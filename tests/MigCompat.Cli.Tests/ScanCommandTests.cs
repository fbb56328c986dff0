using System.Text.Json;
using MigCompat.Cli.Tests.Support;

namespace MigCompat.Cli.Tests;

public sealed class ScanCommandTests : IDisposable
{
    private readonly Workspace workspace = new();

    public ScanCommandTests()
    {
        FakeSysfs.Build(workspace.Path("sys"));
        FakeSysfs.BuildProc(workspace.Path("proc"));
        Directory.CreateDirectory(workspace.Path("profiles.d"));
    }

    public void Dispose() => workspace.Dispose();

    [Fact]
    public async Task Scan_prints_devices_and_creatable_types_as_tables()
    {
        var result = await CliRunner.RunAsync("scan", "--sysfs-root", workspace.Path("sys"), "--profiles", workspace.Path("profiles.d"), "--proc-root", workspace.Path("proc"), "--host", "gpu-node-07");

        Assert.Equal(0, result.ExitCode);
        Assert.EndsWith("migcompat scan: " + CountWarnings(result.Stderr) + "\n", result.Stderr, StringComparison.Ordinal);
        Golden.Matches("scan-table.txt", workspace.Normalize(result.Stdout));
    }

    [Theory]
    [InlineData(new[] { "--label", "rack=a", "--label", "room=2/3" }, 0, "{\"rack\":\"a\",\"room\":\"2/3\"}", "")]
    [InlineData(new string[0], 0, null, "")]
    [InlineData(new[] { "--label", "rack" }, 2, null, "scan: --label 'rack' is not KEY=VALUE")]
    [InlineData(new[] { "--label", "rack a=1" }, 2, null, "scan: --label 'rack a=1' is not KEY=VALUE")]
    public async Task Scan_writes_the_labels_it_is_given_into_the_inventory_and_none_when_none(string[] labels, int exitCode, string? written, string error)
    {
        var result = await CliRunner.RunAsync(["scan", "--sysfs-root", workspace.Path("sys"), "--profiles", workspace.Path("profiles.d"), "--proc-root", workspace.Path("proc"), "--format", "json", .. labels]);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(error, result.Stderr, StringComparison.Ordinal);
        if (exitCode == 0)
        {
            using var json = JsonDocument.Parse(result.Stdout);
            Assert.Equal(written, json.RootElement.TryGetProperty("labels", out var found) ? JsonSerializer.Serialize(found) : null);
        }
        else
        {
            Assert.Empty(result.Stdout);
        }
    }

    [Fact]
    public async Task Scan_with_json_format_writes_an_inventory_that_check_can_read()
    {
        var result = await CliRunner.RunAsync("scan", "--sysfs-root", workspace.Path("sys"), "--profiles", workspace.Path("profiles.d"), "--proc-root", workspace.Path("proc"), "--host", "gpu-node-07", "--format", "json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal("gpu-node-07", root.GetProperty("host").GetString());
        var inUse = root.GetProperty("devices").EnumerateArray().ToDictionary(d => d.GetProperty("id").GetString()!, d => d.GetProperty("in_use").GetBoolean());
        Assert.Equal(new Dictionary<string, bool> { [FakeSysfs.MdevUuid] = true, ["0000:3b:02.1"] = false }, inUse);
        Assert.Equal(2, root.GetProperty("creatable_types").GetArrayLength());

        workspace.Write("scanned.json", result.Stdout);
        // Upstream GVT-g (i915) cannot migrate device state: the same type is only cold, another type none.
        var check = await CliRunner.RunAsync("check", workspace.Path("scanned.json#" + FakeSysfs.MdevUuid), workspace.Path("scanned.json#0000:00:02.0/i915-GVTg_V5_4"), "--format", "json");
        Assert.Equal(1, check.ExitCode);
        using var verdict = JsonDocument.Parse(check.Stdout);
        Assert.Equal("cold", verdict.RootElement.GetProperty("level").GetString());
        Assert.Equal(["MIGRATION_UNSUPPORTED", "MIGRATION_UNSUPPORTED"], verdict.RootElement.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()));
        var refused = await CliRunner.RunAsync("check", workspace.Path("scanned.json#" + FakeSysfs.MdevUuid), workspace.Path("scanned.json#0000:00:02.0/i915-GVTg_V5_8"), "--format", "json");
        Assert.Equal(1, refused.ExitCode);
        using var none = JsonDocument.Parse(refused.Stdout);
        Assert.Equal("none", none.RootElement.GetProperty("level").GetString());
    }

    [Theory]
    [InlineData("no-such-root", null, "proc")]
    [InlineData("sys", "no-such-profiles", "proc")]
    [InlineData("sys", "profiles.d", "no-such-proc")]
    public async Task Scan_exits_2_when_a_named_directory_does_not_exist(string root, string? profiles, string proc)
    {
        string[] args = profiles is null
            ? ["scan", "--sysfs-root", workspace.Path(root), "--proc-root", workspace.Path(proc)]
            : ["scan", "--sysfs-root", workspace.Path(root), "--profiles", workspace.Path(profiles), "--proc-root", workspace.Path(proc)];
        var result = await CliRunner.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Contains(": error MCC001: ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_exits_2_when_the_named_nvml_library_does_not_exist_and_takes_off()
    {
        var missing = await CliRunner.RunAsync("scan", "--sysfs-root", workspace.Path("sys"), "--proc-root", workspace.Path("proc"), "--nvml", workspace.Path("no-such/libnvidia-ml.so.1"));
        var off = await CliRunner.RunAsync("scan", "--sysfs-root", workspace.Path("sys"), "--proc-root", workspace.Path("proc"), "--nvml", "off");

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains(": error MCC001: the NVML library does not exist", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, off.ExitCode);
        Assert.DoesNotContain("MCS03", off.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_lists_what_it_could_not_read_as_warnings_on_stderr()
    {
        workspace.Write("sys/bus/mdev/devices/broken", "not a link");
        Directory.CreateDirectory(workspace.Path("sys/bus/mdev/devices/11111111-2222-4333-8444-555555555555"));
        var result = await CliRunner.RunAsync("scan", "--sysfs-root", workspace.Path("sys"), "--profiles", workspace.Path("profiles.d"), "--proc-root", workspace.Path("proc"));

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"(?m)^\S+: warning MCS\d+: ", result.Stderr);
        Assert.DoesNotContain("migcompat scan: 0 warnings", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_reports_why_it_cannot_tell_which_devices_are_in_use_and_shows_them_as_unknown()
    {
        // A process whose open files cannot be listed (its fd is no directory: unreadable even for root).
        workspace.Write("proc/4243/fd", string.Empty);
        var result = await CliRunner.RunAsync("scan", "--sysfs-root", workspace.Path("sys"), "--profiles", workspace.Path("profiles.d"), "--proc-root", workspace.Path("proc"), "--format", "json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var devices = json.RootElement.GetProperty("devices").EnumerateArray().ToDictionary(d => d.GetProperty("id").GetString()!);
        Assert.True(devices[FakeSysfs.MdevUuid].GetProperty("in_use").GetBoolean());
        Assert.False(devices["0000:3b:02.1"].TryGetProperty("in_use", out _));
        Assert.Contains("proc/4243/fd: warning MCS013: cannot read the open files of 1 process of 3 (", workspace.Normalize(result.Stderr), StringComparison.Ordinal);
        Assert.EndsWith("migcompat scan: 1 warning\n", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_help_names_the_proc_root_option()
    {
        var result = await CliRunner.RunAsync("scan", "--help");

        Assert.Contains("--proc-root <DIR>", result.Stdout, StringComparison.Ordinal);
    }

    private static string CountWarnings(string stderr)
    {
        var count = stderr.Split('\n').Count(l => l.Contains(": warning ", StringComparison.Ordinal));
        return count == 1 ? "1 warning" : $"{count} warnings";
    }
}
