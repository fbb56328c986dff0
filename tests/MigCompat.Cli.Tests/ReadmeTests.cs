using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MigCompat.Cli.Tests.Support;

namespace MigCompat.Cli.Tests;

/// <summary>
/// The README's "Use" section runs as written: every shell block, with <c>dotnet run --project src/MigCompat.Cli --</c>
/// standing for the built binary (the same program without the build) and the fleet's port 8080 for a free one.
/// A block that starts a server ("terminal 1") runs in the background while the next block ("terminal 2") runs.
/// </summary>
public sealed partial class ReadmeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_command_of_the_readmes_use_section_runs_as_written()
    {
        var blocks = UseBlocks();
        Assert.True(blocks.Count >= 2, "the README's Use section has shell blocks");
        var port = FreePort();
        var workspace = Directory.CreateTempSubdirectory("migcompat-readme-").FullName;
        try
        {
            Process? server = null;
            foreach (var block in blocks)
            {
                var script = Prepare(block, port, workspace);
                if (block.Contains("# terminal 1", StringComparison.Ordinal))
                {
                    server = Start(script);
                    await WaitForAsync($"http://127.0.0.1:{port}/healthz");
                    continue;
                }

                var (code, output) = await RunAsync(script);
                Assert.True(code == 0, $"README block failed (exit {code}):\n{block}\n--- output ---\n{output}");
            }

            server?.Kill(entireProcessTree: true);
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
        }
    }

    /// <summary>The ```sh blocks between "## Use" and the next section.</summary>
    private static List<string> UseBlocks()
    {
        var readme = File.ReadAllText(Repo.Path("README.md"));
        var start = readme.IndexOf("\n## Use", StringComparison.Ordinal);
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return [.. ShellBlock().Matches(readme[start..end]).Select(m => m.Groups[1].Value)];
    }

    /// <summary>
    /// The block as a bash script: the built binary for <c>dotnet run</c>, the free port for 8080, the database in a temp
    /// directory; a command's exit code 1 is "not compatible / no target" (documented), anything above fails the block.
    /// </summary>
    private static string Prepare(string block, int port, string workspace)
    {
        var binary = $"dotnet exec {Path.Combine(AppContext.BaseDirectory, "migcompat.dll")}";
        var lines = block.Split('\n')
            .Select(line => line.Replace("dotnet run --project src/MigCompat.Cli --", binary, StringComparison.Ordinal)
                .Replace("127.0.0.1:8080", $"127.0.0.1:{port}", StringComparison.Ordinal)
                .Replace("--db fleet.db", $"--db {workspace}/fleet.db", StringComparison.Ordinal))
            .Select(line => line.StartsWith("dotnet exec ", StringComparison.Ordinal) || line.StartsWith("MIGCOMPAT_", StringComparison.Ordinal) && line.Contains(" dotnet exec ", StringComparison.Ordinal)
                ? $"{line} >/dev/null || {{ code=$?; [ $code -eq 1 ] || exit $code; }}"
                : line);
        return "set -u\n" + string.Join('\n', lines);
    }

    private static Process Start(string script)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = Repo.Root, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync(Ct);
        _ = process.StandardError.ReadToEndAsync(Ct);
        return process;
    }

    private static async Task<(int Code, string Output)> RunAsync(string script)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = Repo.Root, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static async Task WaitForAsync(string url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 120; attempt++)
        {
            try
            {
                using var response = await client.GetAsync(url, Ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!Ct.IsCancellationRequested)
            {
            }

            await Task.Delay(500, Ct);
        }

        Assert.Fail($"the README's server did not answer at {url}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();
}
