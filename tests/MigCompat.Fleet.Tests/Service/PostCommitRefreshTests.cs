using System.Reflection;
using MigCompat.Fleet.Service;
using MigCompat.Fleet.Storage;
using MigCompat.Fleet.Storage.Sqlite;
using MigCompat.Fleet.Tests.Storage;

namespace MigCompat.Fleet.Tests.Service;

/// <summary>
/// A write that committed is never answered as a failure: when re-reading the claim counts after the
/// commit fails (PostgreSQL pool exhaustion, a lost connection), the caller still gets the committed
/// result, the failure is logged and counted, and the index catches up at the next refresh.
/// </summary>
public sealed class PostCommitRefreshTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "migcompat-fleet-tests", Guid.NewGuid().ToString("N"));
    private readonly List<string> _log = [];
    private FleetService? _service;
    private FailingStore _failing = null!;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var store = await SqliteFleetStore.OpenAsync(Path.Combine(_directory, "fleet.db"), TimeProvider.System, TestContext.Current.CancellationToken);
        var proxy = DispatchProxy.Create<IFleetStore, FailingStore>();
        _failing = (FailingStore)(object)proxy;
        _failing.Inner = store;
        _service = await FleetService.StartAsync(proxy, new FleetServiceOptions
        {
            RefreshInterval = TimeSpan.Zero,
            ExpirySweepInterval = TimeSpan.Zero,
            Logger = new LineLogger(line => { lock (_log) { _log.Add(line); } }),
        }, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_claim_whose_post_commit_refresh_fails_is_answered_as_created_and_the_index_catches_up_at_the_next_refresh()
    {
        var ct = TestContext.Current.CancellationToken;
        var service = _service!;
        Assert.IsType<HostStored>((await service.PutHostAsync(Inventories.Host("h1", 5), 0, ct)).Result);

        _failing.FailCapacityReads = true;
        var created = Assert.IsType<ClaimCreated>(await service.CreateClaimAsync(new ClaimRequest("h1", [new ClaimItem(Inventories.GvtKey, 2)], TimeSpan.FromMinutes(5), "k1"), ct));
        Assert.Equal(ClaimState.Pending, created.Claim.State);
        Assert.Contains(_log, line => line.Contains("committed", StringComparison.Ordinal) && line.Contains("h1", StringComparison.Ordinal));
        Assert.Contains("post_commit_refresh_failed", service.Metrics.ToPrometheusText(service.HostCount, service.ClaimedUnits), StringComparison.Ordinal);
        Assert.Equal(0, service.ClaimedUnits);

        // Confirm and release commit too, and are answered as such.
        Assert.IsType<ClaimTransitioned>(await service.ConfirmClaimAsync(created.Claim.Id, ct));
        Assert.IsType<HostStored>((await service.PutHostAsync(Inventories.Host("h1", 6), 1, ct)).Result);

        _failing.FailCapacityReads = false;
        await service.RefreshAsync(ct);
        Assert.Equal(2, service.ClaimedUnits);
        Assert.Equal(2, (await service.GetCapacityAsync("h1", ct))!.Resources.Single(r => r.ResourceKey == Inventories.GvtKey).Claimed);
    }

    /// <summary>Forwards to the real store; fails the capacity read that follows a commit when told to, as an exhausted pool would.</summary>
    public class FailingStore : DispatchProxy
    {
        public IFleetStore Inner { get; set; } = null!;

        public bool FailCapacityReads { get; set; }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (FailCapacityReads && targetMethod!.Name == nameof(IFleetStore.GetAvailableCapacityAsync))
            {
                return Task.FromException<HostCapacity?>(new InvalidOperationException("53300: remaining connection slots are reserved"));
            }

            try
            {
                return targetMethod!.Invoke(Inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
        }
    }
}
