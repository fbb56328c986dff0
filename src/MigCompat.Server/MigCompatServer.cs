using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using MigCompat.Fleet.Storage;
using MigCompat.Server.Contracts;
using MigCompat.Server.Endpoints;
using MigCompat.Server.Http;
using MigCompat.Server.Security;

namespace MigCompat.Server;

/// <summary>
/// Hosts the fleet HTTP API (docs/api.md). <see cref="CreateBuilder"/> configures services; callers
/// may adjust the builder (e.g. use a test server), then <see cref="BuildApp"/> maps the endpoints.
/// </summary>
public static class MigCompatServer
{
    /// <summary>Creates a web application builder with the fleet service, JSON options, problem details, OpenAPI and limits.</summary>
    /// <param name="options">The server options.</param>
    /// <param name="args">Command-line arguments for the host's configuration, if any.</param>
    public static WebApplicationBuilder CreateBuilder(ServerOptions options, string[]? args = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args ?? [],
            ApplicationName = typeof(MigCompatServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (!string.IsNullOrWhiteSpace(options.Urls))
        {
            builder.WebHost.UseUrls(options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = Math.Max(options.MaxInventoryBytes, options.MaxRequestBytes) + 1L;

            // Kestrel answers a request line over its limit with a bare 414 before the application sees
            // it; the limit is set well above MaxUrlLength so the application answers with a problem.
            kestrel.Limits.MaxRequestLineSize = Math.Max(kestrel.Limits.MaxRequestLineSize, MaxRequestLineBytes);
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("MigCompat", LogLevel.Information);

        builder.Services.AddSingleton(options);
        BearerTokens.Add(builder.Services, options);
        builder.Services.AddSingleton<JsonBody>();
        builder.Services.AddSingleton<FleetServiceHost>();
        builder.Services.AddHostedService(services => services.GetRequiredService<FleetServiceHost>());
        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = DescribeStatus);
        builder.Services.AddExceptionHandler<StoreBusy>();
        builder.Services.AddOpenApi(OpenApiSchemas.Configure);
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
            json.SerializerOptions.MaxDepth = 32;
        });
        return builder;
    }

    /// <summary>Builds the application and maps every endpoint.</summary>
    /// <param name="builder">A builder from <see cref="CreateBuilder"/>.</param>
    public static WebApplication BuildApp(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var app = builder.Build();
        app.UseExceptionHandler();
        app.Use(RefuseLongUrlsAsync);
        app.Use(RefuseUrlsThatAreNotUtf8Async);
        app.Use(EndAbortedRequestsQuietlyAsync);
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.Use(CountRequestAsync);
        // Every API route answers 503 until the fleet service has loaded its hosts; /healthz,
        // /metrics and the OpenAPI document answer at once.
        var api = app.MapGroup("").AddEndpointFilter(Readiness.FilterAsync).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        HostEndpoints.Map(api);
        TargetEndpoints.Map(api);
        VmEndpoints.Map(api);
        ClaimEndpoints.Map(api);
        SourceClassEndpoints.Map(api);
        PlanEndpoints.Map(api);
        OperationsEndpoints.Map(app);
        app.MapOpenApi();
        return app;
    }

    /// <summary>
    /// Waits until the started application's fleet service has loaded every host and the API answers
    /// (until then every API route answers 503 and <c>/healthz</c> says <c>starting</c>).
    /// </summary>
    /// <param name="app">An application from <see cref="BuildApp"/>, started.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="FleetStoreException">Loading the hosts failed; the message says why, on one line, and the application is stopping.</exception>
    public static Task WhenReadyAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<FleetServiceHost>().Ready.WaitAsync(cancellationToken);
    }

    /// <summary>How many stored hosts the starting application has loaded so far, and how many there are (null until counted).</summary>
    /// <param name="app">An application from <see cref="BuildApp"/>, started.</param>
    /// <returns>The hosts loaded and the total.</returns>
    public static (int Loaded, int? Total) LoadProgress(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<FleetServiceHost>().Progress;
    }

    /// <summary>The longest URL (path and query) the API reads: 8 KiB. Longer: 414 with a problem.</summary>
    public const int MaxUrlLength = 8 * 1024;

    /// <summary>Kestrel's request line limit: past it Kestrel answers a bare 414 on its own.</summary>
    private const int MaxRequestLineBytes = 64 * 1024;

    private static Task RefuseLongUrlsAsync(HttpContext context, RequestDelegate next)
    {
        var length = (context.Request.PathBase.Value?.Length ?? 0) + (context.Request.Path.Value?.Length ?? 0) + (context.Request.QueryString.Value?.Length ?? 0);
        if (length <= MaxUrlLength)
        {
            return next(context);
        }

        return Problems.Create(
                StatusCodes.Status414UriTooLong,
                "The URL is too long",
                string.Create(CultureInfo.InvariantCulture, $"the URL is {length} characters long; this API reads URLs of at most {MaxUrlLength} (a host name has at most {HostNames.MaxLength} characters)"),
                [new("limit", MaxUrlLength)])
            .ExecuteAsync(context);
    }

    /// <summary>
    /// A URL whose %XX escapes do not decode to UTF-8 (<c>%FF</c>, <c>%ED%A0%80</c>: a lone surrogate) is refused:
    /// the server would otherwise read the escapes as literal text (<c>host%FF</c> as a host name).
    /// </summary>
    private static Task RefuseUrlsThatAreNotUtf8Async(HttpContext context, RequestDelegate next)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || !raw.Contains('%', StringComparison.Ordinal) || DecodesToUtf8(raw))
        {
            return next(context);
        }

        return Problems.BadRequest($"the URL {StrictJson.Printable(raw)} is not UTF-8 once its %XX escapes are decoded; escape each character as the %XX of its UTF-8 bytes").ExecuteAsync(context);
    }

    /// <summary>True when the URL's %XX escapes decode (with its other characters, as the bytes Kestrel read) to UTF-8.</summary>
    private static bool DecodesToUtf8(string target)
    {
        var raw = System.Text.Encoding.Latin1.GetBytes(target);
        return System.Text.Unicode.Utf8.IsValid(System.Net.WebUtility.UrlDecodeToBytes(raw, 0, raw.Length));
    }

    /// <summary>
    /// A request the client gave up on (the connection closed, the request aborted) is not a server
    /// failure: it is logged at debug level without a stack trace, and the rest of the pipeline is not
    /// asked to write an answer nobody reads.
    /// </summary>
    private static async Task EndAbortedRequestsQuietlyAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (e is RequestBodyAbortedException
            || (context.RequestAborted.IsCancellationRequested && e is OperationCanceledException or IOException or BadHttpRequestException))
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("MigCompat.Server.Requests");
            if (logger.IsEnabled(LogLevel.Debug))
            {
                logger.LogDebug("{Method} {Path}: the client aborted the request ({Exception})", context.Request.Method, context.Request.Path.Value, e.GetType().Name);
            }
            if (!context.Response.HasStarted)
            {
                context.Response.StatusCode = e is RequestBodyAbortedException && !context.RequestAborted.IsCancellationRequested
                    ? StatusCodes.Status400BadRequest
                    : StatusCodes.Status499ClientClosedRequest;
            }

            // A connection that broke is of no further use: closing it stops Kestrel from draining the rest of a body
            // the client never sends (which it would log as a failure with a stack trace, the body reader being
            // mid-read). A malformed body (a bad chunk) is Kestrel's own 400, answered on the connection.
            if (context.RequestAborted.IsCancellationRequested || e is RequestBodyAbortedException { InnerException: not BadHttpRequestException })
            {
                context.Abort();
            }
        }
    }

    /// <summary>Gives the problems the framework writes on its own (404, 405, 415...) a <c>detail</c> a person can act on.</summary>
    private static void DescribeStatus(ProblemDetailsContext context)
    {
        if (!string.IsNullOrEmpty(context.ProblemDetails.Detail))
        {
            return;
        }

        var request = context.HttpContext.Request;
        var target = request.Method + " " + StrictJson.Printable(request.Path.Value ?? "/");
        context.ProblemDetails.Detail = context.ProblemDetails.Status switch
        {
            StatusCodes.Status404NotFound => $"nothing answers {target}; the API is under /v1 (see /openapi/v1.json)",
            StatusCodes.Status405MethodNotAllowed => context.HttpContext.Response.Headers.Allow is { Count: > 0 } allow
                ? $"{target}: this URL does not take {request.Method}; it takes {string.Join(", ", allow.ToArray())}"
                : $"{target}: this URL does not take {request.Method} (see /openapi/v1.json)",
            StatusCodes.Status415UnsupportedMediaType => $"{target}: the body must be JSON; send it with 'Content-Type: application/json'",
            StatusCodes.Status400BadRequest => $"{target}: the request is malformed (see /openapi/v1.json)",
            StatusCodes.Status500InternalServerError => $"{target}: the server failed while answering; the server log has the details",
            { } status => string.Create(CultureInfo.InvariantCulture, $"{target} was answered {status} (see /openapi/v1.json)"),
            _ => $"{target} could not be answered",
        };
    }

    private static async Task CountRequestAsync(HttpContext context, RequestDelegate next)
    {
        int? failedStatus = null;
        try
        {
            await next(context);
        }
        catch (Exception e)
        {
            failedStatus = e is RequestBodyAbortedException || context.RequestAborted.IsCancellationRequested ? StatusCodes.Status499ClientClosedRequest : StatusCodes.Status500InternalServerError;
            throw;
        }
        finally
        {
            if (context.RequestServices.GetRequiredService<FleetServiceHost>().Service is { } service)
            {
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
                service.Metrics.RecordRequest(context.Request.Method, route, failedStatus ?? context.Response.StatusCode);
            }
        }
    }
}
