using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using MigCompat.Fleet.Storage;
using MigCompat.Fleet.Storage.Sqlite;

namespace MigCompat.Fleet.Tests.Storage;

/// <summary>
/// "Committed data survives a crash (kill -9) and a restart": a child process
/// (<c>tests/MigCompat.Fleet.CrashChild</c>) writes to a SQLite store and prints every write after
/// it has committed; the test kills it with SIGKILL in the middle of its writes, reopens the store
/// and checks that every acknowledged write is there. This covers a process crash (what the OS has
/// been given survives); it cannot cut the power, so fsync itself is not tested here.
/// </summary>
public sealed class CrashDurabilityTests : IDisposable
{
    /// <summary>Generous: the child starts a .NET runtime and fsyncs every commit on a loaded machine.</summary>
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromMinutes(3);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "migcompat-crash-tests", Guid.NewGuid().ToString("N"));

    public static TheoryData<string, int> KillPoints => new()
    {
        { "right after the first acknowledged commits", 1 },
        { "after many acknowledged commits", 40 },
    };

    [Theory]
    [MemberData(nameof(KillPoints))]
    public async Task Every_acknowledged_commit_survives_a_kill_9_and_the_database_reopens_cleanly(string when, int commitsBeforeKill)
    {
        var ct = TestContext.Current.CancellationToken;
        Directory.CreateDirectory(_directory);
        var database = Path.Combine(_directory, "fleet.db");

        var acknowledged = await RunChildAndKillAsync(database, commitsBeforeKill, ct);

        var hostGenerations = acknowledged.Where(line => line[0] == "host").Select(line => long.Parse(line[1], CultureInfo.InvariantCulture)).ToList();
        var claims = acknowledged.Where(line => line[0] == "claim").Select(line => (Id: line[1], Key: line[2])).ToList();
        Assert.True(hostGenerations.Count >= commitsBeforeKill, $"{when}: the child acknowledged only {hostGenerations.Count} host writes");

        Assert.Equal("ok", await IntegrityCheckAsync(database, ct));
        await using var store = await SqliteFleetStore.OpenAsync(database, cancellationToken: ct);

        var host = await store.GetHostAsync("crash-host", ct);
        Assert.NotNull(host);
        Assert.NotNull(host.Inventory);
        Assert.True(host.Generation >= hostGenerations.Max(), $"{when}: generation {hostGenerations.Max()} was acknowledged, the store has {host.Generation}");
        Assert.Equal(host.Generation, (long)(host.Inventory.TakenAt - new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero)).TotalSeconds);
        foreach (var (id, key) in claims)
        {
            var claim = await store.GetClaimAsync(id, ct);
            Assert.True(claim is not null, $"{when}: acknowledged claim {id} ({key}) is missing after the crash");
            Assert.Equal(ClaimState.Pending, claim.State);
        }

        // The reopened store takes writes where the child left off.
        var next = await store.PutHostAsync(host.Inventory with { TakenAt = host.Inventory.TakenAt.AddSeconds(1) }, host.Generation, ct);
        Assert.Equal(host.Generation + 1, Assert.IsType<HostStored>(next).Generation);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>
    /// Starts the child, waits until it has acknowledged <paramref name="commits"/> host writes and
    /// as many claims, kills it with SIGKILL, and returns every complete line it acknowledged
    /// (including any still in the pipe when it died: those were printed after their commit too).
    /// </summary>
    private static async Task<List<string[]>> RunChildAndKillAsync(string database, int commits, CancellationToken ct)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(ChildAssembly());
        start.ArgumentList.Add(database);

        using var child = Process.Start(start) ?? throw new InvalidOperationException("the crash child did not start");
        var stderr = child.StandardError.ReadToEndAsync(ct);
        var lines = new List<string[]>();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ChildTimeout);
            int hosts = 0, claims = 0;
            while (hosts < commits || claims < commits)
            {
                var line = await child.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"the crash child exited early ({await ExitDescriptionAsync(child, stderr)})");
                if (Parse(line) is { } parsed)
                {
                    lines.Add(parsed);
                    hosts += parsed[0] == "host" ? 1 : 0;
                    claims += parsed[0] == "claim" ? 1 : 0;
                }
            }
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill(); // SIGKILL on Unix: no finalizers, no disposal, no chance to flush anything
            }
        }

        await child.WaitForExitAsync(ct);
        Assert.NotEqual(0, child.ExitCode);
        var rest = await child.StandardOutput.ReadToEndAsync(ct);
        var restLines = rest.Split('\n');

        // The last piece is complete only if a newline followed it.
        lines.AddRange(restLines.Take(restLines.Length - 1).Select(Parse).OfType<string[]>());
        return lines;
    }

    private static string[]? Parse(string line)
    {
        var parts = line.Trim().Split(' ');
        return parts switch
        {
            ["host", var generation] when long.TryParse(generation, CultureInfo.InvariantCulture, out _) => parts,
            ["claim", _, _] => parts,
            _ => null,
        };
    }

    private static async Task<string> ExitDescriptionAsync(Process child, Task<string> stderr)
    {
        await child.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return $"exit code {child.ExitCode}: {await stderr}";
    }

    private static async Task<string?> IntegrityCheckAsync(string database, CancellationToken ct)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return (string?)await command.ExecuteScalarAsync(ct);
    }

    /// <summary>The child's assembly: built next to this test assembly (same configuration and framework) by the project reference.</summary>
    private static string ChildAssembly()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var testsDirectory = testOutput.Parent.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(testsDirectory, "MigCompat.Fleet.CrashChild", "bin", configuration, framework, "MigCompat.Fleet.CrashChild.dll");
        Assert.True(File.Exists(path), $"the crash child is not built at {path}; build tests/MigCompat.Fleet.Tests (it references the child project)");
        return path;
    }
}
