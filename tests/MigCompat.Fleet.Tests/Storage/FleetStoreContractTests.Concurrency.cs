using MigCompat.Fleet.Storage;

namespace MigCompat.Fleet.Tests.Storage;

public abstract partial class FleetStoreContractTests
{
    [Fact]
    public async Task Thirty_two_racing_claims_on_two_instances_for_the_last_five_units_give_exactly_five_claims()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 5));
        var other = await OpenTrackedAsync();
        IFleetStore[] instances = [Store, other];
        using var start = new ManualResetEventSlim();

        var racers = Enumerable.Range(0, 32).Select(i => Task.Run(async () =>
        {
            start.Wait(ct);
            return await instances[i % 2].CreateClaimAsync(Request("node-a", 1), ct);
        }, ct)).ToList();
        start.Set();
        var results = await Task.WhenAll(racers);

        Assert.Equal(5, results.Count(r => r is ClaimCreated));
        Assert.Equal(27, results.Count(r => r is InsufficientCapacity));
        Assert.Equal(5, results.OfType<ClaimCreated>().Select(c => c.Claim.Id).Distinct().Count());
        Assert.Equal(new ResourceCapacity(Inventories.GvtKey, 5, 5, 0), await CapacityOfAsync("node-a", Inventories.GvtKey));
    }

    [Fact]
    public async Task Racing_claims_with_one_idempotency_key_create_one_claim()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 5));
        var other = await OpenTrackedAsync();
        IFleetStore[] instances = [Store, other];

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(
            () => instances[i % 2].CreateClaimAsync(Request("node-a", 1, key: "same"), ct), ct)));

        var created = results.Select(r => Assert.IsType<ClaimCreated>(r)).ToList();
        Assert.Single(created.Select(c => c.Claim.Id).Distinct());
        Assert.Single(created, c => !c.Replayed);
        Assert.Equal(4, (await CapacityOfAsync("node-a", Inventories.GvtKey)).Available);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Racing_overwrites_with_any_generation_all_succeed_one_after_another(bool hostStoredBefore)
    {
        var ct = TestContext.Current.CancellationToken;
        if (hostStoredBefore)
        {
            await PutNewAsync(Inventories.Host("node-a", freeInstances: 1));
        }

        var other = await OpenTrackedAsync();
        IFleetStore[] instances = [Store, other];
        using var start = new ManualResetEventSlim();

        var racers = Enumerable.Range(0, 12).Select(i => Task.Run(async () =>
        {
            start.Wait(ct);
            return await instances[i % 2].PutHostAsync(Inventories.Host("node-a", freeInstances: 100 + i), IFleetStore.AnyGeneration, ct);
        }, ct)).ToList();
        start.Set();
        var results = await Task.WhenAll(racers);

        var stored = results.Select(r => Assert.IsType<HostStored>(r)).ToList();
        var first = hostStoredBefore ? 2 : 1;
        Assert.Equal(Enumerable.Range(first, 12).Select(g => (long)g), stored.Select(s => s.Generation).Order());
        Assert.Equal(first + 11, (await Store.GetHostAsync("node-a", ct))!.Generation);
    }

    [Fact]
    public async Task Racing_updates_from_the_same_generation_let_exactly_one_win()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 1));
        var other = await OpenTrackedAsync();
        IFleetStore[] instances = [Store, other];

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(
            () => instances[i % 2].PutHostAsync(Inventories.Host("node-a", freeInstances: 100 + i), 1, ct), ct)));

        Assert.Single(results.OfType<HostStored>());
        Assert.Equal(11, results.OfType<GenerationConflict>().Count(c => c.CurrentGeneration == 2));
        var winner = Array.FindIndex(results, r => r is HostStored);
        Assert.Equal(100 + winner, (await CapacityOfAsync("node-a", Inventories.GvtKey)).Capacity);
    }

    [Fact]
    public async Task Racing_creations_of_a_new_host_let_exactly_one_win()
    {
        var ct = TestContext.Current.CancellationToken;
        var other = await OpenTrackedAsync();
        IFleetStore[] instances = [Store, other];

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(
            () => instances[i % 2].PutHostAsync(Inventories.Host("node-new", freeInstances: i), 0, ct), ct)));

        Assert.Single(results.OfType<HostStored>());
        Assert.Equal(11, results.OfType<GenerationConflict>().Count(c => c.CurrentGeneration == 1));
    }
}
