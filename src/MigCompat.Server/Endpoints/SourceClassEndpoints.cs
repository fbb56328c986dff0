using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MigCompat.Server.Contracts;
using MigCompat.Server.Http;
using MigCompat.Server.Security;

namespace MigCompat.Server.Endpoints;

/// <summary><c>GET /v1/source-classes</c>: which hosts accept which source classes live (what the publishers publish).</summary>
internal static class SourceClassEndpoints
{
    public static void Map(IEndpointRouteBuilder routes) =>
        routes.MapGet("/v1/source-classes", Get)
            .RequireAuthorization(BearerTokens.Read)
            .WithTags("Publishing")
            .WithSummary("The fleet's source classes (distinct descriptors of existing devices) and, per host and resource, the classes it accepts live (?host= for one host)")
            .Produces<SourceClassesResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static IResult Get(HttpContext context, FleetServiceHost host)
    {
        string? only = context.Request.Query.TryGetValue("host", out var value) ? value.ToString() : null;
        if (only is not null && HostNames.Problem(only, "'host'") is { } problem)
        {
            return Problems.BadRequest(problem);
        }

        var report = host.Loaded.SourceClasses();
        if (only is not null)
        {
            if (!report.Hosts.Any(h => h.Host == only))
            {
                return Problems.NotFound($"host '{only}' is not in the fleet index; GET /v1/hosts lists the hosts");
            }

            report = report with { Hosts = [.. report.Hosts.Where(h => h.Host == only)] };
        }

        return Results.Ok(SourceClassesResponse.From(report));
    }
}
