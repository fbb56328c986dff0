using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Service;
using MigCompat.Fleet.Storage;

namespace MigCompat.Fleet.Tests.Storage;

/// <summary>A host's VMs (<see cref="HostInventory.Guests"/>) are stored with its inventory, on this backend.</summary>
public abstract partial class FleetStoreContractTests
{
    private const string WebUuid = "6e0e2f1c-1111-4c5e-9a3b-0d1f2e3a4b5c";

    private static HostInventory WithGuests(string name) =>
        Inventories.Host(name) with { Guests = [new InventoryGuest("vm-web-01", WebUuid, ["busy-1"]), new InventoryGuest("vm-idle", null, [])] };

    [Fact]
    public async Task A_hosts_guests_survive_a_restart_and_the_reloaded_service_finds_its_vm()
    {
        var ct = TestContext.Current.CancellationToken;
        await PutNewAsync(WithGuests("node-a"));
        await PutNewAsync(Inventories.Host("node-b"));

        await RestartAsync();

        var stored = await Store.GetHostAsync("node-a", ct);
        Assert.Equal(WithGuests("node-a").Guests, stored!.Inventory!.Guests);
        Assert.Empty((await Store.GetHostAsync("node-b", ct))!.Inventory!.Guests);
        await using var service = await FleetService.StartAsync(await OpenInstanceAsync(Clock), new FleetServiceOptions { RefreshInterval = TimeSpan.Zero, TimeProvider = Clock }, ct);
        Assert.Equal(("node-a", "vm-web-01"), (service.FindVm(WebUuid).Found?.Host, service.FindVm(WebUuid).Found?.Guest.Name));
        Assert.Equal(["vm-idle", "vm-web-01"], service.ListVms().Select(v => v.Guest.Name));
        var targets = service.FindTargets(new MigCompat.Fleet.Search.TargetQuery(string.Empty, []) { Vm = "vm-web-01" });
        Assert.True(targets.Succeeded, string.Join("; ", targets.Errors.Select(e => e.Message)));
        Assert.Equal("node-b", Assert.Single(targets.Candidates).Host);
    }

    [Fact]
    public async Task A_new_inventory_without_guests_forgets_the_hosts_vms_in_the_service()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var service = await FleetService.StartAsync(await OpenInstanceAsync(Clock), new FleetServiceOptions { RefreshInterval = TimeSpan.Zero, TimeProvider = Clock }, ct);
        Assert.IsType<HostStored>((await service.PutHostAsync(WithGuests("node-a"), 0, ct)).Result);
        Assert.NotNull(service.FindVm("vm-web-01").Found);

        Assert.IsType<HostStored>((await service.PutHostAsync(Inventories.Host("node-a"), 1, ct)).Result);

        Assert.Empty(service.FindVm("vm-web-01").Matches);
        Assert.True(await service.DeleteHostAsync("node-a", ct));
        Assert.Empty(service.ListVms());
    }
}
