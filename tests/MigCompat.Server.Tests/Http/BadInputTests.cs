using System.Net;
using System.Text;
using System.Text.Json;

namespace MigCompat.Server.Tests.Http;

public sealed class BadInputTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string, string?, string?, HttpStatusCode> BadHostWrites => new()
    {
        { "malformed JSON", "/v1/hosts/host-a", "{\"schema_version\": 1, \"host\": ", FleetTestServer.AdminToken, "\"1\"", HttpStatusCode.BadRequest },
        { "wrong schema version", "/v1/hosts/host-a", ValidJson(1).Replace("\"schema_version\": 1", "\"schema_version\": 99", StringComparison.Ordinal), FleetTestServer.AdminToken, "\"1\"", HttpStatusCode.UnprocessableEntity },
        { "descriptor that does not parse", "/v1/hosts/host-a", TestInventories.Json(TestInventories.WithBrokenDescriptor("host-a")), FleetTestServer.AdminToken, "\"1\"", HttpStatusCode.UnprocessableEntity },
        { "host name differs from the URL", "/v1/hosts/host-a", TestInventories.Json(TestInventories.Host("host-b", 1)), FleetTestServer.AdminToken, "\"1\"", HttpStatusCode.UnprocessableEntity },
        { "stale generation", "/v1/hosts/host-a", ValidJson(1), FleetTestServer.AdminToken, "\"7\"", HttpStatusCode.Conflict },
        { "create over an existing host", "/v1/hosts/host-a", ValidJson(1), FleetTestServer.AdminToken, null, HttpStatusCode.Conflict },
        { "If-Match that is not a number", "/v1/hosts/host-a", ValidJson(1), FleetTestServer.AdminToken, "\"abc\"", HttpStatusCode.BadRequest },
        { "missing token", "/v1/hosts/host-a", ValidJson(1), null, "\"1\"", HttpStatusCode.Unauthorized },
        { "another host's agent token", "/v1/hosts/host-a", ValidJson(1), FleetTestServer.AgentB, "\"1\"", HttpStatusCode.Forbidden },
        { "the read token", "/v1/hosts/host-a", ValidJson(1), FleetTestServer.ReadToken, "\"1\"", HttpStatusCode.Forbidden },
        { "oversized body", "/v1/hosts/host-a", new string(' ', 9 * 1024 * 1024) + ValidJson(1), FleetTestServer.AdminToken, "\"1\"", HttpStatusCode.RequestEntityTooLarge },
    };

    [Theory]
    [MemberData(nameof(BadHostWrites))]
    public async Task A_bad_inventory_write_gets_its_status_and_the_stored_host_is_unchanged(string what, string path, string body, string? token, string? ifMatch, HttpStatusCode expected)
    {
        await using var server = await FleetTestServer.StartAsync();
        (await server.PutHostAsync(TestInventories.Host("host-a", 4))).Dispose();
        var before = await server.GetJsonAsync("/v1/hosts/host-a");

        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        using var response = await server.Client(token).SendAsync(request, Ct);

        Assert.True(expected == response.StatusCode, $"{what}: expected {expected}, got {response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var after = await server.GetJsonAsync("/v1/hosts/host-a");
        Assert.Equal(before.GetRawText(), after.GetRawText());
        using var other = await server.Client(FleetTestServer.AdminToken).GetAsync("/v1/hosts/host-b", Ct);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task A_refused_descriptor_is_explained_with_its_diagnostics()
    {
        await using var server = await FleetTestServer.StartAsync();

        using var response = await server.PutHostAsync(TestInventories.WithBrokenDescriptor("host-a"));
        var problem = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync(Ct));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("does not parse", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(problem.GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("severity").GetString() == "error");
    }

    [Fact]
    public async Task A_stale_write_reports_the_current_generation()
    {
        await using var server = await FleetTestServer.StartAsync();
        (await server.PutHostAsync(TestInventories.Host("host-a"))).Dispose();
        (await server.PutHostAsync(TestInventories.Host("host-a", 3), generation: 1)).Dispose();

        using var response = await server.PutHostAsync(TestInventories.Host("host-a", 2), generation: 1);
        var problem = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync(Ct));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(2, problem.GetProperty("currentGeneration").GetInt64());
    }

    private static string ValidJson(int free) => TestInventories.Json(TestInventories.Host("host-a", free));
}
