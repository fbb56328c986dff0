using System.CommandLine;
using System.Net;
using System.Text.Json;
using MigCompat.Cli.Commands;
using MigCompat.Cli.Fleet;
using Microsoft.Extensions.DependencyInjection;
using MigCompat.Fleet.Storage;
using MigCompat.Server.Http;
using MigCompat.Server.Tests.Http;

namespace MigCompat.Server.Tests.Cli;

public sealed class FleetCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Demo_once_serves_a_generated_fleet_prints_a_ranked_table_for_one_of_its_vms_and_exits_0_without_commands_for_a_server_that_stopped()
    {
        var (code, stdout, stderr) = await RunAsync("demo", "--once", "--hosts", "30", "--port", "0");

        Assert.True(code == 0, stderr);
        Assert.Matches(@"^Targets for VM vm-\S+ on host-\d+ \(", stdout);
        Assert.Contains("\nVM vm-", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("curl", stdout, StringComparison.Ordinal);
        Assert.Contains("the server stops now", stderr, StringComparison.Ordinal);
        Assert.Contains("candidate(s) shown of", stdout, StringComparison.Ordinal);
        Assert.Contains("stored 30 of 30", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_once_pushes_a_scan_and_targets_reads_it_back_over_loopback()
    {
        using var directory = new TempDirectory();
        var sysfs = Directory.CreateDirectory(Path.Combine(directory.Path, "sys")).FullName;
        await using var server = await LoopbackServer.StartAsync(Path.Combine(directory.Path, "fleet.db"));

        var first = await RunAsync("agent", "--server", server.Url, "--token", FleetTestServer.AgentA, "--once", "--sysfs-root", sysfs, "--profiles", directory.Path, "--host", "host-a");
        var second = await RunAsync("agent", "--server", server.Url, "--token", FleetTestServer.AgentA, "--once", "--sysfs-root", sysfs, "--profiles", directory.Path, "--host", "host-a");
        var forbidden = await RunAsync("agent", "--server", server.Url, "--token", FleetTestServer.AgentB, "--once", "--sysfs-root", sysfs, "--profiles", directory.Path, "--host", "host-a");
        var targets = await RunAsync("targets", "--server", server.Url, "--token", FleetTestServer.ReadToken, "--from", "host-a", "--device", "no-such-device", "--format", "json");

        Assert.True(first.Code == 0, first.Stderr);
        Assert.Contains("generation 1", first.Stderr, StringComparison.Ordinal);
        Assert.True(second.Code == 0, second.Stderr);
        Assert.Contains("generation 2", second.Stderr, StringComparison.Ordinal);
        Assert.Equal(FleetExitCodes.ServerFailed, forbidden.Code);
        Assert.Contains("403", forbidden.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, targets.Code);
        Assert.Empty(targets.Stdout);
        Assert.Contains("no-such-device", targets.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("host\na")]
    [InlineData("host a")]
    [InlineData("host\u200ba")]
    [InlineData("hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh")]
    public async Task Agent_refuses_a_host_name_the_server_would_refuse_with_exit_2_before_scanning_or_pushing(string name)
    {
        using var directory = new TempDirectory();
        var sysfs = Directory.CreateDirectory(Path.Combine(directory.Path, "sys")).FullName;
        await using var server = await LoopbackServer.StartAsync(Path.Combine(directory.Path, "fleet.db"));

        var (code, stdout, stderr) = await RunAsync("agent", "--server", server.Url, "--token", FleetTestServer.AdminToken, "--once", "--attempts", "1", "--sysfs-root", sysfs, "--profiles", directory.Path, "--host", name);

        Assert.True(code == 2, stderr);
        Assert.Empty(stdout);
        Assert.StartsWith("agent: the host name ", stderr, StringComparison.Ordinal);
        Assert.Contains("give --host NAME", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var hosts = await RunAsync("hosts", "list", "--server", server.Url, "--token", FleetTestServer.ReadToken, "--format", "json");
        Assert.Equal(0, JsonDocument.Parse(hosts.Stdout).RootElement.GetProperty("count").GetInt32());
    }

    [Theory]
    [InlineData("host-b", 0, "Host host-b: live")]
    [InlineData("host-c", 1, "Host host-c: rejected (INSUFFICIENT_CAPACITY: 1)")]
    [InlineData("host-a", 1, "Host host-a: source (SOURCE_HOST: 1)")]
    public async Task Targets_explain_answers_for_one_host_with_every_devices_verdict_there(string explained, int exitCode, string headline)
    {
        using var directory = new TempDirectory();
        await using var server = await LoopbackServer.StartAsync(Path.Combine(directory.Path, "fleet.db"));
        using var client = new HttpClient { BaseAddress = new Uri(server.Url) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", FleetTestServer.AdminToken);
        foreach (var (name, free) in new[] { ("host-a", 4), ("host-b", 4), ("host-c", 0) })
        {
            using var content = new StringContent(TestInventories.Json(TestInventories.Host(name, free)), System.Text.Encoding.UTF8, "application/json");
            (await client.PutAsync("/v1/hosts/" + name, content, Ct)).EnsureSuccessStatusCode();
        }

        var (code, stdout, stderr) = await RunAsync("targets", "--server", server.Url, "--token", FleetTestServer.ReadToken, "--from", "host-a", "--device", TestInventories.SourceDevice, "--explain", explained);

        Assert.True(code == exitCode, stderr + stdout);
        Assert.Contains(headline, stdout, StringComparison.Ordinal);
        Assert.Contains("DEVICE", stdout, StringComparison.Ordinal);
        Assert.Contains("EVIDENCE", stdout, StringComparison.Ordinal);
        Assert.Contains("NOT CHOSEN", stdout, StringComparison.Ordinal);
        Assert.Contains("host-c", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("device")]
    [InlineData("domain-xml")]
    [InlineData("descriptor")]
    public async Task Targets_takes_the_vms_devices_by_id_from_a_domain_xml_or_as_descriptors(string how)
    {
        using var directory = new TempDirectory();
        await using var server = await LoopbackServer.StartAsync(Path.Combine(directory.Path, "fleet.db"));
        using (var client = new HttpClient { BaseAddress = new Uri(server.Url) })
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", FleetTestServer.AdminToken);
            foreach (var name in new[] { "host-a", "host-b" })
            {
                using var content = new StringContent(TestInventories.Json(TestInventories.Host(name)), System.Text.Encoding.UTF8, "application/json");
                (await client.PutAsync("/v1/hosts/" + name, content, Ct)).EnsureSuccessStatusCode();
            }
        }

        var domain = Path.Combine(directory.Path, "vm.xml");
        await File.WriteAllTextAsync(domain, $"""
            <domain type='kvm'><name>vm-1</name><devices>
              <hostdev mode='subsystem' type='mdev' model='vfio-pci'><source><address uuid='{TestInventories.SourceDevice}'/></source></hostdev>
            </devices></domain>
            """, Ct);
        var descriptor = Path.Combine(directory.Path, "vgpu.desc");
        await File.WriteAllTextAsync(descriptor, $"device_api=vfio-pci\nmdev_type={TestInventories.Type}\nsoftware_version=1.2.0\n", Ct);
        string[] devices = how switch
        {
            "device" => ["--from", "host-a", "--device", TestInventories.SourceDevice],
            "domain-xml" => ["--from", "host-a", "--domain-xml", domain],
            _ => ["--descriptor", descriptor],
        };

        var (code, stdout, stderr) = await RunAsync(["targets", "--server", server.Url, "--token", FleetTestServer.ReadToken, "--format", "json", .. devices]);

        Assert.True(code == 0, stderr);
        var hosts = JsonDocument.Parse(stdout).RootElement.GetProperty("candidates").EnumerateArray().Select(c => c.GetProperty("host").GetString()).ToList();
        Assert.Equal(how == "descriptor" ? ["host-a", "host-b"] : ["host-b"], hosts.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Targets_without_devices_or_with_ids_but_no_source_host_is_refused_with_what_to_give()
    {
        var none = await RunAsync("targets", "--server", "http://127.0.0.1:9");
        var noFrom = await RunAsync("targets", "--server", "http://127.0.0.1:9", "--device", "x");

        Assert.Equal((2, 2), (none.Code, noFrom.Code));
        Assert.Contains("--device ID", none.Stderr, StringComparison.Ordinal);
        Assert.Contains("--from HOST", noFrom.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hosts_and_claims_commands_list_show_drain_claim_confirm_release_and_delete_over_loopback()
    {
        using var directory = new TempDirectory();
        await using var server = await LoopbackServer.StartAsync(Path.Combine(directory.Path, "fleet.db"));
        using (var client = new HttpClient { BaseAddress = new Uri(server.Url) })
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", FleetTestServer.AdminToken);
            using var content = new StringContent(TestInventories.Json(TestInventories.Host("host-b", 4)), System.Text.Encoding.UTF8, "application/json");
            (await client.PutAsync("/v1/hosts/host-b", content, Ct)).EnsureSuccessStatusCode();
        }

        string[] Admin(params string[] args) => [.. args, "--server", server.Url, "--token", FleetTestServer.AdminToken];
        var list = await RunAsync(Admin("hosts", "list"));
        var drained = await RunAsync(Admin("hosts", "drain", "host-b"));
        var shown = await RunAsync(Admin("hosts", "show", "host-b"));
        var undrained = await RunAsync(Admin("hosts", "undrain", "host-b"));
        var created = await RunAsync(Admin("claims", "create", "host-b", "--resource", TestInventories.TypeKey + "=2", "--format", "json"));
        Assert.True(created.Code == 0, created.Stderr);
        var id = JsonDocument.Parse(created.Stdout).RootElement.GetProperty("claim").GetProperty("id").GetString()!;
        var confirmed = await RunAsync(Admin("claims", "confirm", id));
        var claimedShown = await RunAsync(Admin("hosts", "show", "host-b"));
        var released = await RunAsync(Admin("claims", "release", id));
        var unknown = await RunAsync(Admin("claims", "show", "no-such-claim"));
        var deleted = await RunAsync(Admin("hosts", "delete", "host-b"));
        var gone = await RunAsync(Admin("hosts", "show", "host-b"));

        Assert.True(list.Code == 0, list.Stderr);
        Assert.Contains("host-b", list.Stdout, StringComparison.Ordinal);
        Assert.Contains("host-b: drained", drained.Stdout, StringComparison.Ordinal);
        Assert.Contains("Host host-b: generation 1, drained", shown.Stdout, StringComparison.Ordinal);
        Assert.Contains(TestInventories.TypeKey, shown.Stdout, StringComparison.Ordinal);
        Assert.Contains("host-b: not drained", undrained.Stdout, StringComparison.Ordinal);
        Assert.True(created.Code == 0, created.Stderr);
        Assert.Contains("confirmed", confirmed.Stdout, StringComparison.Ordinal);
        Assert.Matches(TestInventories.TypeKey.Replace(".", "\\.", StringComparison.Ordinal) + @"\s+4\s+2\s+2", claimedShown.Stdout);
        Assert.Contains("released", released.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, unknown.Code);
        Assert.Contains("404", unknown.Stderr, StringComparison.Ordinal);
        Assert.True(deleted.Code == 0, deleted.Stderr);
        Assert.Equal(2, gone.Code);
    }

    [Fact]
    public async Task Agent_once_prints_the_scans_warnings_and_exits_2_when_a_profile_is_not_used_after_storing_the_inventory()
    {
        using var directory = new TempDirectory();
        var sysfs = Directory.CreateDirectory(Path.Combine(directory.Path, "sys")).FullName;
        var profiles = Directory.CreateDirectory(Path.Combine(directory.Path, "profiles.d")).FullName;
        await File.WriteAllTextAsync(Path.Combine(profiles, "gpu.profile"), "[profile\nthis is not a profile\n", Ct);
        await using var server = await LoopbackServer.StartAsync(Path.Combine(directory.Path, "fleet.db"));

        var (code, _, stderr) = await RunAsync("agent", "--server", server.Url, "--token", FleetTestServer.AgentA, "--once", "--sysfs-root", sysfs, "--profiles", profiles, "--host", "host-a");

        Assert.True(code == 2, stderr);
        Assert.Contains("warning MCS020", stderr, StringComparison.Ordinal);
        Assert.Contains("gpu.profile", stderr, StringComparison.Ordinal);
        Assert.Contains("is not used", stderr, StringComparison.Ordinal);
        Assert.Contains("generation 1", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "targets", "--server", "not a url", "--from", "h", "--device", "d" }, 2)]
    [InlineData(new[] { "agent", "--server", "http://127.0.0.1:9", "--token", "t", "--interval", "soon" }, 2)]
    [InlineData(new[] { "demo", "--hosts", "0" }, 2)]
    public async Task Bad_usage_exits_2_with_a_message_on_stderr(string[] args, int expected)
    {
        var (code, stdout, stderr) = await RunAsync(args);

        Assert.Equal(expected, code);
        Assert.Empty(stdout);
        Assert.NotEmpty(stderr);
    }

    [Theory]
    [InlineData(1, 0.0, 0.5)]
    [InlineData(1, 1.0, 1.0)]
    [InlineData(3, 1.0, 4.0)]
    [InlineData(30, 1.0, 120.0)]
    [InlineData(30, 0.0, 60.0)]
    public void Retry_delays_grow_exponentially_with_jitter_up_to_two_minutes(int attempt, double jitter, double expectedSeconds) =>
        Assert.Equal(expectedSeconds, HostAgent.RetryDelay(attempt, jitter).TotalSeconds, 3);

    [Theory]
    [InlineData("60s", 60)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("90", 90)]
    [InlineData("00:02:00", 120)]
    public void Durations_are_read_in_seconds_minutes_or_hours(string text, double seconds)
    {
        Assert.True(DurationText.TryParse(text, out var duration));
        Assert.Equal(seconds, duration.TotalSeconds);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("21")]
    public async Task Agent_refuses_attempts_out_of_range(string attempts)
    {
        var (code, stdout, stderr) = await RunAsync("agent", "--server", "http://127.0.0.1:9", "--token", "t", "--once", "--attempts", attempts);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("--attempts", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_once_waits_for_a_starting_server_as_its_retry_after_asks_without_using_up_attempts()
    {
        using var directory = new TempDirectory();
        var database = Path.Combine(directory.Path, "fleet.db");
        await using (var first = await FleetTestServer.StartAsync(database))
        {
            Assert.Equal(HttpStatusCode.Created, (await first.PutHostAsync(TestInventories.Host("host-b", 1))).StatusCode);
        }

        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = MigCompatServer.CreateBuilder(new ServerOptions
        {
            Database = database,
            Urls = "http://127.0.0.1:0",
            AdminToken = FleetTestServer.AdminToken,
            AgentTokens = ServerOptions.ParseAgentTokens($"host-a={FleetTestServer.AgentA}"),
        });
        builder.Services.AddSingleton<FleetStoreOpener>(async (options, ct) =>
            StartupTests.HeldStore.Wrap(await FleetStoreFactory.OpenAsync(options.Database, options.TimeProvider, ct), release.Task, failure: null));
        await using var app = MigCompatServer.BuildApp(builder);
        await app.StartAsync(Ct);
        var url = FleetHosting.Addresses(app)[0];
        var sysfs = Path.Combine(directory.Path, "sys");
        Directory.CreateDirectory(sysfs);

        var agent = RunAsync("agent", "--server", url, "--token", FleetTestServer.AgentA, "--once", "--attempts", "1", "--sysfs-root", sysfs, "--host", "host-a");
        await Task.Delay(TimeSpan.FromSeconds(3), Ct);
        Assert.False(agent.IsCompleted, "the agent gave up on a starting server");
        release.SetResult();
        var (code, _, stderr) = await agent;

        Assert.True(code == 0, stderr);
        Assert.Contains("HTTP 503", stderr, StringComparison.Ordinal);
        Assert.Contains("Retry-After", stderr, StringComparison.Ordinal);
        Assert.Contains("stored the inventory of host 'host-a'", stderr, StringComparison.Ordinal);
        await app.StopAsync(Ct);
    }

    [Fact]
    public async Task Agent_once_with_one_attempt_gives_up_at_the_first_failure_with_exit_4()
    {
        using var directory = new TempDirectory();

        var (code, _, stderr) = await RunAsync("agent", "--server", "http://127.0.0.1:9", "--token", "t", "--once", "--attempts", "1", "--sysfs-root", directory.Path, "--host", "host-a");

        Assert.Equal(4, code);
        Assert.DoesNotContain("retrying", stderr, StringComparison.Ordinal);
        Assert.Contains("was not stored", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("7d", 7 * 86400.0)]
    [InlineData("36h", 36 * 3600.0)]
    [InlineData("1.5d", 1.5 * 86400.0)]
    [InlineData("2.00:00:00", 2 * 86400.0)]
    public void Long_durations_are_read_up_to_the_maximum_given(string text, double seconds)
    {
        Assert.True(DurationText.TryParse(text, TimeSpan.FromDays(3650), out var duration));
        Assert.Equal(seconds, duration.TotalSeconds);
    }

    [Theory]
    [InlineData("2d")]
    [InlineData("25h")]
    [InlineData("2.00:00:00")]
    [InlineData("0s")]
    [InlineData("-5m")]
    [InlineData("soon")]
    [InlineData("")]
    public void An_interval_beyond_a_day_or_not_positive_is_refused(string text) =>
        Assert.False(DurationText.TryParse(text, out _));

    internal static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var root = new RootCommand();
        foreach (var command in FleetCommands.Create().Concat(FleetAdminCommands.Create()))
        {
            root.Subcommands.Add(command);
        }

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr }, Ct);
        return (code, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>The fleet server on 127.0.0.1 with a free port, for the commands that speak HTTP.</summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly Microsoft.AspNetCore.Builder.WebApplication app;

    private LoopbackServer(Microsoft.AspNetCore.Builder.WebApplication app, string url)
    {
        this.app = app;
        Url = url;
    }

    public string Url { get; }

    public static async Task<LoopbackServer> StartAsync(string database)
    {
        var options = new ServerOptions
        {
            Database = database,
            Urls = "http://127.0.0.1:0",
            AdminToken = FleetTestServer.AdminToken,
            ReadToken = FleetTestServer.ReadToken,
            AgentTokens = ServerOptions.ParseAgentTokens($"host-a={FleetTestServer.AgentA};host-b={FleetTestServer.AgentB}"),
        };
        var app = await FleetHosting.StartAsync(options, "serve", TestContext.Current.CancellationToken);
        await MigCompatServer.WhenReadyAsync(app, TestContext.Current.CancellationToken);
        return new LoopbackServer(app, FleetHosting.Addresses(app)[0]);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }
}
