using MigCompat.Fleet.Storage;

namespace MigCompat.Fleet.Tests.Storage;

public abstract partial class FleetStoreContractTests
{
    [Fact]
    public async Task A_claim_holds_its_units_while_pending_keeps_them_once_confirmed_and_frees_them_on_release()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 5));

        var created = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 3, TimeSpan.FromMinutes(2)), ct));
        Assert.False(created.Replayed);
        Assert.Equal(ClaimState.Pending, created.Claim.State);
        Assert.Equal("node-a", created.Claim.Host);
        Assert.Equal(Clock.GetUtcNow() + TimeSpan.FromMinutes(2), created.Claim.ExpiresAt);
        Assert.Equal(new ResourceCapacity(Inventories.GvtKey, 5, 3, 2), await CapacityOfAsync("node-a", Inventories.GvtKey));

        var confirmed = Assert.IsType<ClaimTransitioned>(await Store.ConfirmClaimAsync(created.Claim.Id, ct));
        Assert.Equal(ClaimState.Confirmed, confirmed.Claim.State);
        Clock.Advance(TimeSpan.FromHours(3));
        Assert.Equal(0, await Store.ExpireClaimsAsync(Clock.GetUtcNow(), ct));
        Assert.Equal(2, (await CapacityOfAsync("node-a", Inventories.GvtKey)).Available);
        Assert.Equal(ClaimState.Confirmed, (await Store.GetClaimAsync(created.Claim.Id, ct))!.State);

        var released = Assert.IsType<ClaimTransitioned>(await Store.ReleaseClaimAsync(created.Claim.Id, ct));
        Assert.Equal(ClaimState.Released, released.Claim.State);
        Assert.Equal(5, (await CapacityOfAsync("node-a", Inventories.GvtKey)).Available);
        Assert.Equal(ClaimState.Released, (await Store.GetClaimAsync(created.Claim.Id, ct))!.State);
    }

    [Fact]
    public async Task The_fleet_wide_claim_units_list_every_host_with_active_claims_and_leave_out_released_and_expired_ones()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 5));
        await PutNewAsync(Inventories.Host("node-b", freeInstances: 5));
        await PutNewAsync(Inventories.Host("node-c", freeInstances: 5));
        await Store.CreateClaimAsync(Request("node-a", 2, TimeSpan.FromMinutes(10)), ct);
        await Store.CreateClaimAsync(Request("node-a", 1, TimeSpan.FromMinutes(10)), ct);
        var released = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-b", 4, TimeSpan.FromMinutes(10)), ct));
        await Store.ReleaseClaimAsync(released.Claim.Id, ct);
        await Store.CreateClaimAsync(Request("node-c", 1, TimeSpan.FromMinutes(1)), ct);
        Clock.Advance(TimeSpan.FromMinutes(5));

        var units = await Store.GetActiveClaimUnitsAsync(ct);

        var only = Assert.Single(units);
        Assert.Equal("node-a", only.Key);
        Assert.Equal(3, only.Value[Inventories.GvtKey]);
    }

    [Fact]
    public async Task A_claim_is_read_back_with_its_items_in_key_order()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 5));
        var request = new ClaimRequest("node-a", [new(Inventories.GvtKey, 2), new("device:idle-1", 1)], TimeSpan.FromMinutes(1), "abc");

        var created = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(request, ct)).Claim;

        Assert.Equal([new ClaimItem("device:idle-1", 1), new ClaimItem(Inventories.GvtKey, 2)], created.Items);
        Assert.Equal(created, await Store.GetClaimAsync(created.Id, ct));
        Assert.Equal("abc", created.IdempotencyKey);
    }

    [Fact]
    public async Task A_claim_for_more_than_is_free_is_refused_with_what_each_item_has_and_claims_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 4));
        await Store.CreateClaimAsync(Request("node-a", 3), ct);
        var request = new ClaimRequest("node-a", [new("device:idle-1", 1), new(Inventories.GvtKey, 2)], TimeSpan.FromMinutes(1), null);

        var result = await Store.CreateClaimAsync(request, ct);

        var refused = Assert.IsType<InsufficientCapacity>(result);
        Assert.Equal([new ItemAvailability("device:idle-1", 1, 1), new ItemAvailability(Inventories.GvtKey, 2, 1)], refused.Items);
        Assert.Equal(1, (await CapacityOfAsync("node-a", "device:idle-1")).Available);
        Assert.Equal(1, (await CapacityOfAsync("node-a", Inventories.GvtKey)).Available);
    }

    [Fact]
    public async Task A_device_in_use_is_no_resource_and_claiming_it_names_the_unknown_key()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a"));
        var request = new ClaimRequest("node-a", [new("device:busy-1", 1), new("device:idle-1", 1), new("type:nope/x", 1)], TimeSpan.FromMinutes(1), null);

        var result = await Store.CreateClaimAsync(request, ct);

        Assert.Equal(["device:busy-1", "type:nope/x"], Assert.IsType<UnknownResource>(result).ResourceKeys);
        Assert.Equal(1, (await CapacityOfAsync("node-a", "device:idle-1")).Available);
    }

    [Fact]
    public async Task A_claim_on_an_unknown_host_or_a_drained_host_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a"));
        await Store.SetDrainedAsync("node-a", true, ct);

        Assert.Equal(new UnknownHost("ghost"), await Store.CreateClaimAsync(Request("ghost", 1), ct));
        Assert.Equal(new HostDrained("node-a"), await Store.CreateClaimAsync(Request("node-a", 1), ct));
        Assert.Equal(0, (await CapacityOfAsync("node-a", Inventories.GvtKey)).Claimed);
    }

    public static TheoryData<string, ClaimRequest> MalformedClaims => new()
    {
        { "no items", new ClaimRequest("node-a", [], TimeSpan.FromMinutes(1), null) },
        { "default items", new ClaimRequest("node-a", default, TimeSpan.FromMinutes(1), null) },
        { "zero units", Request("node-a", 0) },
        { "negative units", Request("node-a", -2) },
        { "repeated resource", new ClaimRequest("node-a", [new(Inventories.GvtKey, 1), new(Inventories.GvtKey, 1)], TimeSpan.FromMinutes(1), null) },
        { "zero ttl", Request("node-a", 1, TimeSpan.Zero) },
        { "negative ttl", Request("node-a", 1, TimeSpan.FromSeconds(-1)) },
        { "endless ttl", Request("node-a", 1, TimeSpan.MaxValue) },
        { "empty host", Request("", 1) },
        { "empty idempotency key", Request("node-a", 1, key: "") },
        { "empty resource key", Request("node-a", 1, resource: "") },
    };

    [Theory]
    [MemberData(nameof(MalformedClaims))]
    public async Task A_malformed_claim_request_is_refused_with_a_reason_and_claims_nothing(string why, ClaimRequest request)
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a"));

        var result = await Store.CreateClaimAsync(request, ct);

        Assert.False(string.IsNullOrWhiteSpace(Assert.IsType<InvalidClaimRequest>(result).Reason), why);
        Assert.Equal(0, (await CapacityOfAsync("node-a", Inventories.GvtKey)).Claimed);
    }

    [Fact]
    public async Task The_same_idempotency_key_with_the_same_request_returns_the_same_claim_and_takes_capacity_once()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 5));
        var first = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 2, key: "migrate-vm-7"), ct));
        Clock.Advance(TimeSpan.FromSeconds(30));

        var second = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 2, key: "migrate-vm-7"), ct));

        Assert.False(first.Replayed);
        Assert.True(second.Replayed);
        Assert.Equal(first.Claim, second.Claim);
        Assert.Equal(3, (await CapacityOfAsync("node-a", Inventories.GvtKey)).Available);
    }

    public static TheoryData<string, ClaimRequest> DifferentRequests => new()
    {
        { "other count", Request("node-a", 3, key: "k") },
        { "other ttl", Request("node-a", 2, TimeSpan.FromMinutes(9), key: "k") },
        { "other host", Request("node-b", 2, key: "k") },
        { "other resource", Request("node-a", 1, key: "k", resource: "device:idle-1") },
    };

    [Theory]
    [MemberData(nameof(DifferentRequests))]
    public async Task The_same_idempotency_key_with_a_different_request_is_a_conflict_and_claims_nothing(string why, ClaimRequest request)
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 5));
        await PutNewAsync(Inventories.Host("node-b", freeInstances: 5));
        var first = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 2, key: "k"), ct));

        var result = await Store.CreateClaimAsync(request, ct);

        Assert.True(result is IdempotencyConflict, why);
        Assert.Equal(new IdempotencyConflict("k", first.Claim.Id), result);
        Assert.Equal(3, (await CapacityOfAsync("node-a", Inventories.GvtKey)).Available);
        Assert.Equal(1, (await CapacityOfAsync("node-a", "device:idle-1")).Available);
        Assert.Equal(5, (await CapacityOfAsync("node-b", Inventories.GvtKey)).Available);
    }

    [Fact]
    public async Task A_pending_claim_stops_counting_at_its_expiry_even_before_expired_claims_are_swept()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 2));
        var claim = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 2, TimeSpan.FromMinutes(1)), ct)).Claim;
        Assert.IsType<InsufficientCapacity>(await Store.CreateClaimAsync(Request("node-a", 1), ct));

        Clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, (await CapacityOfAsync("node-a", Inventories.GvtKey)).Available);
        Assert.Equal(ClaimState.Pending, (await Store.GetClaimAsync(claim.Id, ct))!.State);

        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, (await CapacityOfAsync("node-a", Inventories.GvtKey)).Available);
        Assert.Equal(ClaimState.Expired, (await Store.GetClaimAsync(claim.Id, ct))!.State);
        Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 2), ct));
    }

    [Fact]
    public async Task Sweeping_marks_only_pending_claims_past_their_expiry_and_counts_them_once()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 5));
        var shortLived = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 1, TimeSpan.FromMinutes(1)), ct)).Claim;
        var longLived = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 1, TimeSpan.FromMinutes(10)), ct)).Claim;
        var confirmed = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 1, TimeSpan.FromMinutes(1)), ct)).Claim;
        await Store.ConfirmClaimAsync(confirmed.Id, ct);
        Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(1, await Store.ExpireClaimsAsync(Clock.GetUtcNow(), ct));
        Assert.Equal(0, await Store.ExpireClaimsAsync(Clock.GetUtcNow(), ct));

        Assert.Equal(ClaimState.Expired, (await Store.GetClaimAsync(shortLived.Id, ct))!.State);
        Assert.Equal(ClaimState.Pending, (await Store.GetClaimAsync(longLived.Id, ct))!.State);
        Assert.Equal(ClaimState.Confirmed, (await Store.GetClaimAsync(confirmed.Id, ct))!.State);
        Assert.Equal(3, (await CapacityOfAsync("node-a", Inventories.GvtKey)).Available);
    }

    [Fact]
    public async Task Confirming_an_expired_claim_is_refused_and_it_holds_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 2));
        var claim = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 2, TimeSpan.FromMinutes(1)), ct)).Claim;
        Clock.Advance(TimeSpan.FromMinutes(1));

        var result = await Store.ConfirmClaimAsync(claim.Id, ct);

        Assert.Equal(ClaimState.Expired, Assert.IsType<ClaimTransitionRefused>(result).Claim.State);
        Assert.Equal(2, (await CapacityOfAsync("node-a", Inventories.GvtKey)).Available);
        Assert.Equal(0, await Store.ExpireClaimsAsync(Clock.GetUtcNow(), ct));
    }

    [Fact]
    public async Task Releasing_twice_changes_nothing_and_a_released_claim_cannot_be_confirmed()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 2));
        var claim = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 1), ct)).Claim;

        Assert.Equal(ClaimState.Released, Assert.IsType<ClaimTransitioned>(await Store.ReleaseClaimAsync(claim.Id, ct)).Claim.State);
        Assert.Equal(ClaimState.Released, Assert.IsType<ClaimTransitioned>(await Store.ReleaseClaimAsync(claim.Id, ct)).Claim.State);
        Assert.Equal(ClaimState.Released, Assert.IsType<ClaimTransitionRefused>(await Store.ConfirmClaimAsync(claim.Id, ct)).Claim.State);
        Assert.Equal(2, (await CapacityOfAsync("node-a", Inventories.GvtKey)).Available);
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-such-claim")]
    public async Task An_unknown_claim_id_is_not_found_for_every_operation(string id)
    {
        var ct = TestContext.Current.CancellationToken;

        Assert.IsType<ClaimNotFound>(await Store.ConfirmClaimAsync(id, ct));
        Assert.IsType<ClaimNotFound>(await Store.ReleaseClaimAsync(id, ct));
        Assert.Null(await Store.GetClaimAsync(id, ct));
    }

    [Fact]
    public async Task An_inventory_update_that_shrinks_capacity_keeps_the_claims_and_leaves_the_resource_over_claimed()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(Inventories.Host("node-a", freeInstances: 4));
        var claim = Assert.IsType<ClaimCreated>(await Store.CreateClaimAsync(Request("node-a", 3), ct)).Claim;
        await Store.ConfirmClaimAsync(claim.Id, ct);

        await Store.PutHostAsync(Inventories.Host("node-a", freeInstances: 1), 1, ct);

        Assert.Equal(new ResourceCapacity(Inventories.GvtKey, 1, 3, 0), await CapacityOfAsync("node-a", Inventories.GvtKey));
        Assert.Equal(ClaimState.Confirmed, (await Store.GetClaimAsync(claim.Id, ct))!.State);
        Assert.IsType<InsufficientCapacity>(await Store.CreateClaimAsync(Request("node-a", 1), ct));

        await Store.ReleaseClaimAsync(claim.Id, ct);
        Assert.Equal(1, (await CapacityOfAsync("node-a", Inventories.GvtKey)).Available);
    }
}
