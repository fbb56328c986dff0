using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MigCompat.Server.Contracts;
using MigCompat.Server.Http;
using MigCompat.Server.Security;

namespace MigCompat.Server.Endpoints;

/// <summary><c>/healthz</c> (open) and <c>/metrics</c> (Prometheus text, a read).</summary>
internal static class OperationsEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", (HttpContext context, FleetServiceHost host) =>
            {
                if (host.Service is { } service)
                {
                    return Results.Ok(new HealthResponse("ok", service.HostCount));
                }

                Readiness.AskToRetry(context);
                return Results.Json(new HealthResponse("starting", host.Progress.Loaded), statusCode: StatusCodes.Status503ServiceUnavailable);
            })
            .WithTags("Operations")
            .WithSummary("Liveness and readiness; needs no token")
            .Produces<HealthResponse>();
        routes.MapGet("/metrics", (HttpContext context, FleetServiceHost host) =>
            {
                return host.Service is { } service
                    ? Results.Text(service.Metrics.ToPrometheusText(service.HostCount, service.ClaimedUnits), "text/plain; version=0.0.4; charset=utf-8")
                    : Readiness.NotReady(context, host);
            })
            .RequireAuthorization(BearerTokens.Read)
            .WithTags("Operations")
            .WithSummary("Prometheus text metrics: requests, hosts, claims, query latency")
            .Produces<string>(contentType: "text/plain");
    }
}
