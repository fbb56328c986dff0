using System.Net;
using System.Text;
using System.Text.Json;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Server.Tests.Http;

public sealed class VmEndpointTests
{
    private const string WebUuid = "6e0e2f1c-1111-4c5e-9a3b-0d1f2e3a4b5c";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HostInventory WithVm(string host, string vm, string? uuid) =>
        TestInventories.Host(host) with { Guests = [new InventoryGuest(vm, uuid, [TestInventories.SourceDevice])] };

    /// <summary>host-a runs web (and host-old still lists it: a stale inventory), host-b runs db, host-c runs nothing.</summary>
    private static async Task<FleetTestServer> FleetAsync()
    {
        var server = await FleetTestServer.StartAsync();
        foreach (var inventory in new[] { WithVm("host-a", "web", WebUuid), WithVm("host-b", "db", null), WithVm("host-old", "web", null), TestInventories.Host("host-c") })
        {
            using var stored = await server.PutHostAsync(inventory);
            Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        }

        return server;
    }

    [Fact]
    public async Task The_vms_the_stored_inventories_list_are_listed_by_host_then_name()
    {
        await using var server = await FleetAsync();

        var all = await server.GetJsonAsync("/v1/vms", FleetTestServer.ReadToken);
        var onHostA = await server.GetJsonAsync("/v1/vms?host=host-a", FleetTestServer.ReadToken);

        Assert.Equal(3, all.GetProperty("count").GetInt32());
        Assert.Equal(["host-a/web", "host-b/db", "host-old/web"], all.GetProperty("vms").EnumerateArray().Select(v => $"{v.GetProperty("host")}/{v.GetProperty("name")}"));
        var web = Assert.Single(onHostA.GetProperty("vms").EnumerateArray());
        Assert.Equal(WebUuid, web.GetProperty("uuid").GetString());
        Assert.Equal([TestInventories.SourceDevice], web.GetProperty("devices").EnumerateArray().Select(d => d.GetString()));
    }

    [Theory]
    [InlineData("/v1/vms/db", "host-b")]
    [InlineData("/v1/vms/" + WebUuid, "host-a")]
    [InlineData("/v1/vms/6E0E2F1C-1111-4C5E-9A3B-0D1F2E3A4B5C", "host-a")]
    [InlineData("/v1/vms/web?host=host-old", "host-old")]
    public async Task A_vm_is_found_by_name_or_uuid(string path, string host)
    {
        await using var server = await FleetAsync();

        var vm = await server.GetJsonAsync(path, FleetTestServer.ReadToken);

        Assert.Equal(host, vm.GetProperty("host").GetString());
    }

    [Theory]
    [InlineData("/v1/vms/nobody", HttpStatusCode.NotFound, "no host's inventory lists a VM named 'nobody'")]
    [InlineData("/v1/vms/db?host=host-a", HttpStatusCode.NotFound, "host 'host-a' lists no VM named 'db'")]
    [InlineData("/v1/vms/web", HttpStatusCode.Conflict, "listed by 2 hosts (host-a, host-old)")]
    [InlineData("/v1/vms?host=", HttpStatusCode.BadRequest, "'host' is empty")]
    public async Task A_vm_that_is_unknown_or_ambiguous_is_a_problem_that_says_what_to_do(string path, HttpStatusCode status, string detail)
    {
        await using var server = await FleetAsync();

        using var response = await server.Client(FleetTestServer.ReadToken).GetAsync(path, Ct);
        var problem = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync(Ct));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listing_vms_needs_a_read_token()
    {
        await using var server = await FleetAsync();

        using var response = await server.Client(null).GetAsync("/v1/vms", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_targets_query_by_vm_answers_as_one_by_its_devices_and_names_the_vm()
    {
        await using var server = await FleetAsync();

        var byVm = await TargetAndClaimTests.PostAsync(server, "/v1/migrations/targets", new { vm = WebUuid, explainHost = "host-c" }, FleetTestServer.ReadToken, HttpStatusCode.OK);
        var byDevices = await TargetAndClaimTests.PostAsync(server, "/v1/migrations/targets", new { sourceHost = "host-a", devices = new[] { new { id = TestInventories.SourceDevice } }, explainHost = "host-c" }, FleetTestServer.ReadToken, HttpStatusCode.OK);

        Assert.Equal(("web", "host-a"), (byVm.GetProperty("vm").GetProperty("name").GetString(), byVm.GetProperty("vm").GetProperty("host").GetString()));
        Assert.Equal(JsonValueKind.Null, byDevices.GetProperty("vm").ValueKind);
        Assert.Equal(byDevices.GetProperty("candidates").GetRawText(), byVm.GetProperty("candidates").GetRawText());
        Assert.Equal(byDevices.GetProperty("explanation").GetRawText(), byVm.GetProperty("explanation").GetRawText());
        Assert.DoesNotContain(byVm.GetProperty("candidates").EnumerateArray(), c => c.GetProperty("host").GetString() == "host-a");
    }

    [Theory]
    [InlineData("""{"vm":"nobody"}""", HttpStatusCode.UnprocessableEntity, "UNKNOWN_VM")]
    [InlineData("""{"vm":"web"}""", HttpStatusCode.UnprocessableEntity, "AMBIGUOUS_VM")]
    [InlineData("""{"vm":"web","sourceHost":"host-b"}""", HttpStatusCode.UnprocessableEntity, "UNKNOWN_VM")]
    [InlineData("""{"vm":"web","devices":[{"id":"x"}],"sourceHost":"host-a"}""", HttpStatusCode.BadRequest, "both 'vm' and 'devices'")]
    [InlineData("""{"vm":" "}""", HttpStatusCode.BadRequest, "'vm' is empty")]
    [InlineData("""{"vm":"db","limit":0}""", HttpStatusCode.BadRequest, "'limit' is 0")]
    public async Task A_targets_query_by_a_vm_that_names_no_single_vm_is_refused(string body, HttpStatusCode status, string expected)
    {
        await using var server = await FleetAsync();

        using var response = await server.Client(FleetTestServer.ReadToken).PostAsync("/v1/migrations/targets", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(expected, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vm_sourced_query_picks_the_vm_on_the_named_host_when_two_hosts_list_its_name()
    {
        await using var server = await FleetAsync();

        var answer = await TargetAndClaimTests.PostAsync(server, "/v1/migrations/targets", new { vm = "web", sourceHost = "host-old" }, FleetTestServer.ReadToken, HttpStatusCode.OK);

        Assert.Equal("host-old", answer.GetProperty("vm").GetProperty("host").GetString());
        Assert.Contains(answer.GetProperty("candidates").EnumerateArray(), c => c.GetProperty("host").GetString() == "host-a");
    }
}
