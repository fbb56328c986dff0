using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Xml.Linq;
using MigCompat.Discovery.Inventory;
using MigCompat.Libvirt.Tests.Support;

namespace MigCompat.Libvirt.Tests;

/// <summary>
/// Nova and KubeVirt write the destination XML themselves (the mdev UUIDs already this host's) and carry no MigCompat
/// metadata: with <c>MIGCOMPAT_SERVER</c> the hook then decides from the fleet. Run as libvirt runs it (the built
/// binary, the XML on stdin) against a real <c>migcompat serve</c> on 127.0.0.1 whose source hosts' inventories,
/// with their guests, were PUT through the API; the base XML is the project's gpu-vm.xml fixture (Domains/).
/// </summary>
public sealed class FleetDecisionTests(FleetDecisionTests.ServerFixture fleet) : IClassFixture<FleetDecisionTests.ServerFixture>
{
    private const string Base = "gpu-vm.xml";

    [Fact]
    public async Task A_nova_shaped_xml_for_a_vm_the_fleet_knows_passes_with_exit_0_and_nothing_on_stdout()
    {
        using var vm = new Migration(fleet, [("1.0", "1.0")]);
        await vm.StoreSourceAsync();

        var run = await vm.HookAsync();

        Assert.Equal(new Run(0, "", ""), run);
        Peer.AssertValid(vm.IncomingXml, "the Nova-shaped incoming XML the test feeds the hook");
    }

    [Fact]
    public async Task An_older_driver_on_this_host_refuses_with_the_field_the_values_and_the_evidence()
    {
        using var vm = new Migration(fleet, [("1.0", "2.0")]);
        await vm.StoreSourceAsync();

        var run = await vm.HookAsync();

        Assert.Equal(
            new Run(1, "", vm.Prefix + $"VALUE_MISMATCH: mdev {vm.Sources[0]} on {vm.SourceHost} -> {vm.Targets[0]}: stream_version: the source has 1.0, the target 2.0; without a COMPATIBLE declaration the values must be equal. (verdict cold; evidence: rule-pack mtty 1 (shipped:mtty.rules))\n"),
            run);
    }

    [Fact]
    public async Task A_vm_the_fleet_does_not_know_is_refused()
    {
        using var vm = new Migration(fleet, [("1.0", "1.0")]);
        await vm.StoreSourceAsync(guest: false);

        var run = await vm.HookAsync();

        AssertRefused(vm, run, "FLEET_VM_UNKNOWN", $"no host of the fleet lists a VM with the name {vm.Name} (no host lists UUID {vm.Uuid})");
    }

    [Fact]
    public async Task A_server_that_is_down_refuses_the_migration()
    {
        using var vm = new Migration(fleet, [("1.0", "1.0")]);

        var run = await vm.HookAsync(server: "http://127.0.0.1:" + ClosedPort());

        AssertRefused(vm, run, "FLEET_UNAVAILABLE", "the fleet server could not be asked about the VM (UUID " + vm.Uuid + "): the server at http://127.0.0.1:");
    }

    [Fact]
    public async Task A_server_that_never_answers_refuses_within_the_configured_time()
    {
        using var vm = new Migration(fleet, [("1.0", "1.0")]);
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(); // accepts connections into its backlog, never answers
        var clock = Stopwatch.StartNew();

        var run = await vm.HookAsync(server: $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}", timeout: "1");

        AssertRefused(vm, run, "FLEET_UNAVAILABLE", "did not answer within 1 s (MIGCOMPAT_HOOK_TIMEOUT)");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"the hook took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_time_limit_that_is_not_a_number_refuses_rather_than_guess()
    {
        using var vm = new Migration(fleet, [("1.0", "1.0")]);
        await vm.StoreSourceAsync();

        var run = await vm.HookAsync(timeout: "ten");

        AssertRefused(vm, run, "FLEET_UNAVAILABLE", "MIGCOMPAT_HOOK_TIMEOUT 'ten' is not a number of seconds");
    }

    [Fact]
    public async Task An_incoming_device_this_host_does_not_have_is_refused()
    {
        using var vm = new Migration(fleet, [("1.0", "1.0")]);
        await vm.StoreSourceAsync();
        const string Missing = "bbbbbbbb-0000-4000-8000-000000000000";

        var run = await vm.HookAsync(xml: vm.IncomingXml.Replace(vm.Targets[0], Missing, StringComparison.Ordinal));

        AssertRefused(vm, run, "TARGET_UNKNOWN", $"incoming mdev {Missing}: it is not in this host's inventory ({vm.TargetHost})");
    }

    [Fact]
    public async Task An_incoming_xml_that_assigns_one_device_twice_is_refused()
    {
        using var vm = new Migration(fleet, [("1.0", "1.0"), ("1.0", "1.0")]);
        await vm.StoreSourceAsync();

        var run = await vm.HookAsync(xml: vm.IncomingXml.Replace(vm.Targets[1], vm.Targets[0], StringComparison.Ordinal));

        AssertRefused(vm, run, "TARGET_UNKNOWN", $"incoming mdev {vm.Targets[0]}: the XML assigns it twice");
    }

    [Fact]
    public async Task An_incoming_device_another_vm_of_this_host_uses_is_refused()
    {
        using var vm = new Migration(fleet, [("1.0", "1.0")], targetGuest: "other-vm");
        await vm.StoreSourceAsync();

        var run = await vm.HookAsync();

        AssertRefused(vm, run, "TARGET_UNKNOWN", $"incoming mdev {vm.Targets[0]}: this host's inventory lists it as used by other-vm");
    }

    [Fact]
    public async Task Two_devices_of_one_type_pass_when_one_pairing_is_live_even_if_the_xml_order_is_not()
    {
        // source A=1.0, B=2.0; the XML puts A's slot on a 2.0 mdev and B's on a 1.0 one: only the crossed pairing is live.
        using var vm = new Migration(fleet, [("1.0", "2.0"), ("2.0", "1.0")]);
        await vm.StoreSourceAsync();

        var run = await vm.HookAsync();

        Assert.Equal(new Run(0, "", ""), run);
        Peer.AssertValid(vm.IncomingXml, "the two-vGPU incoming XML the test feeds the hook");
    }

    [Fact]
    public async Task Two_devices_of_one_type_are_refused_when_no_pairing_is_live()
    {
        using var vm = new Migration(fleet, [("1.0", "2.0"), ("1.0", "3.0")]);
        await vm.StoreSourceAsync();

        var run = await vm.HookAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(2, run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith(vm.Prefix + "VALUE_MISMATCH: ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_incoming_xml_with_more_devices_than_the_fleet_knows_is_refused()
    {
        using var vm = new Migration(fleet, [("1.0", "1.0"), ("1.0", "1.0")]);
        await vm.StoreSourceAsync(guestDevices: 1);

        var run = await vm.HookAsync();

        AssertRefused(vm, run, "FLEET_DEVICES_DIFFER", $"the fleet lists 1 device(s) of {vm.Name} on {vm.SourceHost}");
    }

    [Fact]
    public async Task A_kubevirt_domain_the_fleet_knows_by_name_only_passes()
    {
        using var vm = new Migration(fleet, [("1.0", "1.0")]);
        await vm.StoreSourceAsync(guestUuid: null);

        var run = await vm.HookAsync();

        Assert.Equal(new Run(0, "", ""), run);
    }

    [Fact]
    public async Task A_name_the_fleet_knows_with_another_uuid_is_another_vm_and_refused()
    {
        using var vm = new Migration(fleet, [("1.0", "1.0")]);
        await vm.StoreSourceAsync(guestUuid: "0d1f2e3a-1111-4c5e-9a3b-6e0e2f1c4b5c");

        var run = await vm.HookAsync();

        AssertRefused(vm, run, "FLEET_VM_UNKNOWN", $"the fleet's VM named {vm.Name} on {vm.SourceHost} has UUID 0d1f2e3a-1111-4c5e-9a3b-6e0e2f1c4b5c, not this domain's {vm.Uuid}");
    }

    [Fact]
    public async Task A_name_two_hosts_list_is_refused_but_the_uuid_finds_the_vm_on_one()
    {
        using var byName = new Migration(fleet, [("1.0", "1.0")]);
        await byName.StoreSourceAsync(guestUuid: null);
        await byName.StoreSourceAsync(guestUuid: null, host: byName.SourceHost + "-stale");
        using var byUuid = new Migration(fleet, [("1.0", "1.0")]);
        await byUuid.StoreSourceAsync();
        await byUuid.StoreSourceAsync(guestUuid: null, host: byUuid.SourceHost + "-other");

        var ambiguous = await byName.HookAsync();
        var found = await byUuid.HookAsync();

        AssertRefused(byName, ambiguous, "FLEET_VM_AMBIGUOUS", $"several hosts of the fleet list a VM with the name {byName.Name}");
        Assert.Equal(new Run(0, "", ""), found);
    }

    [Fact]
    public async Task Without_a_server_and_without_metadata_the_refusal_names_both_ways_out()
    {
        using var vm = new Migration(fleet, [("1.0", "1.0")]);

        var run = await vm.HookAsync(server: "");

        AssertRefused(vm, run, "NO_METADATA", "either run 'migcompat migrate-xml' on the source and migrate with 'virsh migrate --xml', or set MIGCOMPAT_SERVER and MIGCOMPAT_TOKEN in /etc/migcompat/libvirt-hook.env so the fleet decides");
    }

    private static void AssertRefused(Migration vm, Run run, string code, string text)
    {
        Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}\n{run.Stderr}");
        Assert.Equal("", run.Stdout);
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, line => Assert.StartsWith(vm.Prefix, line, StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith(vm.Prefix + code + ": ", StringComparison.Ordinal) && line.Contains(text, StringComparison.Ordinal));
    }

    /// <summary>
    /// The gpu-vm.xml fixture (virsh dumpxml's shape) renamed, with one mdev hostdev per id (copies of its own): the XML
    /// Nova's _update_mdev_xml hands the destination, no MigCompat metadata.
    /// </summary>
    internal static string NovaXml(string name, string uuid, IReadOnlyList<string> mdevs)
    {
        var document = XDocument.Parse(Peer.Domain(Base), LoadOptions.PreserveWhitespace);
        var domain = document.Root!;
        domain.Element("name")!.Value = name;
        domain.Element("uuid")!.Value = uuid;
        var hostdev = domain.Element("devices")!.Element("hostdev")!;
        for (var i = mdevs.Count - 1; i >= 0; i--)
        {
            var copy = new XElement(hostdev);
            copy.Element("source")!.Element("address")!.SetAttributeValue("uuid", mdevs[i]);
            if (i > 0)
            {
                copy.Element("address")!.Remove(); // the fixture's root port takes one device; libvirt places the others
            }

            hostdev.AddAfterSelf(copy);
        }

        hostdev.Remove();
        return document.ToString(SaveOptions.DisableFormatting);
    }

    private static int ClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>One real <c>migcompat serve</c> for the class; each test stores its own hosts and VM names.</summary>
    public sealed class ServerFixture : IAsyncLifetime
    {
        public string Root { get; } = Path.Combine(Path.GetTempPath(), "migcompat-fleet-hook-" + Guid.NewGuid().ToString("N"));

        public FleetServer Server { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Directory.CreateDirectory(Root);
            Server = await FleetServer.StartAsync(Root);
        }

        public ValueTask DisposeAsync()
        {
            Server?.Dispose();
            Directory.Delete(Root, recursive: true);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// One VM moving from a source host the fleet stores to this host (an inventory file): the gpu-vm.xml fixture under
    /// a fresh name and UUID, with one mdev per (source, target) stream version pair; the incoming XML names this
    /// host's mdevs, as Nova's _update_mdev_xml writes it.
    /// </summary>
    private sealed class Migration : IDisposable
    {
        private readonly ServerFixture fleet;
        private readonly ImmutableArray<string> sourceVersions;

        public Migration(ServerFixture fleet, (string Source, string Target)[] streamVersions, string? targetGuest = null)
        {
            this.fleet = fleet;
            var id = Guid.NewGuid().ToString("N")[..8];
            Name = "instance-" + id;
            Uuid = Guid.NewGuid().ToString("D");
            SourceHost = "src-" + id;
            TargetHost = "dst-" + id;
            sourceVersions = [.. streamVersions.Select(v => v.Source)];
            Sources = [.. streamVersions.Select((_, i) => i == 0 ? "53764d0e-85a0-42b4-af5c-2046b460b1dc" : $"53764d0e-85a0-42b4-af5c-{i:d12}")];
            Targets = [.. streamVersions.Select((_, i) => $"aaaaaaaa-{id[..4]}-4000-8000-{i:d12}")];
            var devices = streamVersions.Select((v, i) => Fixture.Device(Targets[i], true, v.Target, false)).ToImmutableArray();
            var target = new HostInventory(1, TargetHost, DateTimeOffset.UtcNow, devices, [], [])
            {
                Guests = targetGuest is null ? [] : [new InventoryGuest(targetGuest, null, [.. Targets])],
            };
            Directory.CreateDirectory(Root);
            File.WriteAllText(TargetInventoryPath, InventoryJson.Serialize(target));
            IncomingXml = NovaXml(Name, Uuid, Targets);
        }

        public string Name { get; }

        public string Uuid { get; }

        public string SourceHost { get; }

        public string TargetHost { get; }

        public ImmutableArray<string> Sources { get; }

        public ImmutableArray<string> Targets { get; }

        /// <summary>The XML libvirt hands the destination's hook: the domain with this host's mdevs, no MigCompat metadata.</summary>
        public string IncomingXml { get; }

        public string Prefix => $"migcompat libvirt-hook: {Name}: migration refused: ";

        private string Root { get; } = Path.Combine(Path.GetTempPath(), "migcompat-fleet-hook-vm-" + Guid.NewGuid().ToString("N"));

        private string TargetInventoryPath => Path.Combine(Root, "inventory.json");

        /// <summary>PUTs the source host's inventory, with the VM as its guest (by default with its UUID and every device).</summary>
        public async Task StoreSourceAsync(bool guest = true, string? guestUuid = "", int? guestDevices = null, string? host = null)
        {
            var inventory = new HostInventory(1, host ?? SourceHost, DateTimeOffset.UtcNow, [.. Sources.Select((s, i) => Fixture.Device(s, true, sourceVersions[i], true))], [], [])
            {
                Guests = guest ? [new InventoryGuest(Name, guestUuid == "" ? Uuid : guestUuid, [.. Sources.Take(guestDevices ?? Sources.Length)])] : [],
            };
            await fleet.Server.PutInventoryAsync(inventory);
        }

        /// <summary>Runs the hook as libvirt runs it on this host: <c>NAME migrate begin -</c>, the XML on stdin.</summary>
        public Task<Run> HookAsync(string? xml = null, string? server = null, string? timeout = null)
        {
            var environment = new Dictionary<string, string> { ["MIGCOMPAT_HOOK_INVENTORY"] = TargetInventoryPath };
            if ((server ?? fleet.Server.Url) is { Length: > 0 } url)
            {
                environment["MIGCOMPAT_SERVER"] = url;
                environment["MIGCOMPAT_TOKEN"] = FleetServer.AdminToken;
            }

            if (timeout is not null)
            {
                environment["MIGCOMPAT_HOOK_TIMEOUT"] = timeout;
            }

            return Migcompat.RunAsync(["libvirt-hook", Name, "migrate", "begin", "-"], xml ?? IncomingXml, environment);
        }

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }
}
