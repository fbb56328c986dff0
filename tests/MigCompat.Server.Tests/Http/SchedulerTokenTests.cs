using System.Net;
using System.Text;

namespace MigCompat.Server.Tests.Http;

/// <summary>
/// The scheduler token: what a migration orchestrator needs (read the fleet, find targets, claim,
/// confirm, release) and nothing that changes hosts.
/// </summary>
public sealed class SchedulerTokenTests
{
    private const string ClaimBody = """{"host":"host-b","items":[{"resourceKey":"type:0000:00:02.0/i915-GVTg_V5_4","count":1}]}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string, string?, HttpStatusCode> Requests => new()
    {
        { "list hosts", "GET", "/v1/hosts", null, HttpStatusCode.OK },
        { "read a host", "GET", "/v1/hosts/host-a", null, HttpStatusCode.OK },
        { "find targets", "POST", "/v1/migrations/targets", """{"sourceHost":"host-a","devices":[{"id":"53764d0e-85a0-42b4-af5c-2046b460b1dc"}]}""", HttpStatusCode.OK },
        { "read metrics", "GET", "/metrics", null, HttpStatusCode.OK },
        { "claim", "POST", "/v1/claims", ClaimBody, HttpStatusCode.Created },
        { "drain a host", "POST", "/v1/hosts/host-b/drain", null, HttpStatusCode.Forbidden },
        { "delete a host", "DELETE", "/v1/hosts/host-b", null, HttpStatusCode.Forbidden },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task The_scheduler_token_may_read_and_claim_but_not_change_hosts(string what, string method, string path, string? body, HttpStatusCode expected)
    {
        await using var server = await FleetTestServer.StartAsync();
        (await server.PutHostAsync(TestInventories.Host("host-a"))).Dispose();
        (await server.PutHostAsync(TestInventories.Host("host-b", 4))).Dispose();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await server.Client(FleetTestServer.SchedulerToken).SendAsync(request, Ct);

        Assert.True(expected == response.StatusCode, $"{what}: expected {expected}, got {response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
    }

    [Fact]
    public async Task The_scheduler_token_cannot_write_an_inventory()
    {
        await using var server = await FleetTestServer.StartAsync();

        using var response = await server.PutHostAsync(TestInventories.Host("host-a"), token: FleetTestServer.SchedulerToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("scheduler token may read and claim", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_claim_made_with_the_scheduler_token_can_be_confirmed_and_released_with_it()
    {
        await using var server = await FleetTestServer.StartAsync();
        (await server.PutHostAsync(TestInventories.Host("host-b", 4))).Dispose();
        var client = server.Client(FleetTestServer.SchedulerToken);

        using var created = await client.PostAsync("/v1/claims", new StringContent(ClaimBody, Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("claim").GetProperty("id").GetString();
        using var confirmed = await client.PostAsync($"/v1/claims/{id}/confirm", null, Ct);
        using var released = await client.DeleteAsync($"/v1/claims/{id}", Ct);

        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
    }
}
