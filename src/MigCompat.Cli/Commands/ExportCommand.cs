using System.CommandLine;
using System.Globalization;
using k8s;
using MigCompat.Cli.Fleet;
using MigCompat.Cli.Input;
using MigCompat.Cli.Output;
using MigCompat.Cli.Publishing;
using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Publishing;
using MigCompat.Kubernetes;

namespace MigCompat.Cli.Commands;

/// <summary>
/// <c>migcompat export kubevirt|dra</c>: which nodes accept which source classes live, as Kubernetes objects —
/// node labels and a KubeVirt migration with <c>addedNodeSelector</c>, or DRA ResourceSlices (docs/integrations-kubernetes.md).
/// </summary>
internal static class ExportCommand
{
    private const string Yaml = "yaml";

    /// <summary>Creates the command.</summary>
    /// <returns>The <c>export</c> command with <c>kubevirt</c> and <c>dra</c>.</returns>
    public static Command Create()
    {
        var command = new Command("export", "Print which nodes accept which source classes live as Kubernetes objects (KubeVirt node labels and migrations, DRA ResourceSlices).");
        command.Subcommands.Add(KubeVirt());
        command.Subcommands.Add(Dra());
        return command;
    }

    private static Command KubeVirt()
    {
        var (server, token, format) = Common();
        var vm = new Option<string?>("--vm") { Description = "The VM (VMI) to migrate: prints a VirtualMachineInstanceMigration for it instead of the node labels. Its devices come from --device, --domain-xml or --descriptor, else from the fleet (the VM by name or UUID, as targets --vm finds it; with --namespace, KubeVirt's domain name NAMESPACE_NAME first).", HelpName = "NAME|UUID" };
        var ns = new Option<string?>("--namespace") { Description = "The VMI's namespace (with --vm).", HelpName = "NAMESPACE" };
        var from = new Option<string?>("--from") { Description = "The host (node) the VM runs on now: --device and --domain-xml name its devices there.", HelpName = "HOST" };
        var devices = new Option<string[]>("--device") { Description = "A device of the VM by its id on the --from host (mdev UUID or PCI address); repeat for several.", HelpName = "ID", AllowMultipleArgumentsPerToken = true };
        var domainXml = new Option<string?>("--domain-xml") { Description = "The VM's libvirt domain XML: every mdev and PCI host device it is assigned, by id on the --from host.", HelpName = "FILE" };
        var descriptors = new Option<string[]>("--descriptor") { Description = "A device of the VM as a descriptor (any input check reads); repeat for several.", HelpName = "FILE", AllowMultipleArgumentsPerToken = true };
        var command = new Command("kubevirt", "Print node labels migcompat.dev/live.<class>=\"true\" for every node, or with --vm a VirtualMachineInstanceMigration whose addedNodeSelector asks for every class of the VM's devices.")
        {
            server, token, vm, ns, from, devices, domainXml, descriptors, format,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var vmName = parse.GetValue(vm);
            var ids = parse.GetValue(devices) ?? [];
            var files = parse.GetValue(descriptors) ?? [];
            var domain = parse.GetValue(domainXml);
            var source = parse.GetValue(from);
            if (vmName is null && (ids.Length > 0 || files.Length > 0 || domain is not null || parse.GetValue(ns) is not null))
            {
                await stderr.WriteLineAsync("export kubevirt: --device, --domain-xml, --descriptor and --namespace describe a VM to migrate; name it with --vm NAME");
                return ExitCodes.UnusableInput;
            }

            if (source is null && (ids.Length > 0 || domain is not null))
            {
                await stderr.WriteLineAsync("export kubevirt: --device and --domain-xml name devices on the VM's current host; give it with --from HOST");
                return ExitCodes.UnusableInput;
            }

            var domainIds = domain is null ? [] : TargetsInput.DomainDeviceIds("export kubevirt", domain, stderr);
            var inline = LoadDescriptors(files, stderr);
            if (domainIds is null || inline is null)
            {
                return ExitCodes.UnusableInput;
            }

            var (report, exitCode) = await SourceClassesSource.FetchAsync("export kubevirt", parse.GetValue(server), parse.GetValue(token), stderr, cancellationToken);
            if (report is null)
            {
                return exitCode;
            }

            if (vmName is null)
            {
                Write(stdout, parse.GetValue(format), KubeVirtExport.NodeLabels(report));
                await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"export kubevirt: {report.Hosts.Length} node(s), {report.Classes.Length} source class(es); apply with: kubectl apply --server-side --field-manager=migcompat -f -"));
                return ExitCodes.Success;
            }

            if (ids.Length + files.Length == 0 && domain is null)
            {
                // The VM as the hosts' agents found it (GET /v1/vms): its host and devices.
                var found = await FindVmAsync(vmName, parse.GetValue(ns), source, parse.GetValue(server), parse.GetValue(token), stderr, cancellationToken);
                if (found.Vm is not { } located)
                {
                    return found.ExitCode;
                }

                (vmName, source, ids) = located;
            }

            if (!KubernetesNames.IsDnsSubdomain(vmName))
            {
                await stderr.WriteLineAsync($"export kubevirt: '{vmName}' is not a VMI name (lower-case letters, digits, '-' and '.', at most 253 characters); for KubeVirt's domain NAMESPACE_NAME give --vm NAME --namespace NAMESPACE");
                return ExitCodes.UnusableInput;
            }

            var classes = await ClassesAsync(report, source, [.. ids, .. domainIds], inline, stderr);
            if (classes is null)
            {
                return ExitCodes.UnusableInput;
            }

            Write(stdout, parse.GetValue(format), [KubeVirtExport.Migration(vmName, parse.GetValue(ns), classes)]);
            var nodes = KubeVirtExport.NodesAccepting(report, classes, source);
            if (nodes.Count == 0)
            {
                await stderr.WriteLineAsync($"export kubevirt: no node (other than {source ?? "the VM's"}, and not drained) accepts every class of the VM live ({string.Join(", ", classes)}); the migration would stay pending");
                return FleetExitCodes.NoTarget;
            }

            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"export kubevirt: {nodes.Count} node(s) accept every class of the VM live: {string.Join(", ", nodes.Take(10))}{(nodes.Count > 10 ? ", ..." : "")} (capacity is the scheduler's to check)"));
            return ExitCodes.Success;
        });
        return CommandHelp.Describe(
            command,
            [
                "migcompat export kubevirt --server http://fleet:8080 | kubectl apply --server-side --field-manager=migcompat -f -",
                "migcompat export kubevirt --vm vm-42 --namespace tenants --from node-07 --device 6a4c1b6e-4b3c-4d7e-9f0a-1b2c3d4e5f60 | kubectl create -f -",
                "migcompat export kubevirt --vm vm-42 --namespace tenants",
                "migcompat export kubevirt --vm vm-42 --descriptor vgpu.desc --format json",
            ],
            [
                (ExitCodes.Success, "printed (with --vm: some node accepts every class of the VM live)"),
                (FleetExitCodes.NoTarget, "with --vm: printed, but no node accepts every class of the VM live (the migration would stay pending)"),
                (ExitCodes.UnusableInput, "bad usage, an unreadable file, or a device the --from host does not have"),
                (FleetExitCodes.ServerFailed, "the server could not be reached, refused the token, or failed"),
                (ExitCodes.InternalError, "internal error (a bug; please report it)"),
            ]);
    }

    private static Command Dra()
    {
        var (server, token, format) = Common();
        var host = new Option<string>("--host") { Description = "The host (node) whose resources to print.", HelpName = "HOST", Required = true };
        var command = new Command("dra", "Print a host's resources as DRA ResourceSlices (resource.k8s.io/v1) with typed attributes: kind, parent, mdev type, driver version (semver) and live_<class> per class accepted live.")
        {
            server, token, host, format,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var name = parse.GetRequiredValue(host);
            var (report, exitCode) = await SourceClassesSource.FetchAsync("export dra", parse.GetValue(server), parse.GetValue(token), stderr, cancellationToken, name);
            if (report is null)
            {
                return exitCode;
            }

            if (report.Hosts.FirstOrDefault(h => h.Host == name) is not { } acceptance)
            {
                await stderr.WriteLineAsync($"export dra: host '{name}' is not in the fleet; migcompat hosts list shows the hosts");
                return ExitCodes.UnusableInput;
            }

            var (inventory, inventoryExit) = await InventoryAsync(name, parse.GetValue(server), parse.GetValue(token), stderr, cancellationToken);
            if (inventory is null)
            {
                return inventoryExit;
            }

            var slices = DraExport.Slices(acceptance, r => DriverOf(inventory, r), out var warnings);
            foreach (var warning in warnings)
            {
                await stderr.WriteLineAsync("export dra: " + warning);
            }

            Write(stdout, parse.GetValue(format), slices);
            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"export dra: {acceptance.Resources.Length} device(s) of {name} in {slices.Count} slice(s); only the devices' DRA driver publishes slices in a cluster (docs/integrations-kubernetes.md)"));
            return ExitCodes.Success;
        });
        return CommandHelp.Describe(
            command,
            ["migcompat export dra --host node-07 --server http://fleet:8080", "migcompat export dra --host node-07 --format json"],
            [
                (ExitCodes.Success, "printed"),
                (ExitCodes.UnusableInput, "bad usage, or a host not in the fleet"),
                (FleetExitCodes.ServerFailed, "the server could not be reached, refused the token, or failed"),
                (ExitCodes.InternalError, "internal error (a bug; please report it)"),
            ]);
    }

    private static (Option<string?> Server, Option<string?> Token, Option<string> Format) Common()
    {
        var format = new Option<string>("--format")
        {
            Description = $"Output format: '{Yaml}' (default; documents separated by ---) or '{CliOptions.Json}' (one v1 List); alone on stdout, messages on stderr.",
            HelpName = $"{Yaml}|{CliOptions.Json}",
            DefaultValueFactory = _ => Yaml,
        };
        format.AcceptOnlyFromAmong(Yaml, CliOptions.Json);
        return (
            new Option<string?>("--server") { Description = "The fleet server's base URL (or MIGCOMPAT_SERVER).", HelpName = "URL" },
            new Option<string?>("--token") { Description = "The fleet server's read token (or MIGCOMPAT_TOKEN).", HelpName = "TOKEN" },
            format);
    }

    private static void Write(TextWriter output, string? format, IReadOnlyList<object> objects)
    {
        if (format == CliOptions.Json)
        {
            output.WriteLine(KubernetesJson.Serialize(new Dictionary<string, object> { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = objects }));
            return;
        }

        foreach (var (item, i) in objects.Select((o, i) => (o, i)))
        {
            output.Write(i == 0 ? string.Empty : "---\n");
            output.Write(KubernetesYaml.Serialize(item).TrimEnd('\n') + "\n");
        }
    }

    private static List<VmDescriptor>? LoadDescriptors(string[] files, TextWriter stderr)
    {
        var loaded = new List<VmDescriptor>();
        foreach (var file in files)
        {
            var result = DescriptorInput.Load(file);
            DiagnosticOutput.WriteLines(stderr, result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
            if (result.Descriptor is not { } descriptor)
            {
                return null;
            }

            loaded.Add(new VmDescriptor(file, SourceClassId.For(descriptor)));
        }

        return loaded;
    }

    /// <summary>The distinct classes of the VM's devices, or null after saying which device is unknown.</summary>
    private static async Task<IReadOnlyList<string>?> ClassesAsync(SourceClassReport report, string? source, IReadOnlyList<string> ids, List<VmDescriptor> inline, TextWriter stderr)
    {
        var classes = new List<string>();
        if (ids.Count > 0)
        {
            if (report.Hosts.FirstOrDefault(h => h.Host == source) is not { } host)
            {
                await stderr.WriteLineAsync($"export kubevirt: the --from host '{source}' is not in the fleet; migcompat hosts list shows the hosts");
                return null;
            }

            foreach (var id in ids)
            {
                if (host.Sources.FirstOrDefault(s => string.Equals(s.DeviceId, id, StringComparison.OrdinalIgnoreCase)) is not { } device)
                {
                    await stderr.WriteLineAsync($"export kubevirt: host {source} has no device '{id}' with a usable descriptor in its inventory; check the id (mdev UUID or PCI address) or rescan the host");
                    return null;
                }

                classes.Add(device.ClassId);
            }
        }

        var known = report.Classes.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var descriptor in inline)
        {
            if (!known.Contains(descriptor.ClassId))
            {
                await stderr.WriteLineAsync($"export kubevirt: warning: {descriptor.File} is of class {descriptor.ClassId}, which no device in the fleet has, so no node carries its label");
            }

            classes.Add(descriptor.ClassId);
        }

        return [.. classes.Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Finds the VM by name or UUID (<c>GET /v1/vms/{nameOrUuid}</c>, on <paramref name="host"/> when given): KubeVirt's
    /// virt-launcher names the libvirt domain <c>NAMESPACE_NAME</c>, so with a namespace that name is tried first. The VMI
    /// name is the domain name without that prefix.
    /// </summary>
    private static async Task<((string Name, string Host, string[] Devices)? Vm, int ExitCode)> FindVmAsync(string vm, string? namespaceName, string? host, string? server, string? token, TextWriter stderr, CancellationToken cancellationToken)
    {
        FleetCommands.TryServer(server ?? Environment.GetEnvironmentVariable("MIGCOMPAT_SERVER"), TextWriter.Null, out var url);
        using var client = new FleetClient(url, token ?? Environment.GetEnvironmentVariable("MIGCOMPAT_TOKEN"));
        var query = host is null ? string.Empty : "?host=" + Uri.EscapeDataString(host);
        var names = namespaceName is null ? [vm] : new[] { namespaceName + "_" + vm, vm };
        for (var i = 0; i < names.Length; i++)
        {
            using var messages = new StringWriter();
            var path = "/v1/vms/" + Uri.EscapeDataString(names[i]) + query;
            var (answer, exitCode) = await FleetClient.CallAsync("export kubevirt", url, () => client.GetAsync(path, cancellationToken), messages, cancellationToken);
            if (answer is null && i < names.Length - 1 && messages.ToString().Contains("HTTP 404", StringComparison.Ordinal))
            {
                continue;
            }

            await stderr.WriteAsync(messages.ToString());
            if (answer?.Json is not { } json)
            {
                if (exitCode == ExitCodes.UnusableInput)
                {
                    await stderr.WriteLineAsync("export kubevirt: or name the VM's devices: --from HOST --device ID, --from HOST --domain-xml FILE, or --descriptor FILE");
                }

                return (null, answer is null ? exitCode : FleetExitCodes.ServerFailed);
            }

            var found = json.GetProperty("name").GetString()!;
            var prefix = namespaceName + "_";
            return ((namespaceName is not null && found.StartsWith(prefix, StringComparison.Ordinal) ? found[prefix.Length..] : found,
                     json.GetProperty("host").GetString()!,
                     [.. json.GetProperty("devices").EnumerateArray().Select(d => d.GetString()!)]), ExitCodes.Success);
        }

        return (null, ExitCodes.UnusableInput);
    }

    private static async Task<(HostInventory? Inventory, int ExitCode)> InventoryAsync(string host, string? server, string? token, TextWriter stderr, CancellationToken cancellationToken)
    {
        FleetCommands.TryServer(server ?? Environment.GetEnvironmentVariable("MIGCOMPAT_SERVER"), TextWriter.Null, out var url);
        using var client = new FleetClient(url, token ?? Environment.GetEnvironmentVariable("MIGCOMPAT_TOKEN"));
        var (answer, exitCode) = await FleetClient.CallAsync("export dra", url, () => client.GetAsync("/v1/hosts/" + Uri.EscapeDataString(host), cancellationToken), stderr, cancellationToken);
        if (answer?.Json is not { } json || !json.TryGetProperty("inventory", out var element))
        {
            return (null, answer is null ? exitCode : FleetExitCodes.ServerFailed);
        }

        if (InventoryJson.Read(element.GetRawText()).Inventory is not { } inventory)
        {
            await stderr.WriteLineAsync($"export dra: the server at {url} sent an inventory of {host} this migcompat cannot read (is it the same version?)");
            return (null, FleetExitCodes.ServerFailed);
        }

        return (inventory, ExitCodes.Success);
    }

    private static (string? Driver, string? Version) DriverOf(HostInventory inventory, ResourceAcceptance resource)
    {
        if (resource.Kind == AcceptingResourceKind.Device)
        {
            var device = inventory.Devices.FirstOrDefault(d => string.Equals(d.Id, resource.Id, StringComparison.OrdinalIgnoreCase));
            return (device?.Driver, device?.DriverVersion);
        }

        var type = inventory.CreatableTypes.FirstOrDefault(t => t.Parent == resource.Parent && t.TypeId == resource.Id);
        return (type?.Driver, type?.DriverVersion);
    }

    private sealed record VmDescriptor(string File, string ClassId);
}
