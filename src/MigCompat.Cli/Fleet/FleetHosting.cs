using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using MigCompat.Server;

namespace MigCompat.Cli.Fleet;

/// <summary>Starts the fleet server for <c>serve</c> and <c>demo</c> and reports where it listens.</summary>
internal static class FleetHosting
{
    public static async Task<WebApplication> StartAsync(ServerOptions options, CancellationToken cancellationToken)
    {
        var app = MigCompatServer.BuildApp(MigCompatServer.CreateBuilder(options));
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
