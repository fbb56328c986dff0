using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MigCompat.Fleet.Planning;
using MigCompat.Server.Contracts;
using MigCompat.Server.Http;
using MigCompat.Server.Security;

namespace MigCompat.Server.Endpoints;

/// <summary><c>POST /v1/plans/upgrade</c> and <c>POST /v1/plans/verify</c>: rolling-change plans over the stored fleet (docs/planning.md).</summary>
internal static class PlanEndpoints
{
    /// <summary>How large a plan request may be: replacement inventories, or a stored plan with its moves.</summary>
    private const int MaxPlanBytes = 64 * 1024 * 1024;

    public static void Map(IEndpointRouteBuilder routes)
    {
        var plans = routes.MapGroup("/v1/plans").RequireAuthorization(BearerTokens.Plan).WithTags("Plans");
        plans.MapPost("/upgrade", PlanAsync)
            .WithSummary("Plans a change on some hosts: what-if per VM, waves of live moves, VMs no order keeps live, one-way doors")
            .Accepts<PlanUpgradeRequest>("application/json")
            .Produces<PlanResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        plans.MapPost("/verify", VerifyAsync)
            .WithSummary("Re-checks a stored plan against the fleet as it is now: which moves no longer hold, and why")
            .Accepts<PlanVerifyRequest>("application/json")
            .Produces<PlanCheckResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static async Task<IResult> PlanAsync(HttpContext context, FleetServiceHost host, JsonBody json, ServerOptions options, CancellationToken cancellationToken)
    {
        var (body, problem) = await json.ReadAsync<PlanUpgradeRequest>(context.Request, MaxPlanBytes, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        if (body.ToRequest("$", out var bad, out var path, out var packErrors) is not { } request)
        {
            return Invalid(bad!, path, packErrors);
        }

        var snapshot = await host.Loaded.SnapshotAsync(options.TimeProvider.GetUtcNow(), cancellationToken);
        var result = UpgradePlanner.Plan(snapshot, request);
        return result.Plan is { } plan
            ? Results.Ok(PlanResponse.From(plan))
            : Problems.Unprocessable("the change cannot be planned: " + string.Join("; ", result.Errors), [new("errors", result.Errors.ToArray())]);
    }

    /// <summary>A malformed request is a 400; a rule pack that does not parse a 422 with the pack's own diagnostics.</summary>
    private static IResult Invalid(string problem, string? path, System.Collections.Immutable.ImmutableArray<string> packErrors) =>
        packErrors.IsEmpty
            ? Problems.BadRequest(problem, [new("path", path)])
            : Problems.Unprocessable(problem, [new("path", path), new("errors", packErrors.ToArray())]);

    private static async Task<IResult> VerifyAsync(HttpContext context, FleetServiceHost host, JsonBody json, ServerOptions options, CancellationToken cancellationToken)
    {
        var (body, problem) = await json.ReadAsync<PlanVerifyRequest>(context.Request, MaxPlanBytes, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        if (body.Request is null)
        {
            return Problems.BadRequest("'request' is missing: send the plan as POST /v1/plans/upgrade answered it", [new("path", "$.request")]);
        }

        if (body.Request.ToRequest("$.request", out var bad, out var path, out var packErrors) is not { } request)
        {
            return Invalid(bad!, path, packErrors);
        }

        var waves = new List<PlanWave>();
        foreach (var (wave, w) in (body.Waves ?? []).Select((wave, w) => (wave, w)))
        {
            var moves = new List<PlanMove>();
            foreach (var (move, m) in (wave?.Moves ?? []).Select((move, m) => (move, m)))
            {
                if (move is not { Vm: not null, From: not null, To: not null, Level: "live" or "cold", Devices: not null } || move.Devices.Any(d => d?.ResourceKey is null || d.DeviceId is null))
                {
                    return Problems.BadRequest("every move needs 'vm', 'from', 'to', 'level' (live or cold) and 'devices' with 'index', 'deviceId' and 'resourceKey'", [new("path", $"$.waves[{w}].moves[{m}]")]);
                }

                moves.Add(new PlanMove(move.Vm, move.From, move.To, move.Level, [.. move.Devices.Select(d => new MoveDevice(d!.Index, d.DeviceId!, d.ResourceKey!, d.Evidence ?? string.Empty))]));
            }

            waves.Add(new PlanWave(wave?.Number ?? w + 1, [.. wave?.Hosts ?? []], [.. moves], 0));
        }

        var stranded = (body.Stranded ?? []).Where(s => s is { Vm: not null, Host: not null }).Select(s => new StrandedVm(s!.Vm!, s.Host!, s.Wave, string.Empty, false));
        var plan = new UpgradePlan(default, request, [], [.. waves], [.. stranded], [], [], [], 0);
        var snapshot = await host.Loaded.SnapshotAsync(options.TimeProvider.GetUtcNow(), cancellationToken);
        var check = PlanVerifier.Verify(snapshot, plan);
        return check.Errors.IsEmpty
            ? Results.Ok(PlanCheckResponse.From(check))
            : Problems.Unprocessable("the plan cannot be checked against this fleet: " + string.Join("; ", check.Errors), [new("errors", check.Errors.ToArray())]);
    }
}
