using System.CommandLine;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using MigCompat.Cli.Commands;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.RulePacks;
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

    /// <summary>A host with ConnectX VFs on <c>mlx5_vfio_pci</c> at <paramref name="build"/> as a scan derives them; <paramref name="vm"/> uses the first.</summary>
    private static HostInventory NicHost(string name, string build, bool vm)
    {
        var pci = new PciIds("15b3", "101e", "15b3", "0016", "020000");
        var devices = new[] { "0000:17:00.1", "0000:17:00.2" }.Select((id, i) => new InventoryDevice(
            id, DeviceKind.SriovVf, "vfio-pci", null, "0000:17:00.0", "mlx5_vfio_pci", build, pci, 60 + i, 0, vm && i == 0,
            DerivedDescriptors.ForPciDevice("vfio-pci", pci, "mlx5_vfio_pci", build, DescriptorOrigin.Derived, "test")));
        var host = new HostInventory(HostInventory.CurrentSchemaVersion, name, DateTimeOffset.UnixEpoch, [.. devices], [], []) { Guests = vm ? [new InventoryGuest(name + "-vm", null, ["0000:17:00.1"])] : [] };
        return DescriptorSources.ApplyTo(host, [], RulePackLoader.LoadShipped().Packs);
    }

    [Fact]
    public async Task Plan_upgrade_with_an_operator_rule_pack_replans_the_hosts_selected_by_label_with_it_and_refuses_a_pack_that_does_not_parse_with_its_diagnostics()
    {
        using var directory = new TempDirectory();
        await using var server = await LoopbackServer.StartAsync(Path.Combine(directory.Path, "fleet.db"));
        using var client = Client(server.Url, FleetTestServer.AdminToken);
        foreach (var inventory in new[] { NicHost("host-x", "6.8.0-45-generic", vm: true), NicHost("host-y", "6.12.0-1-amd64", vm: false) with { Labels = [KeyValuePair.Create("rack", "b")] } })
        {
            using var content = new StringContent(InventoryJson.Serialize(inventory), Encoding.UTF8, "application/json");
            (await client.PutAsync("/v1/hosts/" + inventory.Host, content, Ct)).EnsureSuccessStatusCode();
        }

        var shipped = RulePackLoader.LoadShipped().Packs.Single(p => p.Name == "mlx5").Text;
        var relaxed = Path.Combine(directory.Path, "mlx5.rules");
        await File.WriteAllTextAsync(relaxed, shipped.Replace("rule.driver_build=exact", "rule.driver_build=ignore", StringComparison.Ordinal), Ct);
        var broken = Path.Combine(directory.Path, "broken");
        Directory.CreateDirectory(broken);
        await File.WriteAllTextAsync(Path.Combine(broken, "mlx5.rules"), "[pack]\nname = mlx5\nversion = two\n", Ct);
        var planFile = Path.Combine(directory.Path, "plan.json");
        var common = new[] { "--server", server.Url, "--token", FleetTestServer.AdminToken, "--format", "json" };

        var json = await RunAsync(["plan", "upgrade", "--hosts", "label:rack=b", "--rules", relaxed, .. common]);
        await File.WriteAllTextAsync(planFile, json.Stdout, Ct);
        var holds = await RunAsync(["plan", "verify", planFile, .. common]);
        var refused = await RunAsync(["plan", "upgrade", "--hosts", "host-y", "--rules", broken, .. common]);
        using var body = new StringContent("""{"hosts":["host-y"],"rules":[{"file":"own.rules","text":"[pack]\nname = mlx5\n"}]}""", Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/v1/plans/upgrade", body, Ct);
        var problem = await response.Content.ReadAsStringAsync(Ct);

        Assert.True(json.Code == 0, json.Stderr + json.Stdout);
        using var plan = JsonDocument.Parse(json.Stdout);
        var impact = plan.RootElement.GetProperty("impacts")[0];
        Assert.Equal((0, 1), (impact.GetProperty("liveNow").GetInt32(), impact.GetProperty("liveAfter").GetInt32()));
        Assert.Equal(relaxed, plan.RootElement.GetProperty("request").GetProperty("rules")[0].GetProperty("file").GetString());
        Assert.Equal("host-y", plan.RootElement.GetProperty("changedHosts")[0].GetString());
        Assert.Contains("rule pack mlx5 1", plan.RootElement.GetProperty("notes")[0].GetString(), StringComparison.Ordinal);
        Assert.True(holds.Code == 0, holds.Stderr + holds.Stdout);
        Assert.Equal(2, refused.Code);
        Assert.Contains(Path.Combine(broken, "mlx5.rules") + ":1:1: MCS023: error: [pack] has no \"driver\"", refused.Stderr, StringComparison.Ordinal);
        Assert.Empty(refused.Stdout);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("own.rules:", problem, StringComparison.Ordinal);
        Assert.Contains("does not parse", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(FleetTestServer.ReadToken, """{"hosts":["host-a"],"drivers":[{"driver":"i915","version":"6.12.0"}]}""", HttpStatusCode.Forbidden, "scheduler token or the admin token")]
    [InlineData(FleetTestServer.SchedulerToken, """{"hosts":["nowhere-*"],"drivers":[{"driver":"i915","version":"6.12.0"}]}""", HttpStatusCode.UnprocessableEntity, "matches no host")]
    [InlineData(FleetTestServer.SchedulerToken, """{"drivers":[{"driver":"i915","version":"6.12.0"}]}""", HttpStatusCode.BadRequest, "'hosts' is missing")]
    [InlineData(FleetTestServer.SchedulerToken, """{"hosts":["host-a"]}""", HttpStatusCode.BadRequest, "nothing to change")]
    [InlineData(FleetTestServer.SchedulerToken, """{"hosts":["host-a"],"drivers":[{"driver":"i915"}]}""", HttpStatusCode.BadRequest, "'driver' (a name or glob) and 'version'")]
    [InlineData(FleetTestServer.SchedulerToken, """{"hosts":["host-a"],"rules":[{"file":"a.rules"}]}""", HttpStatusCode.BadRequest, "every rule pack needs 'text'")]
    [InlineData(FleetTestServer.SchedulerToken, """{"hosts":["host-a"],"rules":[{"file":"a.rules","text":"[pack]\nname = g\nversion = 2\ndriver = i915\nmigrates = no\nsource = a test\n"},{"file":"b.rules","text":"[pack]\nname = g\nversion = 3\ndriver = i915\nmigrates = no\nsource = a test\n"}]}""", HttpStatusCode.UnprocessableEntity, "rule pack 'g' is given twice (a.rules, b.rules)")]
    [InlineData(FleetTestServer.SchedulerToken, """{"hosts":["host-a"],"rules":[{"text":"[pack]\nname = gvt-g\nversion = 2\ndriver = i915\nmigrates = no\nsource = a test\n"}]}""", HttpStatusCode.OK, "rule pack gvt-g 2 (rules[0])")]
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

    [Theory]
    [InlineData("{\"request\": {\"hosts\": [\"h\\ud800\"]}, \"waves\": []}", 1, 24, "$.request.hosts[0]")]
    [InlineData("{\n  \"request\": {\"hosts\": [\"h\"]},\n  \"waves\": [{\"moves\": [{\"vm\": \"\\udc00\"}]}]\n}", 3, 31, "$.waves[0].moves[0].vm")]
    [InlineData("{\"request\": {}, \"x\\ud800\": 1}", 1, 17, "$")]
    public async Task Plan_verify_refuses_a_plan_with_a_lone_surrogate_escape_at_its_line_and_column_before_asking_the_server(string plan, int line, int column, string path)
    {
        using var directory = new TempDirectory();
        var planFile = Path.Combine(directory.Path, "plan.json");
        await File.WriteAllTextAsync(planFile, plan, Ct);

        var (code, stdout, stderr) = await RunAsync(["plan", "verify", planFile, "--server", "http://127.0.0.1:9", "--token", "t"]);

        Assert.True(code == 2, stderr);
        Assert.Empty(stdout);
        Assert.StartsWith($"{planFile}:{line}:{column}: error MCP001: {path}: ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", stderr, StringComparison.Ordinal);
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
