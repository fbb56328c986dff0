using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Json;
using MigCompat.Fleet.Service;
using MigCompat.Fleet.Storage;
using MigCompat.Server.Contracts;
using MigCompat.Server.Http;
using MigCompat.Server.Security;

namespace MigCompat.Server.Endpoints;

/// <summary><c>/v1/hosts</c>: store, read, list, drain and delete host inventories.</summary>
internal static class HostEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var hosts = routes.MapGroup("/v1/hosts").WithTags("Hosts");
        hosts.AddEndpointFilter(async (context, next) =>
            context.HttpContext.Request.RouteValues.TryGetValue("name", out var name)
                && HostNames.Problem(name as string, "the host name in the URL") is { } problem
                ? Problems.BadRequest(problem)
                : await next(context));
        hosts.MapPut("/{name}", PutAsync)
            .RequireAuthorization(BearerTokens.WriteHost)
            .WithSummary("Stores a host's inventory (generation via If-Match or ?generation=)")
            .Produces<HostWriteResponse>(StatusCodes.Status200OK)
            .Produces<HostWriteResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        hosts.MapGet("/{name}", GetAsync).RequireAuthorization(BearerTokens.ReadHost).WithSummary("Reads a host's inventory, generation and resource use")
            .Produces<HostResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        hosts.MapGet("/", ListAsync).RequireAuthorization(BearerTokens.Read).WithSummary("Lists every host").Produces<HostListResponse>();
        hosts.MapDelete("/{name}", DeleteAsync).RequireAuthorization(BearerTokens.WriteHost).WithSummary("Deletes a host with its claims")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        hosts.MapPost("/{name}/drain", (string name, HttpContext context, FleetServiceHost host, CancellationToken ct) => SetDrainedAsync(name, true, context, host, ct))
            .RequireAuthorization(BearerTokens.WriteHost)
            .WithSummary("Drains a host: no new claims, not offered as a target").Produces<DrainResponse>();
        hosts.MapPost("/{name}/undrain", (string name, HttpContext context, FleetServiceHost host, CancellationToken ct) => SetDrainedAsync(name, false, context, host, ct))
            .RequireAuthorization(BearerTokens.WriteHost)
            .WithSummary("Undrains a host").Produces<DrainResponse>();
    }

    private static async Task<IResult> PutAsync(string name, HttpContext context, FleetServiceHost host, ServerOptions options, CancellationToken cancellationToken)
    {
        var service = host.Loaded;

        var generation = ExpectedGeneration(context.Request, out var generationProblem);
        if (generationProblem is not null)
        {
            return generationProblem;
        }

        var body = await LimitedBody.ReadAsync(context.Request, options.MaxInventoryBytes, cancellationToken);
        if (body is null)
        {
            return Problems.TooLarge(options.MaxInventoryBytes);
        }

        string json;
        try
        {
            json = new UTF8Encoding(false, true).GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return Problems.BadRequest("the body is not valid UTF-8 text; send the inventory JSON as UTF-8");
        }

        var read = InventoryJson.Read(json, "request body");
        if (read.Inventory is not { } inventory)
        {
            // A string that is not Unicode (a lone surrogate escape) is a malformed request: 400 with its JSON path.
            if (JsonTextScanner.Scan(body, 64).First is { NotText: true } invalid)
            {
                return Problems.BadRequest("the inventory was refused and nothing was changed: " + StrictJson.Refusal(invalid), [new("path", invalid.Path)]);
            }

            var malformed = read.Diagnostics.Any(d => d.Code == InventoryJsonCodes.MalformedJson);
            var detail = "the inventory was refused and nothing was changed: " + string.Join("; ", read.Diagnostics.Where(d => d.IsError).Select(d => d.Message).Take(5));
            return malformed
                ? Problems.BadRequest(detail, [Problems.Diagnostics(read.Diagnostics)])
                : Problems.Unprocessable(detail, [Problems.Diagnostics(read.Diagnostics)]);
        }

        if (!string.Equals(inventory.Host, name, StringComparison.Ordinal))
        {
            return Problems.Unprocessable($"the URL names host '{name}' but the inventory is for host '{inventory.Host}'; PUT it to /v1/hosts/{Uri.EscapeDataString(inventory.Host)}");
        }

        var outcome = await service.PutHostAsync(inventory, generation, cancellationToken);
        var diagnostics = read.Diagnostics.AddRange(outcome.Diagnostics);
        switch (outcome.Result)
        {
            case HostStored stored:
                context.Response.Headers.ETag = ETag(stored.Generation);
                var response = new HostWriteResponse(stored.Host, stored.Generation, stored.UpdatedAt, stored.Generation == 1, [.. diagnostics.Select(DiagnosticDto.From)]);
                return stored.Generation == 1
                    ? Results.Created($"/v1/hosts/{Uri.EscapeDataString(stored.Host)}", response)
                    : Results.Ok(response);
            case GenerationConflict conflict:
                context.Response.Headers.ETag = ETag(conflict.CurrentGeneration);
                return Problems.Conflict(
                    conflict.CurrentGeneration == 0
                        ? $"host '{name}' is not stored, so generation {conflict.ExpectedGeneration} is stale; send generation 0 (or no If-Match) to create it"
                        : $"host '{name}' is at generation {conflict.CurrentGeneration}, not {conflict.ExpectedGeneration}; re-read it (GET /v1/hosts/{name}) and retry with If-Match: \"{conflict.CurrentGeneration}\"",
                    [new("currentGeneration", conflict.CurrentGeneration), new("expectedGeneration", conflict.ExpectedGeneration)]);
            case InvalidInventory invalid:
                return Problems.Unprocessable(invalid.Reason + Summary(outcome), [Problems.Diagnostics(diagnostics)]);
            default:
                return Problems.Create(StatusCodes.Status500InternalServerError, "Unexpected result", "the store gave an unexpected answer; nothing was changed");
        }
    }

    private static async Task<IResult> GetAsync(string name, HttpContext context, FleetServiceHost host, CancellationToken cancellationToken)
    {
        var service = host.Loaded;

        var stored = await service.GetHostAsync(name, cancellationToken);
        if (stored is null)
        {
            return Problems.NotFound($"host '{name}' is not stored; PUT its inventory to /v1/hosts/{name} first");
        }

        var capacity = await service.GetCapacityAsync(name, cancellationToken);
        JsonElement? inventory = null;
        if (stored.Inventory is not null)
        {
            using var document = JsonDocument.Parse(InventoryJson.Serialize(stored.Inventory));
            inventory = document.RootElement.Clone();
        }

        context.Response.Headers.ETag = ETag(stored.Generation);
        return Results.Ok(new HostResponse(
            stored.Name,
            stored.Generation,
            stored.Drained,
            stored.UpdatedAt,
            inventory,
            [.. (stored.ReadDiagnostics.IsDefault ? [] : stored.ReadDiagnostics).Select(DiagnosticDto.From)],
            [.. (capacity is null || capacity.Resources.IsDefault ? [] : capacity.Resources).Select(ResourceResponse.From)]));
    }

    private static async Task<IResult> ListAsync(HttpContext context, FleetServiceHost host, CancellationToken cancellationToken)
    {
        var service = host.Loaded;

        var hosts = await service.ListHostsAsync(cancellationToken);
        return Results.Ok(new HostListResponse(hosts.Length, [.. hosts.Select(HostSummaryResponse.From)]));
    }

    private static async Task<IResult> DeleteAsync(string name, HttpContext context, FleetServiceHost host, CancellationToken cancellationToken)
    {
        var service = host.Loaded;

        return await service.DeleteHostAsync(name, cancellationToken)
            ? Results.NoContent()
            : Problems.NotFound($"host '{name}' is not stored; nothing was deleted");
    }

    private static async Task<IResult> SetDrainedAsync(string name, bool drained, HttpContext context, FleetServiceHost host, CancellationToken cancellationToken)
    {
        var service = host.Loaded;

        return await service.SetDrainedAsync(name, drained, cancellationToken)
            ? Results.Ok(new DrainResponse(name, drained))
            : Problems.NotFound($"host '{name}' is not stored; nothing was changed");
    }


    /// <summary>The generation from <c>If-Match</c> or <c>?generation=</c>; 0 when neither is given; <see cref="IFleetStore.AnyGeneration"/> for <c>If-Match: *</c>.</summary>
    private static long ExpectedGeneration(HttpRequest request, out IResult? problem)
    {
        problem = null;
        long? fromHeader = null;
        var ifMatch = request.Headers.IfMatch.ToString().Trim();
        if (ifMatch.Length > 0)
        {
            if (ifMatch == "*")
            {
                fromHeader = IFleetStore.AnyGeneration;
            }
            else if (ifMatch.StartsWith("W/", StringComparison.Ordinal))
            {
                // RFC 9110 13.1.1: If-Match uses the strong comparison, so a weak tag never matches.
                problem = Problems.Create(
                    StatusCodes.Status412PreconditionFailed,
                    "Precondition failed",
                    $"If-Match '{ifMatch}' is a weak entity tag, which never matches (RFC 9110 uses the strong comparison for If-Match); nothing was changed. Send the strong tag from the last answer's ETag, e.g. If-Match: \"{ifMatch[2..].Trim('"')}\"");
                return 0;
            }
            else
            {
                var text = ifMatch.Length >= 2 && ifMatch[0] == '"' && ifMatch[^1] == '"' ? ifMatch[1..^1] : ifMatch;
                if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                {
                    problem = Problems.BadRequest($"If-Match '{ifMatch}' is not a generation; send the number from the last answer's ETag, e.g. If-Match: \"3\"");
                    return 0;
                }

                // Entity tags compare character by character (RFC 9110 13.1.1): "01" is not the tag "1" this server sent.
                if (text != parsed.ToString(CultureInfo.InvariantCulture))
                {
                    problem = Problems.Create(
                        StatusCodes.Status412PreconditionFailed,
                        "Precondition failed",
                        $"If-Match '{ifMatch}' is not an entity tag this server sends, so it never matches (RFC 9110 compares tags character by character); nothing was changed. Send the ETag of the last answer as it was, e.g. If-Match: \"{parsed.ToString(CultureInfo.InvariantCulture)}\"");
                    return 0;
                }

                fromHeader = parsed;
            }
        }

        long? fromQuery = null;
        if (request.Query.TryGetValue("generation", out var values))
        {
            if (!long.TryParse(values.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                problem = Problems.BadRequest($"generation '{values}' is not a non-negative whole number");
                return 0;
            }

            fromQuery = parsed;
        }

        if (fromHeader is { } header && fromQuery is { } query && header != query)
        {
            problem = Problems.BadRequest($"If-Match says generation {header} but ?generation= says {query}; send one");
            return 0;
        }

        return fromHeader ?? fromQuery ?? 0;
    }

    private static string Summary(PutHostOutcome outcome)
    {
        var errors = outcome.Diagnostics.Where(d => d.IsError).Select(d => d.Message).Take(3).ToList();
        return errors.Count == 0 ? "" : ": " + string.Join("; ", errors);
    }

    private static string ETag(long generation) => "\"" + generation.ToString(CultureInfo.InvariantCulture) + "\"";
}
