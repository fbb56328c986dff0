using System.Globalization;
using System.Net;
using System.Text.Json;
using MigCompat.Cli.Commands;
using MigCompat.Discovery.Inventory;
using MigCompat.Libvirt;

namespace MigCompat.Cli.Fleet;

/// <summary>
/// The fleet server as libvirt's hook reads it (MIGCOMPAT_SERVER, MIGCOMPAT_TOKEN): every call of one hook run shares
/// one deadline, as the hook runs inside libvirt's migration. Never throws: an unreachable, slow or failing server is
/// an answer with the problem, which the hook turns into a refusal.
/// </summary>
internal sealed class HookFleetReader : IFleetReader, IDisposable
{
    private readonly FleetClient? client;
    private readonly Uri? url;
    private readonly string? problem;
    private readonly TimeSpan timeout;
    private readonly CancellationTokenSource deadline;

    /// <summary>Starts the deadline now.</summary>
    /// <param name="server">The server's base URL as configured.</param>
    /// <param name="token">The token, if any.</param>
    /// <param name="timeout">How long all calls of this run may take together.</param>
    /// <param name="problem">Why the server cannot be asked at all (a bad setting), or null.</param>
    public HookFleetReader(string server, string? token, TimeSpan timeout, string? problem = null)
    {
        this.timeout = timeout;
        deadline = new CancellationTokenSource(timeout);
        using var messages = new StringWriter();
        if (problem is not null)
        {
            this.problem = problem;
        }
        else if (!FleetCommands.TryServer(server, messages, out var parsed))
        {
            this.problem = "MIGCOMPAT_SERVER: " + messages.ToString().Trim();
        }
        else
        {
            url = parsed;
            client = new FleetClient(parsed, token, timeout);
        }
    }

    /// <inheritdoc/>
    public FleetVmLookup FindVm(string nameOrUuid)
    {
        var (answer, why) = Get("/v1/vms/" + Uri.EscapeDataString(nameOrUuid));
        return answer switch
        {
            null => new FleetVmLookup(FleetLookupStatus.Failed, null, why),
            { Status: HttpStatusCode.NotFound } => new FleetVmLookup(FleetLookupStatus.NotFound, null, answer.Message),
            { Status: HttpStatusCode.Conflict } => new FleetVmLookup(FleetLookupStatus.Ambiguous, null, answer.Message),
            { IsSuccess: false } => new FleetVmLookup(FleetLookupStatus.Failed, null, answer.Message),
            _ => ReadVm(answer.Json) is { } vm ? new FleetVmLookup(FleetLookupStatus.Found, vm, null)
                : new FleetVmLookup(FleetLookupStatus.Failed, null, "the answer to GET /v1/vms/" + nameOrUuid + " is not a VM (name, host, devices)"),
        };
    }

    /// <inheritdoc/>
    public FleetHostLookup ReadHost(string name)
    {
        var (answer, why) = Get("/v1/hosts/" + Uri.EscapeDataString(name));
        if (answer is null || !answer.IsSuccess)
        {
            return new FleetHostLookup(null, why ?? answer!.Message);
        }

        if (answer.Json is not { ValueKind: JsonValueKind.Object } body || !body.TryGetProperty("inventory", out var inventory) || inventory.ValueKind != JsonValueKind.Object)
        {
            return new FleetHostLookup(null, $"the answer to GET /v1/hosts/{name} has no inventory");
        }

        var read = InventoryJson.Read(inventory.GetRawText(), $"{name}'s stored inventory");
        return read.Inventory is null
            ? new FleetHostLookup(null, string.Join("; ", read.Diagnostics.Where(d => d.IsError).Select(d => d.Message)))
            : new FleetHostLookup(read.Inventory, null);
    }

    /// <summary>The claim as the server has it now (<c>GET /v1/claims/{id}</c>).</summary>
    /// <param name="id">The claim's id.</param>
    /// <returns>The claim, or why it could not be read.</returns>
    public ClaimLookup ReadClaim(string id)
    {
        var (answer, why) = Get("/v1/claims/" + Uri.EscapeDataString(id));
        if (answer is null || !answer.IsSuccess)
        {
            return new ClaimLookup(null, why ?? $"GET /v1/claims/{id}: {answer!.Message}");
        }

        var claim = ClaimDocument.Read(answer.Text, out var problem);
        return new ClaimLookup(claim, problem);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        client?.Dispose();
        deadline.Dispose();
    }

    private static FleetVm? ReadVm(JsonElement? json)
    {
        if (json is not { ValueKind: JsonValueKind.Object } body
            || Text(body, "name") is not { } name || Text(body, "host") is not { } host
            || !body.TryGetProperty("devices", out var devices) || devices.ValueKind != JsonValueKind.Array
            || devices.EnumerateArray().Any(d => d.ValueKind != JsonValueKind.String))
        {
            return null;
        }

        return new FleetVm(name, Text(body, "uuid"), host, [.. devices.EnumerateArray().Select(d => d.GetString()!)]);
    }

    private static string? Text(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>One GET within the run's deadline: the answer (any status), or why there is none.</summary>
    private (FleetResponse? Answer, string? Problem) Get(string path)
    {
        if (client is null)
        {
            return (null, problem);
        }

        try
        {
            return (client.GetAsync(path, deadline.Token).GetAwaiter().GetResult(), null);
        }
        catch (HttpRequestException e)
        {
            return (null, $"the server at {url} is unreachable: {e.Message}");
        }
        catch (OperationCanceledException)
        {
            return (null, $"the server at {url} did not answer within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s ({LibvirtCommands.HookTimeoutVariable}); path {path}");
        }
    }
}
