using System.Collections.Concurrent;
using MigCompat.Fleet.Service;
using MigCompat.Fleet.Storage;

namespace MigCompat.Fleet.Tests.Storage;

/// <summary>The fleet service purges ended claims on its expiry sweep, on this backend.</summary>
public abstract partial class FleetStoreContractTests
{
    [Fact]
    public async Task The_service_purges_ended_claims_on_its_sweep_tick_counts_them_and_logs_a_line()
    {
        var ct = TestContext.Current.CancellationToken;
        var clock = new SteppingTimeProvider(Clock.GetUtcNow());
        var log = new ConcurrentQueue<string>();
        var sweep = TimeSpan.FromMinutes(1);
        var retention = TimeSpan.FromMinutes(10);
        await using var service = await FleetService.StartAsync(await OpenInstanceAsync(clock), new FleetServiceOptions
        {
            RefreshInterval = TimeSpan.Zero,
            ExpirySweepInterval = sweep,
            ClaimRetention = retention,
            TimeProvider = clock,
            Logger = new MigCompat.Fleet.Tests.Service.LineLogger(log.Enqueue),
        }, ct);
        Assert.IsType<HostStored>((await service.PutHostAsync(Inventories.Host("node-a", freeInstances: 10), 0, ct)).Result);
        var released = Assert.IsType<ClaimCreated>(await service.CreateClaimAsync(Request("node-a", 1, key: "released"), ct)).Claim;
        await service.ReleaseClaimAsync(released.Id, ct);
        var expiring = Assert.IsType<ClaimCreated>(await service.CreateClaimAsync(Request("node-a", 1, TimeSpan.FromSeconds(30)), ct)).Claim;
        var confirmed = Assert.IsType<ClaimCreated>(await service.CreateClaimAsync(Request("node-a", 2, TimeSpan.FromSeconds(30)), ct)).Claim;
        await service.ConfirmClaimAsync(confirmed.Id, ct);
        var pending = Assert.IsType<ClaimCreated>(await service.CreateClaimAsync(Request("node-a", 3, TimeSpan.FromDays(7)), ct)).Claim;

        // One sweep tick per step; the claims ended at the start (released) and 30 s later (expired).
        var ticks = 0;
        while (service.Metrics.ClaimCount("purged") < 2)
        {
            Assert.True(++ticks <= 20, $"the ended claims were not purged after {ticks - 1} sweep ticks");
            await clock.WaitForArmedTimerAsync(ct);
            clock.Advance(sweep);
        }

        await clock.WaitForArmedTimerAsync(ct);
        Assert.InRange(ticks, 11, 12);
        Assert.Equal(1, service.Metrics.ClaimCount("expired"));
        Assert.Null(await service.GetClaimAsync(released.Id, ct));
        Assert.Null(await service.GetClaimAsync(expiring.Id, ct));
        Assert.Equal(ClaimState.Confirmed, (await service.GetClaimAsync(confirmed.Id, ct))!.State);
        Assert.Equal(ClaimState.Pending, (await service.GetClaimAsync(pending.Id, ct))!.State);
        Assert.Contains(log, line => line.StartsWith("purged ", StringComparison.Ordinal) && line.Contains("released or expired claims", StringComparison.Ordinal));
        var metrics = service.Metrics.ToPrometheusText(service.HostCount, service.ClaimedUnits);
        Assert.Contains("migcompat_claims_total{outcome=\"purged\"} 2", metrics, StringComparison.Ordinal);
        Assert.Contains("migcompat_sync_runs_total{outcome=\"purge_ok\"}", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("purge_failed", metrics, StringComparison.Ordinal);

        var again = Assert.IsType<ClaimCreated>(await service.CreateClaimAsync(Request("node-a", 1, key: "released"), ct));
        Assert.False(again.Replayed);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task A_service_without_a_positive_retention_keeps_ended_claims_forever(int retentionMinutes)
    {
        var ct = TestContext.Current.CancellationToken;
        var clock = new SteppingTimeProvider(Clock.GetUtcNow());
        await using var service = await FleetService.StartAsync(await OpenInstanceAsync(clock), new FleetServiceOptions
        {
            RefreshInterval = TimeSpan.Zero,
            ExpirySweepInterval = TimeSpan.Zero,
            ClaimRetention = TimeSpan.FromMinutes(retentionMinutes),
            TimeProvider = clock,
        }, ct);
        await service.PutHostAsync(Inventories.Host("node-a", freeInstances: 5), 0, ct);
        var claim = Assert.IsType<ClaimCreated>(await service.CreateClaimAsync(Request("node-a", 1), ct)).Claim;
        await service.ReleaseClaimAsync(claim.Id, ct);
        clock.Advance(TimeSpan.FromDays(3650));

        Assert.Equal(0, await service.PurgeEndedClaimsAsync(ct));

        Assert.Equal(ClaimState.Released, (await service.GetClaimAsync(claim.Id, ct))!.State);
    }
}
