using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MigCompat.Server.Http;

/// <summary>
/// While the fleet service loads its hosts, every API route answers <c>503</c> with <c>Retry-After</c>
/// (an endpoint filter on the API's route group), so the port answers at once after a restart.
/// </summary>
internal static class Readiness
{
    /// <summary>Seconds a client is asked to wait before retrying while the service starts.</summary>
    public const int RetryAfterSeconds = 2;

    /// <summary>The endpoint filter: passes the request on once the service is loaded, answers <see cref="NotReady"/> before.</summary>
    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var host = context.HttpContext.RequestServices.GetRequiredService<FleetServiceHost>();
        return host.Service is null ? NotReady(context.HttpContext, host) : await next(context);
    }

    /// <summary>503 <c>The service is not ready</c> with <c>Retry-After</c> and how far the load is.</summary>
    public static IResult NotReady(HttpContext context, FleetServiceHost host)
    {
        AskToRetry(context);
        var (loaded, total) = host.Progress;
        var progress = total is { } count
            ? string.Create(CultureInfo.InvariantCulture, $"loading {loaded} of {count} hosts")
            : string.Create(CultureInfo.InvariantCulture, $"loading hosts ({loaded} so far)");
        return Problems.Create(
            StatusCodes.Status503ServiceUnavailable,
            "The service is not ready",
            $"the fleet service is starting: {progress}; retry in {RetryAfterSeconds} seconds",
            [new("hostsLoaded", loaded), new("hostsTotal", total)]);
    }

    /// <summary>Sets <c>Retry-After</c> on a 503 answered while the service starts.</summary>
    public static void AskToRetry(HttpContext context) =>
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
}
