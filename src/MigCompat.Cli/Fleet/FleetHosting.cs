using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using MigCompat.Server;

namespace MigCompat.Cli.Fleet;

/// <summary>Starts the fleet server for <c>serve</c> and <c>demo</c> and reports where it listens.</summary>
internal static class FleetHosting
{
    public static async Task<WebApplication> StartAsync(ServerOptions options, string command, CancellationToken cancellationToken)
    {
        var builder = MigCompatServer.CreateBuilder(options);
        builder.Logging.AddConsoleFormatter<CommandLogFormatter, CommandLogFormatter.Options>(format => format.Command = command);
        builder.Services.Configure<ConsoleLoggerOptions>(console => console.FormatterName = CommandLogFormatter.FormatterName);
        // The host logs a failed start with its stack trace; serve and demo say what failed in one line.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        var app = MigCompatServer.BuildApp(builder);
        try
        {
            await app.StartAsync(cancellationToken);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public static IReadOnlyList<string> Addresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
}
