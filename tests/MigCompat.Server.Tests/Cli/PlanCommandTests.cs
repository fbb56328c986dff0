using System.CommandLine;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using MigCompat.Cli.Commands;
using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Planning;
using MigCompat.Server.Contracts;
using MigCompat.Server.Tests.Http;

namespace MigCompat.Server.Tests.Cli;

public sealed class PlanCommandTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A host whose VM <c>NAME-vm</c> uses its in-use GVT-g test device; the type has <paramref name="free"/> instances at <paramref name="version"/>.</summary>
    private static HostInventory Host(string name, int free, string version = "1.2.0")
    {
        var fields = new DescriptorFields([new("device_api", "vfio-pci"), new("mdev_type", TestInventories.Type), new("software_version", version)], [], [], DescriptorOrigin.Profile, "test");
        var host = TestInventories.Host(name, free, fields);
        return host with { Guests = [new InventoryGuest(name + "-vm", null, [TestInventories.SourceDevice])] };
    }

    [Fact]
    public async Task Plan_upgrade_plans_over_the_stored_fleet_and_plan_verify_says_which_moves_a_drain_broke()
    {
        using var directory = new TempDirectory();
        await using var server = await LoopbackServer.StartAsync(Path.Combine(directory.Path, "fleet.db"));
        using var client = Client(server.Url, FleetTestServer.AdminToken);
        foreach (var inventory in new[] { Host("host-a", 2), Host("host-b", 2), Host("host-c", 0) })
        {
            using var content = new StringContent(TestInventories.Json(inventory), Encoding.UTF8, "application/json");
            (await client.PutAsync("/v1/hosts/" + inventory.Host, content, Ct)).EnsureSuccessStatusCode();
        }

        var after = Path.Combine(directory.Path, "host-a-after.json");
        await File.WriteAllTextAsync(after, TestInventories.Json(Host("host-a", 3, "1.3.0") with { Guests = [] }), Ct);
        var planFile = Path.Combine(directory.Path, "plan.json");
        var common = new[] { "--server", server.Url, "--token", FleetTestServer.AdminToken };

        var table = await RunAsync(["plan", "upgrade", "--hosts", "host-a", "--replace", after, .. common]);
        var json = await RunAsync(["plan", "upgrade", "--hosts", "host-a", "--replace", after, "--format", "json", .. common]);
        await File.WriteAllTextAsync(planFile, json.Stdout, Ct);
        var holds = await RunAsync(["plan", "verify", planFile, .. common]);
        (await client.PostAsync("/v1/hosts/host-b/drain", null, Ct)).EnsureSuccessStatusCode();
        var broken = await RunAsync(["plan", "verify", planFile, .. common]);

        Assert.True(table.Code == 0, table.Stderr + table.Stdout);
        Assert.Contains("host-a-vm  host-a  host-b  live", table.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, json.Code);
        using var plan = JsonDocument.Parse(json.Stdout);
        Assert.Equal("host-b", plan.RootElement.GetProperty("waves")[0].GetProperty("moves")[0].GetProperty("to").GetString());
        Assert.True(holds.Code == 0, holds.Stderr + holds.Stdout);
        Assert.Contains("All 1 moves still hold", holds.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, broken.Code);
        Assert.Contains("the target host-b is drained", broken.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(FleetTestServer.ReadToken, """{"hosts":["host-a"],"drivers":[{"driver":"i915","version":"6.12.0"}]}""", HttpStatusCode.Forbidden, "scheduler token or the admin token")]
    [InlineData(FleetTestServer.SchedulerToken, """{"hosts":["nowhere-*"],"drivers":[{"driver":"i915","version":"6.12.0"}]}""", HttpStatusCode.UnprocessableEntity, "matches no host")]
    [InlineData(FleetTestServer.SchedulerToken, """{"drivers":[{"driver":"i915","version":"6.12.0"}]}""", HttpStatusCode.BadRequest, "'hosts' is missing")]
    [InlineData(FleetTestServer.SchedulerToken, """{"hosts":["host-a"]}""", HttpStatusCode.BadRequest, "nothing to change")]
    [InlineData(FleetTestServer.SchedulerToken, """{"hosts":["host-a"],"drivers":[{"driver":"i915"}]}""", HttpStatusCode.BadRequest, "'driver' (a name or glob) and 'version'")]
    [InlineData(FleetTestServer.AdminToken, """{"hosts":["host-a"],"drivers":[{"driver":"i915","version":"6.12.0"}],"maxHostsPerWave":0}""", HttpStatusCode.UnprocessableEntity, "give 1 or more")]
    [InlineData(FleetTestServer.SchedulerToken, """{"hosts":["host-a"],"drivers":[{"driver":"i915","version":"6.12.0"}]}""", HttpStatusCode.OK, "\"changedHosts\":[\"host-a\"]")]
    public async Task The_plan_endpoint_answers_bad_requests_with_problems_in_the_users_words(string token, string body, HttpStatusCode status, string expected)
    {
        await using var server = await FleetTestServer.StartAsync();
        using var admin = server.Client(FleetTestServer.AdminToken);
        using (var content = new StringContent(TestInventories.Json(Host("host-a", 2)), Encoding.UTF8, "application/json"))
        {
            (await admin.PutAsync("/v1/hosts/host-a", content, Ct)).EnsureSuccessStatusCode();
        }

        using var client = server.Client(token);
        using var request = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/v1/plans/upgrade", request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(expected, text, StringComparison.Ordinal);
        if (status != HttpStatusCode.OK)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Theory]
    [InlineData(false, "host-b")]
    [InlineData(true, "host-c")]
    public async Task The_plan_endpoint_plans_over_the_stored_fleet_with_its_active_claims(bool claimB, string target)
    {
        await using var server = await FleetTestServer.StartAsync();
        using var admin = server.Client(FleetTestServer.AdminToken);
        foreach (var inventory in new[] { Host("host-a", 0), Host("host-b", 1) with { Guests = [] }, Host("host-c", 1) with { Guests = [] } })
        {
            using var content = new StringContent(TestInventories.Json(inventory), Encoding.UTF8, "application/json");
            (await admin.PutAsync("/v1/hosts/" + inventory.Host, content, Ct)).EnsureSuccessStatusCode();
        }

        using var scheduler = server.Client(FleetTestServer.SchedulerToken);
        if (claimB)
        {
            using var claim = new StringContent($$"""{"host":"host-b","items":[{"resourceKey":"{{TestInventories.TypeKey}}","count":1}],"ttlSeconds":300}""", Encoding.UTF8, "application/json");
            (await scheduler.PostAsync("/v1/claims", claim, Ct)).EnsureSuccessStatusCode();
        }

        using var request = new StringContent("""{"hosts":["host-a"],"drivers":[{"driver":"i915","version":"6.12.0"}]}""", Encoding.UTF8, "application/json");
        using var response = await scheduler.PostAsync("/v1/plans/upgrade", request, Ct);
        using var plan = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(target, plan.RootElement.GetProperty("waves")[0].GetProperty("moves")[0].GetProperty("to").GetString());
    }

    [Fact]
    public void The_plan_table_shows_waves_moves_stranded_VMs_one_way_doors_and_the_VMs_that_lose_all_live_targets()
    {
        var a = Host("host-a", 2);
        var b = Host("host-b", 2);
        var c = Host("host-c", 1) with { Guests = [] };
        var snapshot = new FleetSnapshot(DateTimeOffset.UnixEpoch, [new(a, false, []), new(b, false, []), new(c, false, [])]);
        var request = new UpgradeRequest(["host-a", "host-b"], [], [Host("host-a", 3, "1.3.0") with { Guests = [] }, Host("host-b", 3, "2.0.0") with { Guests = [] }], 1, [], false);
        var plan = UpgradePlanner.Plan(snapshot, request).Plan!;
        var answer = JsonSerializer.SerializeToElement(PlanResponse.From(plan), Web);
        using var output = new StringWriter();

        PlanCommands.WritePlan(answer, output);

        Golden("plan-table.txt", output.ToString());
    }

    private static void Golden(string name, string actual, [CallerFilePath] string caller = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(caller)!, "Golden", name);
        if (Environment.GetEnvironmentVariable("MIGCOMPAT_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
        }

        Assert.True(File.Exists(path), $"{path} is missing; run the tests with MIGCOMPAT_UPDATE_GOLDEN=1 to create it");
        Assert.Equal(File.ReadAllText(path), actual);
    }

    private static HttpClient Client(string url, string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string[] args)
    {
        var root = new RootCommand();
        foreach (var command in PlanCommands.Create())
        {
            root.Subcommands.Add(command);
        }

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr }, Ct);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
