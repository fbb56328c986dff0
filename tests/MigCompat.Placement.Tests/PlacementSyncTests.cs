using System.Text.Json;
using MigCompat.Cli;

namespace MigCompat.Placement.Tests;

/// <summary><c>migcompat placement sync</c> against a real OpenStack Placement holding a Nova-shaped provider tree.</summary>
public sealed class PlacementSyncTests(PlacementServer placement) : IClassFixture<PlacementServer>
{
    private const string Stale = "CUSTOM_MIGCOMPAT_LIVE_NVIDIA_63_AAAAAAAAAA";
    private const string Foreign = "CUSTOM_ACME_GPU_POOL";
    private const string NovaTrait = "HW_GPU_API_VULKAN";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sync_puts_each_pgpu_its_live_class_traits_keeps_novas_and_foreign_ones_and_a_second_run_writes_nothing()
    {
        placement.Require();
        var tree = await NovaTreeAsync();
        await using var fleet = await TestFleet.StartAsync(TestFleet.Hosts(tree.Suffix));
        var live = await fleet.SourceTraitAsync();

        var first = await RunAsync("placement", "sync", "--server", fleet.Url, "--token", TestFleet.ReadToken, "--placement", placement.Endpoint.ToString(), "--placement-token", "admin", "--format", "json");
        var generations = await Task.WhenAll(tree.Gpus.Values.Select(async uuid => (await placement.TraitsAsync(uuid)).Generation));
        var second = await RunAsync("placement", "sync", "--server", fleet.Url, "--token", TestFleet.ReadToken, "--placement", placement.Endpoint.ToString(), "--placement-token", "admin", "--format", "json");

        Assert.True(first.Code == 0, first.Stderr);
        Assert.StartsWith("CUSTOM_MIGCOMPAT_LIVE_NVIDIA_63_", live, StringComparison.Ordinal);
        Assert.Equal(Sorted(Foreign, NovaTrait, live), (await placement.TraitsAsync(tree.Gpus["gpu-01_84"])).Traits);
        Assert.Equal(Sorted(Foreign, NovaTrait, live), (await placement.TraitsAsync(tree.Gpus["gpu-02_84"])).Traits);
        Assert.Equal([Foreign, NovaTrait], (await placement.TraitsAsync(tree.Gpus["gpu-02_85"])).Traits);
        Assert.Equal([Stale], (await placement.TraitsAsync(tree.Unknown)).Traits);
        Assert.Equal(["COMPUTE_NET_ATTACH_INTERFACE"], (await placement.TraitsAsync(tree.ComputeNode)).Traits);
        Assert.Contains(live, await placement.CustomTraitsAsync("CUSTOM_MIGCOMPAT_LIVE_"));
        var json = JsonDocument.Parse(first.Stdout).RootElement;
        Assert.Equal(["updated", "updated", "updated"], json.GetProperty("providers").EnumerateArray().Select(p => p.GetProperty("status").GetString()));

        Assert.True(second.Code == 0, second.Stderr);
        var again = JsonDocument.Parse(second.Stdout).RootElement;
        Assert.Equal(0, again.GetProperty("writes").GetInt32());
        Assert.All(again.GetProperty("providers").EnumerateArray(), p => Assert.Equal("unchanged", p.GetProperty("status").GetString()));
        Assert.Equal(generations, await Task.WhenAll(tree.Gpus.Values.Select(async uuid => (await placement.TraitsAsync(uuid)).Generation)));
    }

    [Fact]
    public async Task A_provider_changed_between_read_and_write_gets_409_and_the_sync_reads_it_again_and_keeps_the_other_change()
    {
        placement.Require();
        var tree = await NovaTreeAsync();
        var gpu = tree.Gpus["gpu-02_84"];
        var provider = $"gpu-02{tree.Suffix}_pci_0000_84_00_0";
        var plan = new PlacementPlan([new PlannedProvider($"gpu-02{tree.Suffix}", "0000:84:00.0", provider, ["CUSTOM_MIGCOMPAT_LIVE_NVIDIA_63_BBBBBBBBBB"])]);
        using var client = new PlacementClient(placement.Endpoint, "admin");
        var sync = new PlacementSync(client)
        {
            BeforeWrite = async (_, attempt) =>
            {
                if (attempt == 1)
                {
                    var (traits, _) = await placement.TraitsAsync(gpu);
                    await placement.SetTraitsAsync(gpu, [.. traits, "CUSTOM_RACE"]);
                }
            },
        };

        var result = await sync.RunAsync(plan, dryRun: false, prune: false, Ct);

        var outcome = Assert.Single(result.Providers);
        Assert.Equal(ProviderSyncStatus.Updated, outcome.Status);
        Assert.Equal(2, outcome.Attempts);
        Assert.Equal([Foreign, "CUSTOM_MIGCOMPAT_LIVE_NVIDIA_63_BBBBBBBBBB", "CUSTOM_RACE", NovaTrait], (await placement.TraitsAsync(gpu)).Traits);
    }

    [Fact]
    public async Task Many_pgpus_synced_in_parallel_each_get_their_own_traits_and_the_writes_are_counted()
    {
        placement.Require();
        var suffix = "-" + Guid.NewGuid().ToString("N")[..6];
        var node = await placement.CreateProviderAsync("wide" + suffix);
        var planned = new List<PlannedProvider>();
        var uuids = new List<string>();
        for (var bus = 0x40; bus < 0x40 + 20; bus++)
        {
            var name = $"wide{suffix}_pci_0000_{bus:x2}_00_0";
            uuids.Add(await placement.CreateProviderAsync(name, node, new() { ["VGPU"] = 4 }, NovaTrait));
            planned.Add(new PlannedProvider("wide" + suffix, $"0000:{bus:x2}:00.0", name, [$"CUSTOM_MIGCOMPAT_LIVE_NVIDIA_63_{bus:X2}AAAAAAAA"]));
        }

        using var client = new PlacementClient(placement.Endpoint, "admin");
        var result = await new PlacementSync(client) { MaxParallel = 8 }.RunAsync(new PlacementPlan([.. planned]), dryRun: false, prune: false, Ct);

        Assert.Equal(planned.Select(p => p.Provider), result.Providers.Select(p => p.Provider));
        Assert.All(result.Providers, p => Assert.Equal(ProviderSyncStatus.Updated, p.Status));
        Assert.Equal(20 + 20, result.Writes);
        for (var i = 0; i < uuids.Count; i++)
        {
            Assert.Equal(Sorted(NovaTrait, planned[i].Traits[0]), (await placement.TraitsAsync(uuids[i])).Traits);
        }
    }

    [Fact]
    public async Task A_provider_that_changes_under_every_attempt_is_left_alone_and_reported_as_a_conflict()
    {
        placement.Require();
        var tree = await NovaTreeAsync();
        var gpu = tree.Gpus["gpu-02_84"];
        var plan = new PlacementPlan([new PlannedProvider($"gpu-02{tree.Suffix}", "0000:84:00.0", $"gpu-02{tree.Suffix}_pci_0000_84_00_0", ["CUSTOM_MIGCOMPAT_LIVE_NVIDIA_63_CCCCCCCCCC"])]);
        using var client = new PlacementClient(placement.Endpoint, "admin");
        var sync = new PlacementSync(client)
        {
            MaxAttempts = 3,
            BeforeWrite = async (_, attempt) => await placement.SetTraitsAsync(gpu, [Foreign, NovaTrait, $"CUSTOM_RACE_{attempt}"]),
        };

        var result = await sync.RunAsync(plan, dryRun: false, prune: false, Ct);

        Assert.Equal(ProviderSyncStatus.Conflict, Assert.Single(result.Providers).Status);
        Assert.Equal([Foreign, "CUSTOM_RACE_3", NovaTrait], (await placement.TraitsAsync(gpu)).Traits);
    }

    [Fact]
    public async Task A_dry_run_reports_what_would_change_and_writes_nothing()
    {
        placement.Require();
        var tree = await NovaTreeAsync();
        await using var fleet = await TestFleet.StartAsync(TestFleet.Hosts(tree.Suffix));
        var before = await Task.WhenAll(tree.Gpus.Values.Select(placement.TraitsAsync));

        var run = await RunAsync("placement", "sync", "--server", fleet.Url, "--token", TestFleet.ReadToken, "--placement", placement.Endpoint.ToString(), "--placement-token", "admin", "--dry-run");

        Assert.True(run.Code == 0, run.Stderr);
        Assert.Contains("would-update", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("nothing written", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(before.Select(b => b.Traits), (await Task.WhenAll(tree.Gpus.Values.Select(placement.TraitsAsync))).Select(a => a.Traits));
    }

    [Fact]
    public async Task A_host_without_a_compute_node_or_pgpu_provider_is_named_on_stderr_and_exits_1_while_the_others_are_synced()
    {
        placement.Require();
        var tree = await NovaTreeAsync();
        var hosts = TestFleet.Hosts(tree.Suffix);
        var missing = TestFleet.Host($"gpu-09{tree.Suffix}", [], TestFleet.Type("0000:84:00.0", TestFleet.Gpu("17.1.0", "17.0.0"), 1));
        var extraGpu = hosts[1] with { CreatableTypes = hosts[1].CreatableTypes.Add(TestFleet.Type("0000:86:00.0", TestFleet.Gpu("17.1.0", "17.0.0"), 1)) };
        await using var fleet = await TestFleet.StartAsync(hosts[0], extraGpu, missing);

        var run = await RunAsync("placement", "sync", "--server", fleet.Url, "--token", TestFleet.ReadToken, "--placement", placement.Endpoint.ToString(), "--placement-token", "admin");

        Assert.True(run.Code == 1, run.Stderr);
        Assert.Contains($"host gpu-09{tree.Suffix} has no compute node provider named 'gpu-09{tree.Suffix}'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains($"no provider named 'gpu-02{tree.Suffix}_pci_0000_86_00_0'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(await fleet.SourceTraitAsync(), (await placement.TraitsAsync(tree.Gpus["gpu-02_84"])).Traits);
    }

    [Fact]
    public async Task Prune_deletes_unused_migcompat_traits_and_keeps_one_a_provider_still_has()
    {
        placement.Require();
        var tree = await NovaTreeAsync();
        await using var fleet = await TestFleet.StartAsync(TestFleet.Hosts(tree.Suffix));
        using (var admin = placement.Admin())
        {
            (await admin.PutAsync("traits/CUSTOM_MIGCOMPAT_LIVE_GONE_DDDDDDDDDD", null, Ct)).Dispose();
        }

        var run = await RunAsync("placement", "sync", "--server", fleet.Url, "--token", TestFleet.ReadToken, "--placement", placement.Endpoint.ToString(), "--placement-token", "admin", "--prune", "--format", "json");

        Assert.True(run.Code == 0, run.Stderr);
        var remaining = await placement.CustomTraitsAsync("CUSTOM_MIGCOMPAT_LIVE_");
        Assert.DoesNotContain("CUSTOM_MIGCOMPAT_LIVE_GONE_DDDDDDDDDD", remaining);
        Assert.Contains(Stale, remaining);
        Assert.Contains(await fleet.SourceTraitAsync(), remaining);
        Assert.Contains("CUSTOM_MIGCOMPAT_LIVE_GONE_DDDDDDDDDD", JsonDocument.Parse(run.Stdout).RootElement.GetProperty("traitsDeleted").EnumerateArray().Select(t => t.GetString()));
    }

    [Theory]
    [InlineData("no token at all", "", "refused the token (HTTP 401)")]
    [InlineData("a token without the admin role", "member", "HTTP 403")]
    public async Task A_refused_token_is_said_in_one_line_and_exits_4(string what, string token, string expected)
    {
        placement.Require();
        await using var fleet = await TestFleet.StartAsync();
        var run = await RunAsync("placement", "sync", "--server", fleet.Url, "--token", TestFleet.ReadToken, "--placement", placement.Endpoint.ToString(), "--placement-token", token);

        Assert.True(run.Code == 4, what + ": " + run.Stderr);
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
        Assert.DoesNotContain("Exception", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_token_the_sync_sends_admin_as_placements_noauth2_mode_expects()
    {
        placement.Require();
        var tree = await NovaTreeAsync();
        await using var fleet = await TestFleet.StartAsync(TestFleet.Hosts(tree.Suffix));

        var run = await RunAsync("placement", "sync", "--server", fleet.Url, "--token", TestFleet.ReadToken, "--placement", placement.Endpoint.ToString());

        Assert.True(run.Code == 0, run.Stderr);
        Assert.Contains(await fleet.SourceTraitAsync(), (await placement.TraitsAsync(tree.Gpus["gpu-02_84"])).Traits);
    }

    [Fact]
    public async Task Placement_down_is_said_in_one_line_and_exits_4()
    {
        await using var fleet = await TestFleet.StartAsync();

        var run = await RunAsync("placement", "sync", "--server", fleet.Url, "--token", TestFleet.ReadToken, "--placement", "http://127.0.0.1:9/", "--placement-token", "admin");

        Assert.Equal(4, run.Code);
        Assert.StartsWith("placement sync: Placement at http://127.0.0.1:9/ is unreachable", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "placement", "sync", "--server", "http://127.0.0.1:9" }, "no Placement endpoint")]
    [InlineData(new[] { "placement", "sync", "--server", "http://127.0.0.1:9", "--placement", "ftp://x" }, "is not an http:// or https:// URL")]
    public async Task Bad_usage_exits_2_with_a_message(string[] args, string expected)
    {
        var run = await RunAsync(args);

        Assert.Equal(2, run.Code);
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// Nova's shape: compute node providers named by hypervisor hostname with VCPU/MEMORY_MB and a COMPUTE_ trait; one child per
    /// pGPU named HOST_pci_0000_84_00_0 with VGPU inventory, a standard trait, an operator's custom trait and (on pGPU 85)
    /// a stale MigCompat trait; and a pGPU provider of a host MigCompat does not know, with a MigCompat trait.
    /// </summary>
    private async Task<NovaTree> NovaTreeAsync()
    {
        var suffix = "-" + Guid.NewGuid().ToString("N")[..6];
        var gpus = new Dictionary<string, string>();
        string? firstNode = null;
        foreach (var host in new[] { "gpu-01", "gpu-02" })
        {
            var node = await placement.CreateProviderAsync(host + suffix, null, new() { ["VCPU"] = 64, ["MEMORY_MB"] = 262144 }, "COMPUTE_NET_ATTACH_INTERFACE");
            firstNode ??= node;
            foreach (var bus in host == "gpu-01" ? new[] { "84" } : ["84", "85"])
            {
                gpus[$"{host}_{bus}"] = await placement.CreateProviderAsync($"{host}{suffix}_pci_0000_{bus}_00_0", node, new() { ["VGPU"] = 4 }, bus == "85" ? [NovaTrait, Foreign, Stale] : [NovaTrait, Foreign]);
            }
        }

        var unknownNode = await placement.CreateProviderAsync("other" + suffix);
        var unknown = await placement.CreateProviderAsync($"other{suffix}_pci_0000_84_00_0", unknownNode, new() { ["VGPU"] = 4 }, Stale);
        return new NovaTree(suffix, firstNode!, gpus, unknown);
    }

    internal static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, Ct);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string[] Sorted(params string[] traits) => [.. traits.Order(StringComparer.Ordinal)];

    private sealed record NovaTree(string Suffix, string ComputeNode, Dictionary<string, string> Gpus, string Unknown);
}
