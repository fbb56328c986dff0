using System.Collections.Immutable;
using System.Diagnostics;
using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Publishing;
using MigCompat.Fleet.Search;
using MigCompat.Fleet.Storage;

namespace MigCompat.Fleet.Service;

/// <summary>
/// The fleet service: the durable <see cref="IFleetStore"/> (authoritative for inventories,
/// generations, drain flags and claims) glued to an in-memory <see cref="FleetIndex"/> that answers
/// target searches. Rebuilds the index from the store at start; keeps it fresh after every write
/// and, in the background, with what other instances sharing the database changed. Thread-safe.
/// </summary>
public sealed partial class FleetService : IAsyncDisposable
{
    private readonly IFleetStore store;
    private readonly FleetServiceOptions options;
    private readonly FleetIndex index = new();
    private readonly object indexGate = new();
    private readonly Dictionary<string, IndexedHost> indexed = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stopping = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> staleClaimCounts = new(StringComparer.Ordinal);
    private Task background = Task.CompletedTask;
    private int disposed;
    private int loadStarted;
    private int hostsLoaded;
    private int hostsToLoad = -1;

    /// <summary>How many hosts left the index so far; a refresh that sees it change knows the host list moved under it.</summary>
    private int removals;

    private FleetService(IFleetStore store, FleetServiceOptions options)
    {
        this.store = store;
        this.options = options;
    }

    /// <summary>The service's counters, for <c>/metrics</c>.</summary>
    public FleetMetrics Metrics { get; } = new();

    /// <summary>How many hosts the search index holds.</summary>
    public int HostCount => index.HostCount;

    /// <summary>
    /// Opens the store <see cref="FleetServiceOptions.Database"/> names, rebuilds the index from it and
    /// starts the background refresh and the expiry sweep (with the purge of ended claims).
    /// </summary>
    /// <param name="options">The options.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="FleetStoreException">The database cannot be opened; the message says why.</exception>
    public static async Task<FleetService> StartAsync(FleetServiceOptions options, CancellationToken cancellationToken = default)
    {
        var service = await OpenAsync(options, cancellationToken);
        return await LoadOrDisposeAsync(service, cancellationToken);
    }

    /// <summary>Starts the service on an open store, which it then owns and disposes.</summary>
    /// <param name="store">The store.</param>
    /// <param name="options">The options (<see cref="FleetServiceOptions.Database"/> is not used).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<FleetService> StartAsync(IFleetStore store, FleetServiceOptions options, CancellationToken cancellationToken = default) =>
        await LoadOrDisposeAsync(Open(store, options), cancellationToken);

    /// <summary>
    /// Opens the store <see cref="FleetServiceOptions.Database"/> names (applying its migrations), without
    /// loading any host: the first half of <see cref="StartAsync(FleetServiceOptions, CancellationToken)"/>,
    /// for a host that listens while <see cref="LoadAsync"/> runs. The service answers nothing useful
    /// until <see cref="LoadAsync"/> has completed.
    /// </summary>
    /// <param name="options">The options.</param>
    /// <param name="cancellationToken">Cancels the opening.</param>
    /// <exception cref="FleetStoreException">The database cannot be opened; the message says why.</exception>
    public static async Task<FleetService> OpenAsync(FleetServiceOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Open(await FleetStoreFactory.OpenAsync(options.Database, options.TimeProvider, cancellationToken), options);
    }

    /// <summary>Wraps an open store, which the service then owns and disposes, without loading any host (see <see cref="OpenAsync"/>).</summary>
    /// <param name="store">The store.</param>
    /// <param name="options">The options (<see cref="FleetServiceOptions.Database"/> is not used).</param>
    public static FleetService Open(IFleetStore store, FleetServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        return new FleetService(store, options);
    }

    /// <summary>
    /// Rebuilds the index from every stored host, then starts the background refresh and the expiry
    /// sweep (with the purge of ended claims). Call once, after <see cref="OpenAsync"/> or <see cref="Open"/>;
    /// <see cref="HostsLoaded"/> and <see cref="HostsToLoad"/> tell how far it is.
    /// </summary>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <exception cref="InvalidOperationException">The load was already started.</exception>
    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref loadStarted, 1) != 0)
        {
            throw new InvalidOperationException("the fleet service is already loaded or loading");
        }

        await RebuildAsync(cancellationToken);
        background = RunBackgroundAsync(stopping.Token);
    }

    /// <summary>How many stored hosts the running <see cref="LoadAsync"/> has read so far.</summary>
    public int HostsLoaded => Volatile.Read(ref hostsLoaded);

    /// <summary>How many hosts the store holds, once <see cref="LoadAsync"/> has counted them; null before.</summary>
    public int? HostsToLoad => Volatile.Read(ref hostsToLoad) is var total and >= 0 ? total : null;

    private static async Task<FleetService> LoadOrDisposeAsync(FleetService service, CancellationToken cancellationToken)
    {
        try
        {
            await service.LoadAsync(cancellationToken);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Stores a host's inventory when every descriptor in it parses and
    /// <paramref name="expectedGeneration"/> is the stored generation (0 for a new host; any for
    /// <see cref="IFleetStore.AnyGeneration"/>). A refused
    /// inventory changes nothing: the previous one stays stored and indexed.
    /// </summary>
    /// <param name="inventory">The inventory.</param>
    /// <param name="expectedGeneration">The generation the caller last saw; 0 for a new host.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public async Task<PutHostOutcome> PutHostAsync(HostInventory inventory, long expectedGeneration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        var validation = Validate(inventory);
        if (!validation.Accepted)
        {
            Metrics.RecordHostWrite("invalid");
            var reason = "the inventory was refused because some descriptors do not parse; the previous inventory stays in use";
            return new PutHostOutcome(new InvalidInventory(reason, validation.Diagnostics), validation.Diagnostics);
        }

        var result = await store.PutHostAsync(inventory, expectedGeneration, cancellationToken);
        switch (result)
        {
            case HostStored stored:
                Metrics.RecordHostWrite("stored");
                ApplyToIndex(new StoredHost(stored.Host, inventory, stored.Generation, IsDrainedInIndex(stored.Host), stored.UpdatedAt, []));
                await RefreshClaimCountsAfterCommitAsync(stored.Host, cancellationToken);
                break;
            case GenerationConflict:
                Metrics.RecordHostWrite("conflict");
                break;
            default:
                Metrics.RecordHostWrite("invalid");
                break;
        }

        var diagnostics = result is InvalidInventory { Diagnostics.IsDefaultOrEmpty: false } invalid
            ? validation.Diagnostics.AddRange(invalid.Diagnostics)
            : validation.Diagnostics;
        return new PutHostOutcome(result, diagnostics);
    }

    /// <summary>Reads one host, or null when it is not stored.</summary>
    /// <param name="name">The host name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public Task<StoredHost?> GetHostAsync(string name, CancellationToken cancellationToken = default) =>
        store.GetHostAsync(name, cancellationToken);

    /// <summary>A host's resources with capacity, claimed and available units, or null when it is not stored.</summary>
    /// <param name="name">The host name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public Task<HostCapacity?> GetCapacityAsync(string name, CancellationToken cancellationToken = default) =>
        store.GetAvailableCapacityAsync(name, cancellationToken);

    /// <summary>Lists every stored host, ordered by name.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public Task<ImmutableArray<HostSummary>> ListHostsAsync(CancellationToken cancellationToken = default) =>
        store.ListHostsAsync(cancellationToken);

    /// <summary>Drains a host (no new claims, not offered as a target) or undrains it. False when the host is not stored.</summary>
    /// <param name="name">The host name.</param>
    /// <param name="drained">True to drain.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public async Task<bool> SetDrainedAsync(string name, bool drained, CancellationToken cancellationToken = default)
    {
        if (!await store.SetDrainedAsync(name, drained, cancellationToken))
        {
            return false;
        }

        Metrics.RecordHostWrite(drained ? "drained" : "undrained");
        lock (indexGate)
        {
            if (indexed.TryGetValue(name, out var host))
            {
                index.SetDrained(name, drained);
                indexed[name] = host with { Drained = drained };
            }
        }

        return true;
    }

    /// <summary>Deletes a host with its claims. False when the host is not stored.</summary>
    /// <param name="name">The host name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public async Task<bool> DeleteHostAsync(string name, CancellationToken cancellationToken = default)
    {
        var deleted = await store.DeleteHostAsync(name, cancellationToken);
        if (deleted)
        {
            Metrics.RecordHostWrite("deleted");
            RemoveFromIndex(name);
        }

        return deleted;
    }

    /// <summary>Ranks the hosts that can take the source VM's devices; never throws on bad queries (errors are in the result).</summary>
    /// <param name="query">The query.</param>
    public TargetSearchResult FindTargets(TargetQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var watch = Stopwatch.StartNew();
        try
        {
            return index.FindTargets(query);
        }
        finally
        {
            Metrics.ObserveQuery(watch.Elapsed);
        }
    }

    /// <summary>Which hosts accept which source classes live (<see cref="FleetIndex.SourceClasses"/>), from the index as it is now.</summary>
    public SourceClassReport SourceClasses() => index.SourceClasses();

    /// <summary>Finds a VM by name or UUID in the indexed hosts' inventories (see <see cref="FleetIndex.FindVm"/>).</summary>
    /// <param name="nameOrUuid">The VM's name or UUID.</param>
    /// <param name="host">The only host to look at, or null for every host.</param>
    public VmLookup FindVm(string nameOrUuid, string? host = null) => index.FindVm(nameOrUuid, host);

    /// <summary>Every VM the indexed hosts list, by host then name; only those of <paramref name="host"/> when it is given.</summary>
    /// <param name="host">The only host to list, or null for every host.</param>
    public ImmutableArray<VmLocation> ListVms(string? host = null) => index.ListVms(host);

    /// <summary>Stops the background work and closes the store. Nothing stored is lost.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await stopping.CancelAsync();
        try
        {
            await background;
        }
        catch (OperationCanceledException)
        {
            // Expected on shutdown.
        }

        stopping.Dispose();
        index.Dispose();
        await store.DisposeAsync();
    }

    /// <summary>
    /// Checks the inventory against the index without installing it: refused when the index refuses it or any
    /// descriptor does not parse (those index warnings become errors here).
    /// </summary>
    private IndexUpdateResult Validate(HostInventory inventory)
    {
        var result = index.Check(inventory);
        var diagnostics = result.Diagnostics.IsDefault ? [] : result.Diagnostics
            .Select(d => d.Code == IndexDiagnosticCodes.DescriptorDoesNotParse && !d.IsError ? d with { Severity = DiagnosticSeverity.Error } : d)
            .ToImmutableArray();
        return new IndexUpdateResult(result.Accepted && !diagnostics.Any(d => d.IsError), diagnostics);
    }

    /// <summary>
    /// Puts a stored host into the index unless the index already has that generation or a newer one.
    /// A host the refresh has just read from the store (<paramref name="readByRefresh"/>) also replaces
    /// an entry of a higher generation, or of the same generation written at another time: the host
    /// was deleted and stored again (its generations restart at 1), which generations alone cannot
    /// order. (Should that read race this instance's own newer write of the host, the next refresh
    /// puts the newer generation back.)
    /// </summary>
    private bool ApplyToIndex(StoredHost host, bool readByRefresh = false)
    {
        if (host.Inventory is null)
        {
            return false;
        }

        lock (indexGate)
        {
            if (indexed.TryGetValue(host.Name, out var current) && current.Generation >= host.Generation
                && !(readByRefresh && (current.Generation != host.Generation || current.UpdatedAt != host.UpdatedAt)))
            {
                if (current.Drained != host.Drained && current.Generation == host.Generation)
                {
                    index.SetDrained(host.Name, host.Drained);
                    indexed[host.Name] = current with { Drained = host.Drained };
                }

                return true;
            }

            var result = index.Upsert(host.Inventory, host.Drained);
            if (!result.Accepted)
            {
                FleetServiceLog.NotIndexed(options.Logger, host.Name, host.Generation, string.Join("; ", result.Diagnostics.Where(d => d.IsError).Select(d => d.Message)));
                return false;
            }

            indexed[host.Name] = new IndexedHost(host.Generation, host.Drained, host.UpdatedAt, current?.ClaimedUnits ?? 0);
            return true;
        }
    }

    private bool IsDrainedInIndex(string name)
    {
        lock (indexGate)
        {
            return indexed.TryGetValue(name, out var host) && host.Drained;
        }
    }

    private void RemoveFromIndex(string name)
    {
        lock (indexGate)
        {
            index.Remove(name);
            indexed.Remove(name);
            removals++;
        }
    }

    /// <summary>What the index holds for one host; <paramref name="UpdatedAt"/> tells a host stored again after a delete from the one indexed.</summary>
    private sealed record IndexedHost(long Generation, bool Drained, DateTimeOffset UpdatedAt, long ClaimedUnits);
}
