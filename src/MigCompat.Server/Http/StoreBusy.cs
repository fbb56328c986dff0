using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MigCompat.Fleet.Storage;

namespace MigCompat.Server.Http;

/// <summary>
/// A request the fleet database could not take now (no free connection: <see cref="FleetStoreException.RetryAfter"/>)
/// is answered <c>503</c> with <c>Retry-After</c>, not as a server failure: nothing was carried out, and the
/// client may send it again. Logged as one warning.
/// </summary>
internal sealed partial class StoreBusy(ILogger<StoreBusy> logger) : IExceptionHandler
{
    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        for (var cause = exception; cause is not null; cause = cause.InnerException)
        {
            if (cause is FleetStoreException { RetryAfter: { } after } busy)
            {
                var seconds = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds));
                Busy(logger, httpContext.Request.Method, httpContext.Request.Path.Value ?? "", busy.Message);
                httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await Problems.Create(StatusCodes.Status503ServiceUnavailable, "The fleet database is busy", $"{busy.Message}; retry in {seconds} seconds").ExecuteAsync(httpContext);
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path}: answered 503: {Reason}")]
    private static partial void Busy(ILogger logger, string method, string path, string reason);
}
