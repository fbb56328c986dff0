using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Search;
using static MigCompat.Fleet.Tests.Search.TestFleet;

namespace MigCompat.Fleet.Tests.Search;

public class VmLookupTests
{
    private const string WebUuid = "6e0e2f1c-1111-4c5e-9a3b-0d1f2e3a4b5c";
    private static readonly DescriptorFields V11 = Gpu("nvidia-63", "17.1.0");

    /// <summary>A source host with devices vm-0.. in use by one VM, and a target with free capacity.</summary>
    private static FleetIndex Fleet(string vm = "web", string? uuid = WebUuid, string source = "src", int devices = 1) =>
        Index(WithVm(Source(source, V11, devices), vm, uuid), Host("dst", types: [Type("p", V11, 4)]));

    private static HostInventory WithVm(HostInventory host, string name, string? uuid) =>
        host with { Guests = [new InventoryGuest(name, uuid, [.. host.Devices.Select(d => d.Id)])] };

    [Theory]
    [InlineData("web")]
    [InlineData(WebUuid)]
    [InlineData("6E0E2F1C-1111-4C5E-9A3B-0D1F2E3A4B5C")]
    [InlineData(" web ")]
    public void A_vm_is_found_by_its_name_or_its_uuid_in_any_case(string query)
    {
        using var index = Fleet();

        var found = index.FindVm(query).Found;

        Assert.Equal(("src", "web", WebUuid), (found?.Host, found?.Guest.Name, found?.Guest.Uuid));
    }

    [Theory]
    [InlineData("Web")]
    [InlineData("6e0e2f1c-1111-4c5e-9a3b-0d1f2e3a4b5d")]
    [InlineData("")]
    public void A_name_or_uuid_no_host_lists_finds_nothing_and_says_so(string query)
    {
        using var index = Fleet();

        var lookup = index.FindVm(query);

        Assert.Empty(lookup.Matches);
        Assert.False(lookup.IsAmbiguous);
        Assert.Contains("no host's inventory lists", lookup.Problem);
    }

    [Fact]
    public void A_vm_named_like_a_uuid_is_found_by_name_when_no_vm_has_that_uuid()
    {
        using var index = Fleet(vm: WebUuid, uuid: null);

        Assert.Equal("src", index.FindVm(WebUuid).Found?.Host);
    }

    [Fact]
    public void A_name_on_two_hosts_is_ambiguous_and_the_refusal_names_both_hosts_and_the_ways_out()
    {
        using var index = Fleet();
        index.Upsert(WithVm(Source("src-old", V11), "web", "11111111-2222-3333-4444-555555555555"));

        var lookup = index.FindVm("web");

        Assert.True(lookup.IsAmbiguous);
        Assert.Null(lookup.Found);
        Assert.Equal(["src", "src-old"], lookup.Matches.Select(m => m.Host));
        Assert.Contains("src, src-old", lookup.Problem);
        Assert.Contains("--from HOST", lookup.Problem);
        Assert.Contains("UUID", lookup.Problem);
        Assert.Equal("src", index.FindVm("web", host: "src").Found?.Host);
        Assert.Equal("src-old", index.FindVm("11111111-2222-3333-4444-555555555555").Found?.Host);
    }

    [Fact]
    public void The_directory_follows_upserts_and_removals()
    {
        using var index = Fleet();
        Assert.NotNull(index.FindVm("web").Found);

        index.Upsert(Source("src", V11));
        Assert.Empty(index.FindVm("web").Matches);
        Assert.Empty(index.FindVm(WebUuid).Matches);

        index.Upsert(WithVm(Source("src", V11), "db", null));
        Assert.Equal("src", index.FindVm("db").Found?.Host);

        Assert.True(index.Remove("src"));
        Assert.Empty(index.ListVms());
        Assert.Empty(index.FindVm("db").Matches);
    }

    [Fact]
    public void Vms_are_listed_by_host_then_name_and_a_host_filter_lists_one_host()
    {
        using var index = Index(
            Source("b", V11) with { Guests = [new("zeta", null, []), new("alpha", null, ["vm-0"])] },
            WithVm(Source("a", V11), "mid", null),
            Host("none"));

        Assert.Equal(["a/mid", "b/alpha", "b/zeta"], index.ListVms().Select(v => $"{v.Host}/{v.Guest.Name}"));
        Assert.Equal(["b/alpha", "b/zeta"], index.ListVms("b").Select(v => $"{v.Host}/{v.Guest.Name}"));
        Assert.Empty(index.ListVms("none"));
        Assert.Empty(index.ListVms("unknown"));
    }

    [Fact]
    public void Targets_for_a_vm_are_those_for_its_devices_from_its_host_and_name_the_vm()
    {
        using var index = Fleet(devices: 2);

        var byVm = index.FindTargets(new TargetQuery(string.Empty, []) { Vm = "web", ExplainHost = "dst" });
        var byDevices = index.FindTargets(QueryById("src", 2) with { ExplainHost = "dst" });

        Assert.True(byVm.Succeeded);
        Assert.Equal(byDevices with { Vm = byVm.Vm }, byVm);
        Assert.Equal("dst", Assert.Single(byVm.Candidates).Host);
        Assert.Equal(("src", "web"), (byVm.Vm?.Host, byVm.Vm?.Guest.Name));
        Assert.DoesNotContain(byVm.Rejected, r => r.Host == "src");
    }

    [Theory]
    [InlineData("nobody", "", QueryErrorCodes.UnknownVm)]
    [InlineData("web", "dst", QueryErrorCodes.UnknownVm)]
    [InlineData("web", "", QueryErrorCodes.AmbiguousVm)]
    [InlineData("idle", "", QueryErrorCodes.InvalidDeviceCount)]
    [InlineData(" ", "", QueryErrorCodes.UnknownVm)]
    public void A_vm_query_that_names_no_single_vm_with_devices_is_refused_with_a_code(string vm, string sourceHost, string code)
    {
        using var index = Fleet();
        index.Upsert(WithVm(Source("src-old", V11), "web", null));
        index.Upsert(Host("idle-host") with { Guests = [new("idle", null, [])] });

        var result = index.FindTargets(new TargetQuery(sourceHost, []) { Vm = vm });

        Assert.Equal([code], result.Errors.Select(e => e.Code));
        Assert.Empty(result.Candidates);
    }

    [Fact]
    public void The_source_host_picks_the_vm_among_hosts_that_list_the_same_name()
    {
        using var index = Fleet();
        index.Upsert(WithVm(Source("src-old", V11), "web", null));

        var result = index.FindTargets(new TargetQuery("src-old", []) { Vm = "web" });

        Assert.True(result.Succeeded);
        Assert.Equal("src-old", result.Vm?.Host);
        Assert.DoesNotContain(result.Candidates, c => c.Host == "src-old");
    }

    [Fact]
    public void A_query_with_a_vm_and_devices_is_refused()
    {
        using var index = Fleet();

        var result = index.FindTargets(QueryById("src", 1) with { Vm = "web" });

        Assert.Equal([QueryErrorCodes.InvalidDeviceRef], result.Errors.Select(e => e.Code));
    }
}
