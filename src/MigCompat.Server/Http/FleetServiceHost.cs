using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MigCompat.Fleet.Service;
using MigCompat.Fleet.Storage;

namespace MigCompat.Server.Http;

/// <summary>Opens the fleet store for the server; the tests give their own (a store that holds its load).</summary>
/// <param name="options">The fleet service's options.</param>
/// <param name="cancellationToken">Cancels the opening.</param>
internal delegate Task<IFleetStore> FleetStoreOpener(FleetServiceOptions options, CancellationToken cancellationToken);

/// <summary>
/// Runs the <see cref="FleetService"/> with the host. Starting opens the store (and applies its
/// migrations) before the server listens, so a database that cannot be opened stops the start with
/// its message; once the server listens, the hosts are loaded into the index in the background while
/// the server already answers (every API route 503 until <see cref="Service"/> is set). A failed load
/// stops the host.
/// </summary>
internal sealed class FleetServiceHost(
    ServerOptions options,
    ILogger<FleetService> logger,
    IHostApplicationLifetime lifetime,
    IServiceProvider services) : IHostedLifecycleService, IAsyncDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FleetService? opened;
    private FleetService? service;
    private Task loading = Task.CompletedTask;
    private int disposed;

    /// <summary>The service once its hosts are loaded; null while starting and after stop.</summary>
    public FleetService? Service => Volatile.Read(ref service);

    /// <summary>
    /// The loaded service, for the API routes: <see cref="Readiness"/> answers 503 before a route runs
    /// while there is none, so a route never sees it missing.
    /// </summary>
    /// <exception cref="InvalidOperationException">The service is not loaded (a route mapped outside the API group).</exception>
    public FleetService Loaded => Service ?? throw new InvalidOperationException("the fleet service is not loaded yet");

    /// <summary>How many hosts are loaded so far and how many there are (null until counted); (0, null) before the store is open.</summary>
    public (int Loaded, int? Total) Progress => Volatile.Read(ref opened) is { } loading ? (loading.HostsLoaded, loading.HostsToLoad) : (0, null);

    /// <summary>
    /// Completes when the hosts are loaded and the API answers; fails with a <see cref="FleetStoreException"/>
    /// whose message says why when the load failed (the host is then stopping).
    /// </summary>
    public Task Ready => ready.Task;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var fleet = options.Fleet with { Logger = logger };
        var store = services.GetService<FleetStoreOpener>() is { } open
            ? await open(fleet, cancellationToken)
            : await FleetStoreFactory.OpenAsync(fleet.Database, fleet.TimeProvider, cancellationToken);
        Volatile.Write(ref opened, FleetService.Open(store, fleet));
    }

    /// <summary>Once every hosted service has started (the server listens), loads the hosts in the background.</summary>
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref opened) is { } started)
        {
            loading = LoadAsync(started);
        }

        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await stopping.CancelAsync();
        await loading;
        Volatile.Write(ref service, null);
        if (Interlocked.Exchange(ref opened, null) is { } running)
        {
            await running.DisposeAsync();
        }

        ready.TrySetCanceled();
        stopping.Dispose();
    }

    private async Task LoadAsync(FleetService started)
    {
        await Task.Yield();
        try
        {
            await started.LoadAsync(stopping.Token);
            Volatile.Write(ref service, started);
            ready.TrySetResult();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            ready.TrySetCanceled();
        }
        catch (Exception e)
        {
            // Whatever it was, the server cannot answer without its index: say why on one line and stop.
            // Said once, by whoever waits for Ready (serve, demo), as for a database that does not open.
            // Stopping first, so whoever sees the failure also sees the host stopping.
            lifetime.StopApplication();
            ready.TrySetException(new FleetStoreException("loading the hosts from the fleet database failed: " + e.Message, e));
        }
    }
}
