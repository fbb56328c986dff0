using System.Collections.Immutable;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MigCompat.Core.Syntax;
using MigCompat.Fleet.Search;
using MigCompat.Server.Contracts;
using MigCompat.Server.Http;
using MigCompat.Server.Security;

namespace MigCompat.Server.Endpoints;

/// <summary><c>POST /v1/migrations/targets</c>: which hosts can take a VM's devices, ranked.</summary>
internal static class TargetEndpoints
{
    private const int MaxLimit = 100;
    private const int MaxRejected = 1000;
    private const int MaxDevices = 64;

    public static void Map(IEndpointRouteBuilder routes) =>
        routes.MapPost("/v1/migrations/targets", FindAsync)
            .RequireAuthorization(BearerTokens.Read)
            .WithTags("Migrations")
            .WithSummary("Ranks the hosts that can take the VM's devices, with the reasons other hosts were rejected")
            .Accepts<TargetsRequest>("application/json")
            .Produces<TargetsResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    private static async Task<IResult> FindAsync(HttpContext context, FleetServiceHost host, JsonBody json, CancellationToken cancellationToken)
    {
        var service = host.Loaded;

        var (request, problem) = await json.ReadAsync<TargetsRequest>(context.Request, cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        var query = ToQuery(request, out problem);
        if (query is null)
        {
            return problem!;
        }

        var result = service.FindTargets(query);
        if (!result.Errors.IsDefaultOrEmpty)
        {
            return Problems.Unprocessable(
                "the query cannot be answered: " + string.Join("; ", result.Errors.Select(e => e.Message)),
                [new("errors", result.Errors.Select(QueryErrorResponse.From).ToArray())]);
        }

        return Results.Ok(TargetsResponse.From(result));
    }

    private static TargetQuery? ToQuery(TargetsRequest request, out IResult? problem)
    {
        problem = null;
        if (request.Vm is not null)
        {
            return ToVmQuery(request, out problem);
        }

        var inlineOnly = request.Devices is { Count: > 0 } given && given.All(d => d is { Self.Count: > 0 } && string.IsNullOrWhiteSpace(d.Id));
        if (string.IsNullOrWhiteSpace(request.SourceHost) && !inlineOnly)
        {
            problem = Problems.BadRequest("'sourceHost' is missing; name the host the VM runs on now (it may be left out only when every device is given by 'self')", [new("path", "$.sourceHost")]);
            return null;
        }

        if (!string.IsNullOrWhiteSpace(request.SourceHost) && HostNames.Problem(request.SourceHost, "'sourceHost'") is { } badHost)
        {
            problem = Problems.BadRequest(badHost, [new("path", "$.sourceHost")]);
            return null;
        }

        if (request.Devices is not { Count: > 0 } devices)
        {
            problem = Problems.BadRequest("'devices' is missing or empty; list the VM's devices as {\"id\": \"...\"} or {\"self\": {...}}, or name the VM with 'vm'");
            return null;
        }

        if (devices.Count > MaxDevices)
        {
            problem = Problems.BadRequest(string.Create(CultureInfo.InvariantCulture, $"{devices.Count} devices were given; a VM query takes at most {MaxDevices}"));
            return null;
        }

        if (Options(request, out problem) is not (int limit, int maxRejected))
        {
            return null;
        }

        var refs = ImmutableArray.CreateBuilder<VmDeviceRef>(devices.Count);
        for (var i = 0; i < devices.Count; i++)
        {
            var device = devices[i];
            var hasId = !string.IsNullOrWhiteSpace(device?.Id);
            var hasSelf = device?.Self is { Count: > 0 };
            if (device is null || hasId == hasSelf)
            {
                problem = Problems.BadRequest(string.Create(CultureInfo.InvariantCulture, $"devices[{i}] must have exactly one of 'id' (a device of the source host) or 'self' (the device's descriptor fields)"));
                return null;
            }

            if (hasId)
            {
                refs.Add(new VmDeviceRef(device.Id, null));
                continue;
            }

            var origin = string.Create(CultureInfo.InvariantCulture, $"devices[{i}]");
            var parsed = DescriptorParser.FromFields(
                device.Self!,
                (device.Compatible ?? []).Select(block => (IEnumerable<KeyValuePair<string, string>>)(block ?? new Dictionary<string, string>())),
                device.DynamicResources ?? [],
                origin);
            if (parsed.Descriptor is null)
            {
                problem = Problems.Unprocessable(
                    $"{origin} has a descriptor that does not parse: " + string.Join("; ", parsed.Errors.Select(d => d.Message).Take(3)),
                    [Problems.Diagnostics(parsed.Diagnostics)]);
                return null;
            }

            refs.Add(new VmDeviceRef(null, parsed.Descriptor));
        }

        return new TargetQuery(request.SourceHost?.Trim() ?? string.Empty, refs.MoveToImmutable(), limit, request.IncludeCold ?? true, maxRejected) { ExplainHost = request.ExplainHost?.Trim() };
    }

    /// <summary>A query for the VM <see cref="TargetsRequest.Vm"/> names: the index looks up its devices and host.</summary>
    private static TargetQuery? ToVmQuery(TargetsRequest request, out IResult? problem)
    {
        problem = null;
        if (request.Devices is not null)
        {
            problem = Problems.BadRequest("the query gives both 'vm' and 'devices'; give one: the VM by name or UUID (its devices are looked up), or its devices", [new("path", "$.devices")]);
            return null;
        }

        if (string.IsNullOrWhiteSpace(request.Vm))
        {
            problem = Problems.BadRequest("'vm' is empty; give the VM's name or UUID", [new("path", "$.vm")]);
            return null;
        }

        if (request.SourceHost is { } source && !string.IsNullOrWhiteSpace(source) && HostNames.Problem(source, "'sourceHost'") is { } badHost)
        {
            problem = Problems.BadRequest(badHost, [new("path", "$.sourceHost")]);
            return null;
        }

        return Options(request, out problem) is (int limit, int maxRejected)
            ? new TargetQuery(request.SourceHost?.Trim() ?? string.Empty, [], limit, request.IncludeCold ?? true, maxRejected) { ExplainHost = request.ExplainHost?.Trim(), Vm = request.Vm.Trim() }
            : null;
    }

    /// <summary>The limit and the rejected count; null with a problem when one of them is out of range or the host to explain is not a host name.</summary>
    private static (int Limit, int MaxRejected)? Options(TargetsRequest request, out IResult? problem)
    {
        problem = null;
        var limit = request.Limit ?? 10;
        if (limit is < 1 or > MaxLimit)
        {
            problem = Problems.BadRequest(string.Create(CultureInfo.InvariantCulture, $"'limit' is {limit}; use 1 to {MaxLimit}"));
            return null;
        }

        var maxRejected = request.MaxRejected ?? 20;
        if (maxRejected is < 0 or > MaxRejected)
        {
            problem = Problems.BadRequest(string.Create(CultureInfo.InvariantCulture, $"'maxRejected' is {maxRejected}; use 0 to {MaxRejected}"), [new("path", "$.maxRejected")]);
            return null;
        }

        if (request.ExplainHost is { } explain && HostNames.Problem(explain, "'explainHost'") is { } badExplain)
        {
            problem = Problems.BadRequest(badExplain, [new("path", "$.explainHost")]);
            return null;
        }

        return (limit, maxRejected);
    }
}
