using k8s;
using k8s.Models;
using MigCompat.Cli;
using MigCompat.Placement.Tests;

namespace MigCompat.Kubernetes.Tests;

/// <summary><c>migcompat export kubevirt|dra</c> against a loopback migcompat server; the output is read back into the Kubernetes API types.</summary>
public sealed class ExportTests
{
    private const string VmDevice = "6a4c1b6e-0000-4000-8000-000000000001";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Node_labels_name_every_node_with_a_true_label_per_class_it_accepts_live()
    {
        await using var fleet = await TestFleet.StartAsync(TestFleet.Hosts(""));

        var run = await RunAsync("export", "kubevirt", "--server", fleet.Url, "--token", TestFleet.ReadToken);

        Assert.True(run.Code == 0, run.Stderr);
        var nodes = KubernetesYaml.LoadAllFromString(run.Stdout).Cast<V1Node>().ToList();
        Assert.Equal(["gpu-01", "gpu-02"], nodes.Select(n => n.Metadata.Name));
        var label = Assert.Single(nodes[1].Metadata.Labels);
        Assert.StartsWith("migcompat.dev/live.nvidia-63-", label.Key, StringComparison.Ordinal);
        Assert.Equal("true", label.Value);
        Assert.Equal(nodes[0].Metadata.Labels, nodes[1].Metadata.Labels);
        Assert.All(nodes.SelectMany(n => n.Metadata.Labels), l => Assert.True(KubernetesNames.IsLabelKey(l.Key) && KubernetesNames.IsLabelValue(l.Value), l.Key));
        Assert.Contains("kubectl apply --server-side", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vms_migration_selects_the_nodes_labelled_for_its_devices_class_whether_named_by_id_domain_xml_or_descriptor()
    {
        await using var fleet = await TestFleet.StartAsync(TestFleet.Hosts(""));
        var directory = Directory.CreateTempSubdirectory("migcompat-export-").FullName;
        var descriptor = Path.Combine(directory, "vgpu.desc");
        await File.WriteAllTextAsync(descriptor, "device_api=vfio-pci\nmdev_type=nvidia-63\nsoftware_version=17.0.0\nCOMPATIBLE:\ndevice_api=vfio-pci\nmdev_type=nvidia-63\nsoftware_version={v:string:\"17.0.0\",\"17.1.0\"}\n", Ct);
        var domain = Path.Combine(directory, "vm.xml");
        await File.WriteAllTextAsync(domain, $"<domain type='kvm'><name>vm-42</name><devices><hostdev mode='subsystem' type='mdev' model='vfio-pci'><source><address uuid='{VmDevice}'/></source></hostdev></devices></domain>", Ct);

        var byId = await RunAsync("export", "kubevirt", "--server", fleet.Url, "--token", TestFleet.ReadToken, "--vm", "vm-42", "--namespace", "tenants", "--from", "gpu-01", "--device", VmDevice);
        var byDomain = await RunAsync("export", "kubevirt", "--server", fleet.Url, "--token", TestFleet.ReadToken, "--vm", "vm-42", "--namespace", "tenants", "--from", "gpu-01", "--domain-xml", domain);
        var byDescriptor = await RunAsync("export", "kubevirt", "--server", fleet.Url, "--token", TestFleet.ReadToken, "--vm", "vm-42", "--namespace", "tenants", "--descriptor", descriptor);
        var labels = KubernetesYaml.LoadAllFromString((await RunAsync("export", "kubevirt", "--server", fleet.Url, "--token", TestFleet.ReadToken)).Stdout).Cast<V1Node>().Single(n => n.Metadata.Name == "gpu-02").Metadata.Labels;

        Assert.True(byId.Code == 0, byId.Stderr);
        var migration = KubernetesYaml.Deserialize<VirtualMachineInstanceMigration>(byId.Stdout);
        Assert.Equal("kubevirt.io/v1", migration.ApiVersion);
        Assert.Equal("VirtualMachineInstanceMigration", migration.Kind);
        Assert.Equal("vm-42", migration.Spec.VmiName);
        Assert.Equal("tenants", migration.Metadata.NamespaceProperty);
        Assert.Equal(labels, migration.Spec.AddedNodeSelector);
        Assert.Contains("1 node(s) accept every class of the VM live: gpu-02", byId.Stderr, StringComparison.Ordinal);
        Assert.True(byDomain.Code == 0, byDomain.Stderr);
        Assert.Equal(byId.Stdout, byDomain.Stdout);
        Assert.True(byDescriptor.Code == 0, byDescriptor.Stderr);
        Assert.Equal(byId.Stdout, byDescriptor.Stdout);
        Assert.DoesNotContain("warning", byDescriptor.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("vm-42", "tenants", "vm-42")]
    [InlineData("0f0e0d0c-0b0a-4908-8706-050403020100", "tenants", "vm-42")]
    public async Task A_vm_named_alone_is_found_in_the_fleet_as_kubevirts_namespace_name_domain_and_migrated_by_its_vmi_name(string vm, string? ns, string vmiName)
    {
        var hosts = TestFleet.Hosts("");
        hosts[0] = hosts[0] with { Guests = [new MigCompat.Discovery.Inventory.InventoryGuest("tenants_vm-42", "0f0e0d0c-0b0a-4908-8706-050403020100", [VmDevice])] };
        await using var fleet = await TestFleet.StartAsync(hosts);
        var byDevice = await RunAsync("export", "kubevirt", "--server", fleet.Url, "--token", TestFleet.ReadToken, "--vm", "vm-42", "--from", "gpu-01", "--device", VmDevice);

        string[] args = ["export", "kubevirt", "--server", fleet.Url, "--token", TestFleet.ReadToken, "--vm", vm];
        var run = await RunAsync(ns is null ? args : [.. args, "--namespace", ns]);

        Assert.True(run.Code == 0, run.Stderr);
        var migration = KubernetesYaml.Deserialize<VirtualMachineInstanceMigration>(run.Stdout);
        Assert.Equal(vmiName, migration.Spec.VmiName);
        Assert.Equal(KubernetesYaml.Deserialize<VirtualMachineInstanceMigration>(byDevice.Stdout).Spec.AddedNodeSelector, migration.Spec.AddedNodeSelector);
        Assert.Contains("gpu-02", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vm_the_fleet_does_not_know_is_said_with_how_to_name_its_devices_and_exits_2()
    {
        await using var fleet = await TestFleet.StartAsync(TestFleet.Hosts(""));

        var run = await RunAsync("export", "kubevirt", "--server", fleet.Url, "--token", TestFleet.ReadToken, "--vm", "vm-43", "--namespace", "tenants");

        Assert.Equal(2, run.Code);
        Assert.Contains("HTTP 404", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("or name the VM's devices", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task A_vm_no_other_node_accepts_live_gets_its_migration_printed_and_exit_1()
    {
        await using var fleet = await TestFleet.StartAsync(TestFleet.Hosts("")[0]);

        var run = await RunAsync("export", "kubevirt", "--server", fleet.Url, "--token", TestFleet.ReadToken, "--vm", "vm-42", "--from", "gpu-01", "--device", VmDevice, "--format", "json");

        Assert.Equal(1, run.Code);
        Assert.Contains("\"VirtualMachineInstanceMigration\"", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("no node", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--vm", "vm-42", "--from", "gpu-01", "--device", "no-such-device" }, "host gpu-01 has no device 'no-such-device'")]
    [InlineData(new[] { "--vm", "vm-42", "--device", VmDevice }, "give it with --from HOST")]
    [InlineData(new[] { "--device", VmDevice, "--from", "gpu-01" }, "name it with --vm NAME")]
    [InlineData(new[] { "--vm", "tenants_vm-42", "--from", "gpu-01", "--device", VmDevice }, "is not a VMI name")]
    public async Task Bad_vm_input_exits_2_with_a_message(string[] args, string expected)
    {
        await using var fleet = await TestFleet.StartAsync(TestFleet.Hosts(""));

        var run = await RunAsync(["export", "kubevirt", "--server", fleet.Url, "--token", TestFleet.ReadToken, .. args]);

        Assert.Equal(2, run.Code);
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task Dra_slices_carry_typed_attributes_within_the_api_limits_with_the_driver_version_as_semver_and_raw()
    {
        await using var fleet = await TestFleet.StartAsync(TestFleet.Hosts(""));

        var run = await RunAsync("export", "dra", "--host", "gpu-02", "--server", fleet.Url, "--token", TestFleet.ReadToken);

        Assert.True(run.Code == 0, run.Stderr);
        var slice = Assert.Single(KubernetesYaml.LoadAllFromString(run.Stdout).Cast<V1ResourceSlice>());
        DraLimits.AssertValid(slice);
        Assert.Equal("gpu-02", slice.Spec.NodeName);
        Assert.Equal("migcompat.dev", slice.Spec.Driver);
        Assert.Equal(["type-0000-84-00-0-nvidia-63", "type-0000-85-00-0-nvidia-63"], slice.Spec.Devices.Select(d => d.Name));
        var accepting = slice.Spec.Devices[0].Attributes;
        Assert.Equal("550.127.8", accepting["migcompat.dev/driverVersion"].Version);
        Assert.Equal("550.127.08", accepting["migcompat.dev/driverVersionRaw"].StringValue);
        Assert.Equal("0000:84:00.0", accepting["migcompat.dev/parent"].StringValue);
        Assert.Equal(4, accepting["migcompat.dev/capacity"].IntValue);
        Assert.Single(accepting, a => a.Key.StartsWith("migcompat.dev/live_", StringComparison.Ordinal) && a.Value.BoolValue == true);
        Assert.DoesNotContain(slice.Spec.Devices[1].Attributes, a => a.Key.StartsWith("migcompat.dev/live_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dra_of_a_host_not_in_the_fleet_exits_2()
    {
        await using var fleet = await TestFleet.StartAsync(TestFleet.Hosts(""));

        var run = await RunAsync("export", "dra", "--host", "nowhere", "--server", fleet.Url, "--token", TestFleet.ReadToken);

        Assert.Equal(2, run.Code);
        Assert.Contains("host 'nowhere' is not in the fleet", run.Stderr, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, Ct);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
