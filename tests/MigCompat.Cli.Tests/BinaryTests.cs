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

    public static TheoryData<string, string[], int, string> ServeFailures => new()
    {
        { "a malformed --urls", ["--db", "{dir}/fleet.db", "--urls", "bogus"], 2, "'bogus' is not an address to listen on" },
        { "a database directory that does not exist", ["--db", "{dir}/missing/fleet.db", "--urls", "http://127.0.0.1:0"], 4, "does not exist" },
        { "an unreachable PostgreSQL", ["--db", "postgres://migcompat:x@127.0.0.1:1/fleet", "--urls", "http://127.0.0.1:0"], 4, "cannot open the fleet database" },
        { "a port in use", ["--db", "{dir}/fleet.db", "--urls", "http://{busy}"], 4, "address already in use" },
        { "an ftp --urls", ["--db", "{dir}/fleet.db", "--urls", "ftp://127.0.0.1:1"], 2, "is not an http:// or https:// address" },
        { "an unclosed IPv6 --urls", ["--db", "{dir}/fleet.db", "--urls", "http://[::1"], 2, "would listen on every interface" },
        { "a --urls with two ports", ["--db", "{dir}/fleet.db", "--urls", "http://127.0.0.1:80:80"], 2, "would listen on every interface" },
        { "a host name in --urls", ["--db", "{dir}/fleet.db", "--urls", "http://fleet.example:8080"], 2, "would listen on every interface" },
        { "a --urls naming no address", ["--db", "{dir}/fleet.db", "--urls", ";;"], 2, "names no address" },
        { "a read token that is the admin token and a space", ["--db", "{dir}/fleet.db", "--urls", "http://127.0.0.1:0", "--admin-token", "s3cret-admin", "--read-token", "s3cret-admin "], 2, "the read token" },
        { "an admin token with a newline", ["--db", "{dir}/fleet.db", "--urls", "http://127.0.0.1:0", "--admin-token", "s3cret-admin\nx"], 2, "the admin token" },
    };

    [Theory]
    [MemberData(nameof(ServeFailures))]
    public async Task Serve_that_cannot_start_says_why_in_one_line_without_a_stack_trace(string what, string[] args, int exitCode, string message)
    {
        using var workspace = new Workspace();
        using var busy = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        busy.Start();
        var substituted = args.Select(a => a.Replace("{dir}", workspace.Root, StringComparison.Ordinal).Replace("{busy}", busy.LocalEndpoint.ToString(), StringComparison.Ordinal));

        var (code, _, stderr) = await RunBinaryAsync(["serve", .. substituted]);

        Assert.True(code == exitCode, $"{what}: exit {code}\n{stderr}");
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(workspace.Path("missing")), "serve must not create the database's directory");
        Assert.DoesNotContain("s3cret", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => !line.StartsWith("serve: warning: ", StringComparison.Ordinal));
        if (exitCode == 2)
        {
            Assert.False(File.Exists(workspace.Path("fleet.db")), $"{what}: serve must not open the database for bad usage");
        }
    }

    [Fact]
    public async Task Serve_whose_hosts_cannot_be_loaded_listens_then_says_why_in_one_line_and_exits_4()
    {
        using var workspace = new Workspace();
        var database = workspace.Path("fleet.db");
        await (await MigCompat.Fleet.Storage.FleetStoreFactory.OpenAsync(database, cancellationToken: TestContext.Current.CancellationToken)).DisposeAsync();
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=False"))
        {
            // The store opens (every migration is applied), but reading the hosts fails.
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = """
                DROP TABLE hosts;
                CREATE VIEW hosts AS SELECT 'h' AS name, 1 AS generation, 0 AS drained, 0 AS updated_at_ms, 1 AS device_count, json_extract('{', '$') AS inventory_json;
                """;
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var (code, stdout, stderr) = await RunBinaryAsync(["serve", "--db", database, "--urls", "http://127.0.0.1:0"]);

        Assert.True(code == 4, $"exit {code}\n{stderr}");
        Assert.Empty(stdout);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => !line.StartsWith("serve: warning: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lines.Count);
        Assert.StartsWith("serve: listening on http://127.0.0.1:", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("serve: the server could not start: loading the hosts from the fleet database failed: ", lines[1], StringComparison.Ordinal);
        Assert.Contains("malformed JSON", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_servers_log_lines_read_like_the_commands_own_messages_without_a_logger_category()
    {
        using var workspace = new Workspace();

        var (code, _, stderr) = await RunBinaryAsync(["demo", "--once", "--hosts", "3", "--port", "0", "--db", workspace.Path("fleet.db")]);

        Assert.True(code == 0, $"exit {code}\n{stderr}");
        Assert.Contains("demo: fleet index rebuilt: 0 hosts searchable, 0 stored hosts not searchable\n", stderr, StringComparison.Ordinal);
        Assert.All(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.StartsWith("demo: ", line, StringComparison.Ordinal));
        Assert.DoesNotContain("MigCompat.", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunBinaryAsync(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "migcompat.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
