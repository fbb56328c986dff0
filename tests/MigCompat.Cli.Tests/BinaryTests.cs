using System.Diagnostics;
using MigCompat.Cli.Tests.Support;

namespace MigCompat.Cli.Tests;

public sealed class BinaryTests
{
    [Fact]
    public async Task The_built_migcompat_binary_checks_the_seed_example_with_exit_code_0_and_json_on_stdout()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "migcompat.dll");
        Assert.True(File.Exists(dll), $"{dll} not found next to the tests");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "exec", dll, "check", Repo.Path("docs/examples/seed-source.desc"), Repo.Path("docs/examples/seed-target.desc"), "--format", "json" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(0, process.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(await stdout);
        Assert.Equal("live", json.RootElement.GetProperty("level").GetString());
        Assert.Contains("warning MC2004", await stderr, StringComparison.Ordinal);
    }
}
