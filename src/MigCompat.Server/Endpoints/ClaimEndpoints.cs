using System.Collections.Immutable;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MigCompat.Fleet.Storage;
using MigCompat.Server.Contracts;
using MigCompat.Server.Http;
using MigCompat.Server.Security;

namespace MigCompat.Server.Endpoints;

/// <summary><c>/v1/claims</c>: reserve target capacity so two migrations never take the last free slot.</summary>
internal static class ClaimEndpoints
{
    private const int DefaultTtlSeconds = 300;

    public static void Map(IEndpointRouteBuilder routes)
    {
        var claims = routes.MapGroup("/v1/claims").WithTags("Claims");
        claims.MapPost("/", CreateAsync)
            .RequireAuthorization(BearerTokens.Claim)
            .WithSummary("Claims resource units on a host (all or nothing)")
            .Accepts<ClaimCreateRequest>("application/json")
            .Produces<ClaimResponse>(StatusCodes.Status201Created)
            .Produces<ClaimResponse>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        claims.MapGet("/{id}", GetAsync).RequireAuthorization(BearerTokens.Read).WithSummary("Reads a claim").Produces<ClaimBody>();
        claims.MapPost("/{id}/confirm", ConfirmAsync).RequireAuthorization(BearerTokens.Claim).WithSummary("Confirms a pending claim: it holds until released").Produces<ClaimBody>();
        claims.MapDelete("/{id}", ReleaseAsync).RequireAuthorization(BearerTokens.Claim).WithSummary("Releases a claim").Produces<ClaimBody>();
    }

    private static async Task<IResult> CreateAsync(HttpContext context, FleetServiceHost host, JsonBody json, CancellationToken cancellationToken)
    {
        var service = host.Loaded;

        var (body, problem) = await json.ReadAsync<ClaimCreateRequest>(context.Request, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        var request = ToRequest(body, out problem);
        if (request is null)
        {
            return problem!;
        }

        var result = await service.CreateClaimAsync(request, cancellationToken);
        return result switch
        {
            ClaimCreated { Replayed: true } replayed => Results.Ok(new ClaimResponse(ClaimBody.From(replayed.Claim), true)),
            ClaimCreated created => Results.Created($"/v1/claims/{Uri.EscapeDataString(created.Claim.Id)}", new ClaimResponse(ClaimBody.From(created.Claim), false)),
            InsufficientCapacity insufficient => Problems.Conflict(
                "not enough capacity is left on host '" + request.Host + "': " + string.Join("; ", insufficient.Items.Where(i => i.Available < i.Requested).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i.ResourceKey} has {i.Available} free, {i.Requested} asked"))) + "; search targets again",
                [new("items", insufficient.Items.Select(ItemAvailabilityResponse.From).ToArray())]),
            UnknownResource unknown => Problems.Unprocessable(
                $"host '{request.Host}' has no resource {string.Join(", ", unknown.ResourceKeys.Select(k => "'" + k + "'"))}; use the resourceKey values of a current target answer",
                [new("resourceKeys", unknown.ResourceKeys.ToArray())]),
            UnknownHost => Problems.NotFound($"host '{request.Host}' is not stored; nothing was claimed"),
            HostDrained => Problems.Conflict($"host '{request.Host}' is drained and takes no new claims; pick another target or undrain it"),
            IdempotencyConflict conflict => Problems.Conflict(
                $"idempotency key '{conflict.IdempotencyKey}' was already used for a different request (claim {conflict.ExistingClaimId}); use a new key",
                [new("existingClaimId", conflict.ExistingClaimId)]),
            InvalidClaimRequest invalid => Problems.BadRequest("the claim is malformed: " + invalid.Reason),
            _ => Problems.Create(StatusCodes.Status500InternalServerError, "Unexpected result", "the store gave an unexpected answer; nothing was claimed"),
        };
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, FleetServiceHost host, CancellationToken cancellationToken)
    {
        var service = host.Loaded;

        return await service.GetClaimAsync(id, cancellationToken) is { } claim
            ? Results.Ok(ClaimBody.From(claim))
            : Problems.NotFound($"no claim has id '{id}'");
    }

    private static async Task<IResult> ConfirmAsync(string id, HttpContext context, FleetServiceHost host, CancellationToken cancellationToken) =>
        Transitioned(await host.Loaded.ConfirmClaimAsync(id, cancellationToken));

    private static async Task<IResult> ReleaseAsync(string id, HttpContext context, FleetServiceHost host, CancellationToken cancellationToken) =>
        Transitioned(await host.Loaded.ReleaseClaimAsync(id, cancellationToken));

    private static IResult Transitioned(ClaimTransitionResult result) => result switch
    {
        ClaimTransitioned transitioned => Results.Ok(ClaimBody.From(transitioned.Claim)),
        ClaimNotFound notFound => Problems.NotFound($"no claim has id '{notFound.ClaimId}'"),
        ClaimTransitionRefused refused => Problems.Conflict(
            $"claim '{refused.Claim.Id}' is {ClaimBody.StateName(refused.Claim.State)}: {refused.Reason}",
            [new("state", ClaimBody.StateName(refused.Claim.State))]),
        _ => Problems.Create(StatusCodes.Status500InternalServerError, "Unexpected result", "the store gave an unexpected answer"),
    };

    private static ClaimRequest? ToRequest(ClaimCreateRequest body, out IResult? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(body.Host))
        {
            problem = Problems.BadRequest("'host' is missing; name the target host", [new("path", "$.host")]);
            return null;
        }

        if (HostNames.Problem(body.Host, "'host'") is { } badHost)
        {
            problem = Problems.BadRequest(badHost, [new("path", "$.host")]);
            return null;
        }

        if (body.Items is not null && body.Assignments is not null)
        {
            problem = Problems.BadRequest("the claim gives both 'items' and 'assignments'; send one of them (the assignments of a target answer, or items with counts)", [new("path", "$.assignments")]);
            return null;
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        var index = 0;
        foreach (var item in body.Items ?? [])
        {
            if (string.IsNullOrWhiteSpace(item?.ResourceKey) || item.Count is < 1)
            {
                problem = Problems.BadRequest(string.Create(CultureInfo.InvariantCulture, $"$.items[{index}]: every item needs a 'resourceKey' and a 'count' of at least 1"), [new("path", string.Create(CultureInfo.InvariantCulture, $"$.items[{index}]"))]);
                return null;
            }

            if (counts.ContainsKey(item.ResourceKey))
            {
                problem = Problems.BadRequest(string.Create(CultureInfo.InvariantCulture, $"$.items[{index}]: resource '{item.ResourceKey}' is listed twice; list each resource once with the number of units in 'count'"), [new("path", string.Create(CultureInfo.InvariantCulture, $"$.items[{index}].resourceKey"))]);
                return null;
            }

            Add(item.ResourceKey, item.Count ?? 1);
            index++;
        }

        foreach (var assignment in body.Assignments ?? [])
        {
            if (string.IsNullOrWhiteSpace(assignment?.ResourceKey))
            {
                problem = Problems.BadRequest(string.Create(CultureInfo.InvariantCulture, $"$.assignments[{index}]: every assignment needs its 'resourceKey' (copy the assignments of a target answer)"), [new("path", string.Create(CultureInfo.InvariantCulture, $"$.assignments[{index}]"))]);
                return null;
            }

            Add(assignment.ResourceKey, 1);
            index++;
        }

        if (counts.Count == 0)
        {
            problem = Problems.BadRequest("the claim names no resources; send 'items' or the 'assignments' of a target answer");
            return null;
        }

        var ttl = body.TtlSeconds ?? DefaultTtlSeconds;
        if (ttl < 1 || TimeSpan.FromSeconds(ttl) > ClaimRequest.MaxTimeToLive)
        {
            problem = Problems.BadRequest(string.Create(CultureInfo.InvariantCulture, $"'ttlSeconds' is {ttl}; use 1 to {(long)ClaimRequest.MaxTimeToLive.TotalSeconds} and confirm the claim to hold it longer"));
            return null;
        }

        var items = order.Select(key => new ClaimItem(key, counts[key])).ToImmutableArray();
        return new ClaimRequest(body.Host.Trim(), items, TimeSpan.FromSeconds(ttl), string.IsNullOrEmpty(body.IdempotencyKey) ? null : body.IdempotencyKey);

        void Add(string key, int count)
        {
            if (!counts.TryGetValue(key, out var existing))
            {
                order.Add(key);
            }

            counts[key] = (int)Math.Min((long)existing + count, int.MaxValue);
        }
    }
}
