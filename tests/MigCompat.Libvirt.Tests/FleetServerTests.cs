using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MigCompat.Discovery.Inventory;
using MigCompat.Libvirt.Tests.Support;

namespace MigCompat.Libvirt.Tests;

/// <summary>
/// End to end with a real fleet server (the built <c>migcompat serve</c> on 127.0.0.1): the destination's inventory
/// is stored, a claim is made and confirmed, <c>migrate-xml --claim ID --server URL</c> reads it, and the hook with
/// <c>MIGCOMPAT_SERVER</c> confirms it again before it lets the VM in; a released claim or a server that is gone
/// cancels the migration.
/// </summary>
public sealed class FleetServerTests
{
    [Fact]
    public async Task A_claim_from_the_server_goes_into_the_metadata_and_the_hook_confirms_it_with_the_server()
    {
        using var fixture = new Fixture(Peer.Domain("gpu-vm.xml"));
        using var server = await FleetServer.StartAsync(fixture.Root);
        using var http = server.Client();
        await server.PutInventoryAsync(fixture.Target);
        var created = await http.PostAsync("/v1/claims", Json(new { host = Fixture.TargetHost, items = new[] { new { resourceKey = "device:" + fixture.Targets[0], count = 1 } }, ttlSeconds = 300 }), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("claim").GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync($"/v1/claims/{id}/confirm", Json(new { }), TestContext.Current.CancellationToken)).StatusCode);
        var withServer = new Dictionary<string, string>(fixture.HookEnvironment) { ["MIGCOMPAT_SERVER"] = server.Url, ["MIGCOMPAT_TOKEN"] = FleetServer.AdminToken };

        var source = await Migcompat.RunAsync(["migrate-xml", "--claim", id, "--server", server.Url, "--token", FleetServer.AdminToken, "--inventory", fixture.SourceInventoryPath], fixture.DomainXml);
        var confirmed = await Migcompat.RunAsync(["libvirt-hook", "vm1", "migrate", "begin", "-"], source.Stdout, withServer);
        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync("/v1/claims/" + id, TestContext.Current.CancellationToken)).StatusCode);
        var released = await Migcompat.RunAsync(["libvirt-hook", "vm1", "migrate", "begin", "-"], source.Stdout, withServer);
        server.Dispose();
        var gone = await Migcompat.RunAsync(["libvirt-hook", "vm1", "migrate", "begin", "-"], source.Stdout, withServer);
        var offline = await Migcompat.RunAsync(["libvirt-hook", "vm1", "migrate", "begin", "-"], source.Stdout, fixture.HookEnvironment);

        Assert.True(source.ExitCode == 0, source.Stderr);
        Assert.Contains($"claim=\"{id}\" host=\"{Fixture.TargetHost}\" state=\"confirmed\"", source.Stdout, StringComparison.Ordinal);
        Assert.True(confirmed.ExitCode == 0, confirmed.Stderr);
        Assert.Contains($"<address uuid=\"{fixture.Targets[0]}\" />", confirmed.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, released.ExitCode);
        Assert.Contains($"CLAIM_NOT_ACTIVE: claim {id} is released on the fleet server", released.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains($"CLAIM_UNCONFIRMED: claim {id} could not be confirmed with the fleet server: ", gone.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, offline.ExitCode); // without a server the metadata's confirmed claim is what the hook knows
        Peer.AssertValid(source.Stdout, "migrate-xml's output with a claim from the server");
        Peer.AssertValid(confirmed.Stdout, "the hook's output after confirming the claim");
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
}
