using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MigCompat.Server.Contracts;
using MigCompat.Server.Http;
using MigCompat.Server.Security;

namespace MigCompat.Server.Endpoints;

/// <summary><c>/v1/vms</c>: the VMs the stored hosts' inventories list (<c>guests</c>), and finding one by name or UUID.</summary>
internal static class VmEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var vms = routes.MapGroup("/v1/vms").WithTags("VMs").RequireAuthorization(BearerTokens.Read);
        vms.AddEndpointFilter(async (context, next) =>
            context.HttpContext.Request.Query.TryGetValue("host", out var host)
                && HostNames.Problem(host.ToString(), "'host'") is { } problem
                ? Problems.BadRequest(problem)
                : await next(context));
        vms.MapGet("/", List).WithSummary("Lists the VMs the hosts' inventories know, by host then name (?host= for one host)").Produces<VmListResponse>();
        vms.MapGet("/{nameOrUuid}", Find).WithSummary("Finds a VM by name or UUID (?host= to pick one of several hosts listing the same name)")
            .Produces<VmResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static IResult List(HttpContext context, FleetServiceHost host)
    {
        var vms = host.Loaded.ListVms(Host(context));
        return Results.Ok(new VmListResponse(vms.Length, [.. vms.Select(VmResponse.From)]));
    }

    private static IResult Find(string nameOrUuid, HttpContext context, FleetServiceHost host)
    {
        var lookup = host.Loaded.FindVm(nameOrUuid, Host(context));
        return lookup switch
        {
            { Found: { } vm } => Results.Ok(VmResponse.From(vm)),
            { IsAmbiguous: true } => Problems.Conflict(lookup.Problem!, [new("hosts", lookup.Matches.Select(m => m.Host).ToArray())]),
            _ => Problems.NotFound(lookup.Problem!),
        };
    }

    private static string? Host(HttpContext context) =>
        context.Request.Query.TryGetValue("host", out var host) ? host.ToString().Trim() : null;
}
