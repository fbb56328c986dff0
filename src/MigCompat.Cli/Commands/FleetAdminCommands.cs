using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MigCompat.Cli.Fleet;
using MigCompat.Cli.Input;
using MigCompat.Cli.Output;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Cli.Commands;

/// <summary>
/// <c>migcompat hosts ...</c>, <c>migcompat vms ...</c> and <c>migcompat claims ...</c>: the fleet API's host, VM and claim operations
/// (docs/api.md) from the command line. <c>--format json</c> prints the server's answer as it is.
/// </summary>
internal static class FleetAdminCommands
{
    private static readonly (int Code, string Meaning)[] AdminExitCodes =
    [
        (ExitCodes.Success, "success"),
        (ExitCodes.UnusableInput, "bad usage, or the server refused the request (unknown host, VM or claim; a VM name two hosts list; conflict; bad input)"),
        (FleetExitCodes.ServerFailed, "the server could not be reached, refused the token, or failed"),
        (ExitCodes.InternalError, "internal error (a bug; please report it)"),
    ];

    /// <summary>Creates the commands.</summary>
    /// <returns>The commands.</returns>
    internal static IEnumerable<Command> Create() => [Hosts(), Vms(), Claims()];

    private static Command Hosts()
    {
        var command = new Command("hosts", "List, show, store, drain, undrain and delete the fleet's hosts.");
        command.Subcommands.Add(PutHost());
        command.Subcommands.Add(Call(command.Name, "list", "List every host: generation, drained, last update, devices.", [], "GET", _ => "/v1/hosts", WriteHostList, "migcompat hosts list --server http://fleet:8080"));
        command.Subcommands.Add(Call(command.Name, "show", "Show one host: its resources with capacity, claimed and available units.", ["HOST"], "GET", a => "/v1/hosts/" + Escape(a[0]), WriteHost, "migcompat hosts show gpu-07 --server http://fleet:8080"));
        command.Subcommands.Add(Call(command.Name, "drain", "Drain a host: no VM is sent there until it is undrained.", ["HOST"], "POST", a => $"/v1/hosts/{Escape(a[0])}/drain", WriteDrain, "migcompat hosts drain gpu-07 --server http://fleet:8080 --token $ADMIN_TOKEN"));
        command.Subcommands.Add(Call(command.Name, "undrain", "Undrain a host: it takes VMs again.", ["HOST"], "POST", a => $"/v1/hosts/{Escape(a[0])}/undrain", WriteDrain, "migcompat hosts undrain gpu-07 --server http://fleet:8080 --token $ADMIN_TOKEN"));
        command.Subcommands.Add(Call(command.Name, "delete", "Delete a host with its claims.", ["HOST"], "DELETE", a => "/v1/hosts/" + Escape(a[0]), (_, output) => output.WriteLine("deleted"), "migcompat hosts delete gpu-07 --server http://fleet:8080 --token $ADMIN_TOKEN"));
        return command;
    }

    /// <summary>
    /// <c>hosts put FILE</c>: stores an inventory document (from <c>scan</c> or <c>import</c>, e.g. an mdevctl or
    /// libvirt export with its VMs) as its host's inventory, over the stored one (the generation is read first,
    /// as the agent does); a file with errors is refused here with its diagnostics, before the server sees it.
    /// </summary>
    private static Command PutHost()
    {
        var file = new Argument<string>("FILE") { Description = "An inventory document (docs/inventory.md): what 'migcompat scan' or 'migcompat import ... --format json' writes." };
        var command = new Command("put", "Store a host's inventory from a file (scan or import output) in the fleet, over the host's stored one.") { file };
        return Wire(
            "hosts put",
            command,
            async (parse, client, ct) =>
            {
                var inventory = InventoryInput.Read(parse.GetRequiredValue(file)).Inventory!;
                var path = "/v1/hosts/" + Escape(inventory.Host);
                var current = await client.GetAsync(path, ct);
                var generation = current.Status == System.Net.HttpStatusCode.NotFound ? 0 : current.LongProperty("generation");
                return generation is { } stored
                    ? await client.PutInventoryAsync(inventory.Host, InventoryJson.Serialize(inventory), stored, ct)
                    : current;
            },
            (answer, output) =>
            {
                output.WriteLine($"{(answer.TryGetProperty("created", out var created) && created.ValueKind == JsonValueKind.True ? "created" : "updated")} host {Text(answer, "host")} (generation {Text(answer, "generation")})");
                foreach (var warning in Items(answer, "warnings"))
                {
                    output.WriteLine($"warning: {Text(warning, "message")}");
                }
            },
            "migcompat import domain-xml vm.xml --inventory host.json --format json > with-vms.json && migcompat hosts put with-vms.json --token $ADMIN_TOKEN",
            validate: (parse, stderr) =>
            {
                var read = InventoryInput.Read(parse.GetRequiredValue(file));
                DiagnosticOutput.WriteLines(stderr, read.Diagnostics);
                return read.Inventory is not null;
            });
    }

    /// <summary><c>vms list [--host H]</c> and <c>vms show NAME|UUID [--host H]</c>: the VMs the hosts' inventories list.</summary>
    private static Command Vms()
    {
        var command = new Command("vms", "List the VMs the hosts' inventories know, and find one by name or UUID.");
        var listHost = VmHostOption("Only the VMs of this host.");
        var list = new Command("list", "List the VMs the hosts' inventories know (guests), by host then name, with their devices.") { listHost };
        command.Subcommands.Add(Wire(
            "vms list",
            list,
            (parse, client, ct) => client.GetAsync("/v1/vms" + HostQuery(parse.GetValue(listHost)), ct),
            WriteVmList,
            "migcompat vms list --server http://fleet:8080 --host gpu-01"));
        var vm = new Argument<string>("NAME|UUID") { Description = "The VM's name or UUID." };
        var showHost = VmHostOption("Look only at this host (for a name that two hosts list, e.g. a stale inventory mid-migration).");
        var show = new Command("show", "Find a VM by name or UUID: the host whose inventory lists it, and its devices.") { vm, showHost };
        command.Subcommands.Add(Wire(
            "vms show",
            show,
            (parse, client, ct) => client.GetAsync("/v1/vms/" + Escape(parse.GetRequiredValue(vm)) + HostQuery(parse.GetValue(showHost)), ct),
            (answer, output) => WriteVms([answer], output),
            "migcompat vms show vm-web-01 --server http://fleet:8080"));
        return command;
    }

    private static Option<string?> VmHostOption(string description) => new("--host") { Description = description, HelpName = "HOST" };

    private static string HostQuery(string? host) => host is null ? "" : "?host=" + Escape(host);

    private static Command Claims()
    {
        var command = new Command("claims", "Create, show, confirm and release capacity claims for a migration.");
        command.Subcommands.Add(Call(command.Name, "show", "Show a claim.", ["CLAIM"], "GET", a => "/v1/claims/" + Escape(a[0]), WriteClaim, "migcompat claims show 3f2c... --server http://fleet:8080"));
        command.Subcommands.Add(Call(command.Name, "confirm", "Confirm a pending claim: it holds until released.", ["CLAIM"], "POST", a => $"/v1/claims/{Escape(a[0])}/confirm", WriteClaim, "migcompat claims confirm 3f2c... --server http://fleet:8080 --token $SCHEDULER_TOKEN"));
        command.Subcommands.Add(Call(command.Name, "release", "Release a claim: its units are free again.", ["CLAIM"], "DELETE", a => "/v1/claims/" + Escape(a[0]), WriteClaim, "migcompat claims release 3f2c... --server http://fleet:8080 --token $SCHEDULER_TOKEN"));
        command.Subcommands.Add(CreateClaim());
        return command;
    }

    /// <summary><c>claims create HOST --resource KEY[=COUNT]...</c>: holds units of resources on a host for a migration.</summary>
    private static Command CreateClaim()
    {
        var host = new Argument<string>("HOST") { Description = "The target host." };
        var resources = new Option<string[]>("--resource") { Description = "A resource key from a targets answer (e.g. type:0000:3b:00.0/nvidia-63), with =COUNT for more than one unit; repeat for several.", HelpName = "KEY[=COUNT]", Required = true, AllowMultipleArgumentsPerToken = true };
        var ttl = new Option<int>("--ttl") { Description = "Seconds a pending claim holds before it expires (confirm it to keep it).", HelpName = "SECONDS", DefaultValueFactory = _ => 300 };
        var key = new Option<string?>("--idempotency-key") { Description = "Retrying with the same key returns the same claim instead of a second one.", HelpName = "KEY" };
        var command = new Command("create", "Claim units of resources on a host for a migration (pending until confirmed, released or expired).") { host, resources, ttl, key };
        return Wire(
            "claims create",
            command,
            (parse, client, ct) =>
            {
                var items = new List<object>();
                foreach (var text in parse.GetRequiredValue(resources))
                {
                    var (resourceKey, count) = ParseItem(text);
                    items.Add(new { resourceKey, count });
                }

                return client.PostJsonAsync("/v1/claims", new { host = parse.GetRequiredValue(host), items, ttlSeconds = parse.GetValue(ttl), idempotencyKey = parse.GetValue(key) }, ct);
            },
            WriteClaim,
            "migcompat claims create gpu-07 --resource type:0000:3b:00.0/nvidia-63 --server http://fleet:8080 --token $SCHEDULER_TOKEN");
    }

    /// <summary>A <c>KEY=COUNT</c> item; the count is after the last '=' when it is a whole number (keys hold no '=').</summary>
    private static (string Key, int Count) ParseItem(string text)
    {
        var at = text.LastIndexOf('=');
        return at > 0 && int.TryParse(text.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? (text[..at], count)
            : (text, 1);
    }

    private static Command Call(string group, string name, string description, string[] arguments, string method, Func<string[], string> path, Action<JsonElement, TextWriter> write, string example)
    {
        var command = new Command(name, description);
        var args = arguments.Select(a => new Argument<string>(a) { Description = a == "HOST" ? "The host name." : "The claim id." }).ToArray();
        foreach (var argument in args)
        {
            command.Arguments.Add(argument);
        }

        return Wire(
            $"{group} {name}",
            command,
            (parse, client, ct) =>
            {
                var target = path([.. args.Select(a => parse.GetRequiredValue(a))]);
                return method switch
                {
                    "GET" => client.GetAsync(target, ct),
                    "DELETE" => client.DeleteAsync(target, ct),
                    _ => client.PostJsonAsync(target, new { }, ct),
                };
            },
            write,
            example);
    }

    /// <summary>
    /// Adds --server, --token and --format to <paramref name="command"/> and runs <paramref name="send"/> with them;
    /// the exit code is <paramref name="outcome"/>'s for an answer (success when not given).
    /// </summary>
    internal static Command Wire(string label, Command command, Func<ParseResult, FleetClient, CancellationToken, Task<FleetResponse>> send, Action<JsonElement, TextWriter> write, string example, (int Code, string Meaning)[]? exitCodes = null, Func<JsonElement, int>? outcome = null, Func<ParseResult, TextWriter, bool>? validate = null)
    {
        var server = new Option<string>("--server") { Description = "The fleet server's base URL (or MIGCOMPAT_SERVER).", HelpName = "URL" };
        var token = new Option<string?>("--token") { Description = "The token (or MIGCOMPAT_TOKEN): read for show/list, admin for hosts changes, scheduler or admin for claims and plans.", HelpName = "TOKEN" };
        var format = CliOptions.Format();
        command.Options.Add(server);
        command.Options.Add(token);
        command.Options.Add(format);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            if (validate?.Invoke(parse, stderr) == false)
            {
                return ExitCodes.UnusableInput;
            }

            var text = parse.GetValue(server) ?? Environment.GetEnvironmentVariable("MIGCOMPAT_SERVER");
            if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                await stderr.WriteLineAsync(text is null
                    ? $"{label}: no server; give --server http://fleet:8080 or set MIGCOMPAT_SERVER"
                    : $"--server '{text}' is not an http:// or https:// URL, e.g. http://fleet.example:8080");
                return ExitCodes.UnusableInput;
            }

            using var client = new FleetClient(url, parse.GetValue(token) ?? Environment.GetEnvironmentVariable("MIGCOMPAT_TOKEN"));
            var (answer, exitCode) = await FleetClient.CallAsync(label, url, () => send(parse, client, cancellationToken), stderr, cancellationToken);
            if (answer is null)
            {
                return exitCode;
            }

            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(format) == CliOptions.Json)
            {
                await stdout.WriteLineAsync(answer.Text);
            }
            else
            {
                write(answer.Json ?? default, stdout);
            }

            return outcome?.Invoke(answer.Json ?? default) ?? ExitCodes.Success;
        });
        return CommandHelp.Describe(command, [example], exitCodes ?? AdminExitCodes);
    }

    private static string Escape(string text) => Uri.EscapeDataString(text);

    private static void WriteHostList(JsonElement answer, TextWriter output)
    {
        var table = new TextTable("HOST", "GENERATION", "DRAINED", "UPDATED", "DEVICES");
        foreach (var host in Items(answer, "hosts"))
        {
            table.Add(Text(host, "name"), Text(host, "generation"), Text(host, "drained") == "true" ? "yes" : "no", Text(host, "updatedAt"), Text(host, "deviceCount"));
        }

        table.Write(output);
    }

    private static void WriteHost(JsonElement answer, TextWriter output)
    {
        output.WriteLine($"Host {Text(answer, "name")}: generation {Text(answer, "generation")}, {(Text(answer, "drained") == "true" ? "drained" : "not drained")}, updated {Text(answer, "updatedAt")}");
        var table = new TextTable("RESOURCE", "CAPACITY", "CLAIMED", "AVAILABLE");
        foreach (var resource in Items(answer, "resources"))
        {
            table.Add(Text(resource, "resourceKey"), Text(resource, "capacity"), Text(resource, "claimed"), Text(resource, "available"));
        }

        if (table.Count == 0)
        {
            output.WriteLine("No resources.");
        }
        else
        {
            table.Write(output);
        }
    }

    private static void WriteVmList(JsonElement answer, TextWriter output) => WriteVms(Items(answer, "vms"), output);

    private static void WriteVms(JsonElement[] vms, TextWriter output)
    {
        var table = new TextTable("VM", "UUID", "HOST", "DEVICES");
        foreach (var vm in vms)
        {
            table.Add(Text(vm, "name"), Text(vm, "uuid") is { Length: > 0 } and not "null" ? Text(vm, "uuid") : "-", Text(vm, "host"), string.Join(", ", Items(vm, "devices").Select(d => d.GetString())));
        }

        if (table.Count == 0)
        {
            output.WriteLine("No VMs: no host's inventory lists one (scans and domain-XML imports fill them in).");
        }
        else
        {
            table.Write(output);
        }
    }

    private static void WriteDrain(JsonElement answer, TextWriter output) =>
        output.WriteLine($"{Text(answer, "name")}: {(Text(answer, "drained") == "true" ? "drained" : "not drained")}");

    private static void WriteClaim(JsonElement answer, TextWriter output)
    {
        var claim = answer.TryGetProperty("claim", out var inner) ? inner : answer;
        output.WriteLine($"Claim {Text(claim, "id")} on {Text(claim, "host")}: {Text(claim, "state")}, expires {Text(claim, "expiresAt")}{(Text(answer, "replayed") == "true" ? " (the same claim as before: same idempotency key)" : "")}");
        var table = new TextTable("RESOURCE", "UNITS");
        foreach (var item in Items(claim, "items"))
        {
            table.Add(Text(item, "resourceKey"), Text(item, "count"));
        }

        table.Write(output);
    }

    /// <summary>The items of array property <paramref name="name"/>; none when it is absent.</summary>
    internal static JsonElement[] Items(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray()] : [];

    /// <summary>Property <paramref name="name"/> as text (a string's value, any other value as JSON); empty when absent.</summary>
    internal static string Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.GetRawText()
            : "";
}
