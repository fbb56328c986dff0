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
        routes.MapGet("/v1/source-classes", (FleetServiceHost host) => Results.Ok(SourceClassesResponse.From(host.Loaded.SourceClasses())))
            .RequireAuthorization(BearerTokens.Read)
            .WithTags("Publishing")
            .WithSummary("The fleet's source classes (distinct descriptors of existing devices) and, per host and resource, the classes it accepts live")
            .Produces<SourceClassesResponse>();
}
