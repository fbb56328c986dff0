using System.Text.Json;
using MigCompat.Discovery.Inventory;
using MigCompat.Server.Tests.Http;
using static MigCompat.Server.Tests.Cli.FleetCommandTests;

namespace MigCompat.Server.Tests.Cli;

public sealed class VmCommandTests
{
    private const string WebUuid = "6e0e2f1c-1111-4c5e-9a3b-0d1f2e3a4b5c";
    private const string AgentUuid = "11111111-2222-4333-8444-555555555555";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>host-a runs web, host-old still lists web (stale), host-b runs nothing and has room.</summary>
    private static async Task<LoopbackServer> FleetAsync(TempDirectory directory)
    {
        var server = await LoopbackServer.StartAsync(Path.Combine(directory.Path, "fleet.db"));
        using var client = new HttpClient { BaseAddress = new Uri(server.Url) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", FleetTestServer.AdminToken);
        foreach (var inventory in new[]
        {
            TestInventories.Host("host-a") with { Guests = [new InventoryGuest("web", WebUuid, [TestInventories.SourceDevice])] },
            TestInventories.Host("host-old") with { Guests = [new InventoryGuest("web", null, [TestInventories.SourceDevice])] },
            TestInventories.Host("host-b"),
        })
        {
            using var content = new StringContent(TestInventories.Json(inventory), System.Text.Encoding.UTF8, "application/json");
            (await client.PutAsync("/v1/hosts/" + inventory.Host, content, Ct)).EnsureSuccessStatusCode();
        }

        return server;
    }

    [Fact]
    public async Task Vms_list_and_show_print_the_vms_the_inventories_know_as_a_table()
    {
        using var directory = new TempDirectory();
        await using var server = await FleetAsync(directory);
        string[] Read(params string[] args) => [.. args, "--server", server.Url, "--token", FleetTestServer.ReadToken];

        var list = await RunAsync(Read("vms", "list"));
        var onHost = await RunAsync(Read("vms", "list", "--host", "host-b"));
        var shown = await RunAsync(Read("vms", "show", WebUuid.ToUpperInvariant()));
        var json = await RunAsync(Read("vms", "show", "web", "--host", "host-old", "--format", "json"));

        Assert.True(list.Code == 0, list.Stderr);
        Assert.Equal(
            $"""
            VM   UUID                                  HOST      DEVICES
            web  {WebUuid}  host-a    {TestInventories.SourceDevice}
            web  -                                     host-old  {TestInventories.SourceDevice}

            """,
            list.Stdout.Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.Equal((0, "No VMs: no host's inventory lists one (scans and domain-XML imports fill them in).\n"), (onHost.Code, onHost.Stdout));
        Assert.Contains("host-a", shown.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, json.Code);
        Assert.Equal("host-old", JsonDocument.Parse(json.Stdout).RootElement.GetProperty("host").GetString());
    }

    [Theory]
    [InlineData("web", "listed by 2 hosts (host-a, host-old)")]
    [InlineData("nobody", "no host's inventory lists a VM named 'nobody'")]
    public async Task Vms_show_of_an_ambiguous_or_unknown_vm_exits_2_and_says_why_on_stderr(string vm, string message)
    {
        using var directory = new TempDirectory();
        await using var server = await FleetAsync(directory);

        var (code, stdout, stderr) = await RunAsync("vms", "show", vm, "--server", server.Url, "--token", FleetTestServer.ReadToken);

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Targets_vm_answers_for_the_vms_devices_from_its_host_and_names_the_vm()
    {
        using var directory = new TempDirectory();
        await using var server = await FleetAsync(directory);
        string[] Read(params string[] args) => ["targets", .. args, "--server", server.Url, "--token", FleetTestServer.ReadToken];

        var text = await RunAsync(Read("--vm", WebUuid));
        var json = await RunAsync(Read("--vm", "web", "--from", "host-old", "--format", "json"));
        var explained = await RunAsync(Read("--vm", WebUuid, "--explain", "host-b", "--live-only"));
        var ambiguous = await RunAsync(Read("--vm", "web"));

        Assert.True(text.Code == 0, text.Stderr);
        Assert.StartsWith($"VM web ({WebUuid}) on host-a, devices: {TestInventories.SourceDevice}\n\nRANK", text.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("host-a  live", text.Stdout, StringComparison.Ordinal);
        var answer = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.Equal("host-old", answer.GetProperty("vm").GetProperty("host").GetString());
        Assert.Contains("host-a", answer.GetProperty("candidates").EnumerateArray().Select(c => c.GetProperty("host").GetString()));
        Assert.True(explained.Code == 0, explained.Stderr);
        Assert.Contains("Host host-b: live", explained.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, ambiguous.Code);
        Assert.Contains("host-a, host-old", ambiguous.Stderr, StringComparison.Ordinal);
        Assert.Contains("--from HOST", ambiguous.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--vm", "web", "--device", "x" }, "give it alone")]
    [InlineData(new[] { "--vm", " " }, "--vm is empty")]
    public async Task Targets_vm_with_devices_or_blank_is_bad_usage(string[] args, string message)
    {
        var (code, stdout, stderr) = await RunAsync(["targets", "--server", "http://127.0.0.1:9", .. args]);

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_agent_pushes_the_qemu_that_holds_a_device_as_a_vm_and_targets_vm_finds_it()
    {
        using var directory = new TempDirectory();
        var sysfs = Path.Combine(directory.Path, "sys");
        var device = "0000:3b:00.2";
        var path = $"devices/pci0000:00/{device}";
        foreach (var (file, text) in new[] { ("vendor", "0x8086"), ("device", "0x1889"), ("class", "0x020000"), ("subsystem_vendor", "0x0000"), ("subsystem_device", "0x0000"), ("numa_node", "-1") })
        {
            Directory.CreateDirectory(Path.Combine(sysfs, path));
            await File.WriteAllTextAsync(Path.Combine(sysfs, path, file), text + "\n", Ct);
        }

        Directory.CreateDirectory(Path.Combine(sysfs, "bus/pci/drivers/vfio-pci"));
        Directory.CreateDirectory(Path.Combine(sysfs, "kernel/iommu_groups/31"));
        Directory.CreateDirectory(Path.Combine(sysfs, "bus/pci/devices"));
        File.CreateSymbolicLink(Path.Combine(sysfs, path, "driver"), "../../../bus/pci/drivers/vfio-pci");
        File.CreateSymbolicLink(Path.Combine(sysfs, path, "iommu_group"), "../../../kernel/iommu_groups/31");
        File.CreateSymbolicLink(Path.Combine(sysfs, "bus/pci/devices", device), "../../../" + path);
        var proc = Path.Combine(directory.Path, "proc");
        Directory.CreateDirectory(Path.Combine(proc, "1/fd"));
        Directory.CreateDirectory(Path.Combine(proc, "4242/fd"));
        File.CreateSymbolicLink(Path.Combine(proc, "4242/fd/3"), "/dev/vfio/31");
        await File.WriteAllTextAsync(Path.Combine(proc, "4242/cmdline"), $"/usr/bin/qemu-system-x86_64\0-name\0guest=vm-web-01,debug-threads=on\0-uuid\0{AgentUuid}\0", Ct);
        await using var server = await FleetAsync(directory);

        var agent = await RunAsync("agent", "--server", server.Url, "--token", FleetTestServer.AdminToken, "--once", "--sysfs-root", sysfs, "--proc-root", proc, "--profiles", directory.Path, "--host", "gpu-new");
        var shown = await RunAsync("vms", "show", "vm-web-01", "--server", server.Url, "--token", FleetTestServer.ReadToken, "--format", "json");
        var targets = await RunAsync("targets", "--vm", AgentUuid, "--server", server.Url, "--token", FleetTestServer.ReadToken, "--format", "json");

        Assert.True(agent.Code == 0, agent.Stderr);
        Assert.True(shown.Code == 0, shown.Stderr);
        var vm = JsonDocument.Parse(shown.Stdout).RootElement;
        Assert.Equal(("gpu-new", AgentUuid), (vm.GetProperty("host").GetString(), vm.GetProperty("uuid").GetString()));
        Assert.Equal([device], vm.GetProperty("devices").EnumerateArray().Select(d => d.GetString()));
        Assert.True(targets.Code == 1, targets.Stderr);
        var answer = JsonDocument.Parse(targets.Stdout).RootElement;
        Assert.Equal("gpu-new", answer.GetProperty("vm").GetProperty("host").GetString());
        Assert.Equal(3, answer.GetProperty("hostsWithoutCompatibleResource").GetInt32());
    }
}

/// <summary><c>hosts put FILE</c>: an inventory from scan or import (with its VMs) stored over the host's one.</summary>
public sealed class HostsPutCommandTests
{
    [Fact]
    public async Task Hosts_put_stores_an_inventory_file_with_its_vms_over_the_stored_one_and_targets_then_finds_the_vm()
    {
        using var directory = new TempDirectory();
        await using var server = await LoopbackServer.StartAsync(Path.Combine(directory.Path, "fleet.db"));
        string[] Admin(params string[] args) => [.. args, "--server", server.Url, "--token", FleetTestServer.AdminToken];
        var file = Path.Combine(directory.Path, "host-a.json");
        await File.WriteAllTextAsync(file, TestInventories.Json(TestInventories.Host("host-a")), TestContext.Current.CancellationToken);
        var created = await RunAsync(Admin("hosts", "put", file));
        await File.WriteAllTextAsync(file, TestInventories.Json(TestInventories.Host("host-a") with { Guests = [new InventoryGuest("web", null, [TestInventories.SourceDevice])] }), TestContext.Current.CancellationToken);
        var updated = await RunAsync(Admin("hosts", "put", file));
        await File.WriteAllTextAsync(Path.Combine(directory.Path, "host-b.json"), TestInventories.Json(TestInventories.Host("host-b")), TestContext.Current.CancellationToken);
        await RunAsync(Admin("hosts", "put", Path.Combine(directory.Path, "host-b.json")));

        var vm = await RunAsync(Admin("targets", "--vm", "web", "--format", "json"));

        Assert.Equal((0, "created host host-a (generation 1)\n"), (created.Code, created.Stdout.Replace("\r\n", "\n", StringComparison.Ordinal)));
        Assert.Equal((0, "updated host host-a (generation 2)\n"), (updated.Code, updated.Stdout.Replace("\r\n", "\n", StringComparison.Ordinal)));
        Assert.True(vm.Code == 0, vm.Stderr);
        Assert.Equal("host-a", JsonDocument.Parse(vm.Stdout).RootElement.GetProperty("vm").GetProperty("host").GetString());
    }

    [Theory]
    [InlineData("{\"schema_version\": 1, \"host\": \"h\"}", "MCI004")]
    [InlineData("not json", "MCI002")]
    public async Task Hosts_put_refuses_a_file_with_errors_with_its_diagnostics_before_asking_the_server(string content, string code)
    {
        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "bad.json");
        await File.WriteAllTextAsync(file, content, TestContext.Current.CancellationToken);

        var (exit, stdout, stderr) = await RunAsync("hosts", "put", file, "--server", "http://127.0.0.1:9", "--token", "t");

        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains(code, stderr, StringComparison.Ordinal);
        Assert.Contains("bad.json", stderr, StringComparison.Ordinal);
    }
}
