using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
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

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = Math.Max(options.MaxInventoryBytes, options.MaxRequestBytes) + 1L);
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("MigCompat", LogLevel.Information);

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<AccessPolicy>();
        builder.Services.AddSingleton<JsonBody>();
        builder.Services.AddSingleton<FleetServiceHost>();
        builder.Services.AddHostedService(services => services.GetRequiredService<FleetServiceHost>());
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(openApi => openApi.AddSchemaTransformer(EvidenceJsonConverter.DescribeAsync));
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
            json.SerializerOptions.Converters.Add(new EvidenceJsonConverter());
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
        app.UseStatusCodePages();
        app.UseRouting();
        app.Use(CountRequestAsync);
        HostEndpoints.Map(app);
        TargetEndpoints.Map(app);
        ClaimEndpoints.Map(app);
        OperationsEndpoints.Map(app);
        app.MapOpenApi();
        return app;
    }

    private static async Task CountRequestAsync(HttpContext context, RequestDelegate next)
    {
        var failed = false;
        try
        {
            await next(context);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            if (context.RequestServices.GetRequiredService<FleetServiceHost>().Service is { } service)
            {
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
                service.Metrics.RecordRequest(context.Request.Method, route, failed ? StatusCodes.Status500InternalServerError : context.Response.StatusCode);
            }
        }
    }
}
