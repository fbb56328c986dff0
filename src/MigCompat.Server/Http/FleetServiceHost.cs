using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MigCompat.Fleet.Service;

namespace MigCompat.Server.Http;

/// <summary>Starts the <see cref="FleetService"/> with the host and disposes it on shutdown.</summary>
internal sealed class FleetServiceHost(ServerOptions options, ILogger<FleetService> logger) : IHostedService, IAsyncDisposable
{
    private FleetService? service;

    /// <summary>The running service, or null before start and after stop.</summary>
    public FleetService? Service => Volatile.Read(ref service);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var started = await FleetService.StartAsync(
            options.Fleet with { Logger = logger },
            cancellationToken);
        Volatile.Write(ref service, started);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        var running = Interlocked.Exchange(ref service, null);
        if (running is not null)
        {
            await running.DisposeAsync();
        }
    }
}
