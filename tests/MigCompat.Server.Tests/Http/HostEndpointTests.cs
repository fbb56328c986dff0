using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace MigCompat.Server.Tests.Http;

public sealed class HostEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_new_host_is_created_read_updated_listed_drained_and_deleted()
    {
        await using var server = await FleetTestServer.StartAsync();

        using var created = await server.PutHostAsync(TestInventories.Host("host-a"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("\"1\"", created.Headers.ETag?.Tag);

        var host = await server.GetJsonAsync("/v1/hosts/host-a");
        Assert.Equal(1, host.GetProperty("generation").GetInt64());
        Assert.Equal("host-a", host.GetProperty("inventory").GetProperty("host").GetString());
        Assert.Contains(host.GetProperty("resources").EnumerateArray(), r => r.GetProperty("resourceKey").GetString() == TestInventories.TypeKey && r.GetProperty("capacity").GetInt64() == 4);

        using var updated = await server.PutHostAsync(TestInventories.Host("host-a", freeInstances: 2), generation: 1);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(2, (await updated.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("generation").GetInt64());

        var list = await server.GetJsonAsync("/v1/hosts", FleetTestServer.ReadToken);
        Assert.Equal(["host-a"], list.GetProperty("hosts").EnumerateArray().Select(h => h.GetProperty("name").GetString()));

        using var drain = await server.Client(FleetTestServer.AgentA).PostAsync("/v1/hosts/host-a/drain", null, Ct);
        Assert.Equal(HttpStatusCode.OK, drain.StatusCode);
        Assert.True((await server.GetJsonAsync("/v1/hosts/host-a")).GetProperty("drained").GetBoolean());
        using var undrain = await server.Client(FleetTestServer.AdminToken).PostAsync("/v1/hosts/host-a/undrain", null, Ct);
        Assert.Equal(HttpStatusCode.OK, undrain.StatusCode);
        Assert.False((await server.GetJsonAsync("/v1/hosts/host-a")).GetProperty("drained").GetBoolean());

        using var deleted = await server.Client(FleetTestServer.AdminToken).DeleteAsync("/v1/hosts/host-a", Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await server.Client(FleetTestServer.AdminToken).GetAsync("/v1/hosts/host-a", Ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("application/problem+json", gone.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("?generation=1", null)]
    [InlineData("", "1")]
    [InlineData("", "*")]
    public async Task The_generation_is_taken_from_the_query_or_the_if_match_header(string query, string? ifMatch)
    {
        await using var server = await FleetTestServer.StartAsync();
        (await server.PutHostAsync(TestInventories.Host("host-a"))).Dispose();

        using var request = new HttpRequestMessage(HttpMethod.Put, "/v1/hosts/host-a" + query)
        {
            Content = new StringContent(TestInventories.Json(TestInventories.Host("host-a", 1))),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        using var response = await server.Client(FleetTestServer.AgentA).SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await server.GetJsonAsync("/v1/hosts/host-a")).GetProperty("generation").GetInt64());
    }

    [Fact]
    public async Task Racing_writes_with_if_match_star_all_overwrite_and_each_moves_the_generation_on()
    {
        const int Writers = 8;
        await using var server = await FleetTestServer.StartAsync();
        (await server.PutHostAsync(TestInventories.Host("host-a"))).Dispose();
        using var start = new ManualResetEventSlim();

        var writes = Enumerable.Range(0, Writers).Select(i => Task.Run(
            async () =>
            {
                start.Wait(Ct);
                using var request = new HttpRequestMessage(HttpMethod.Put, "/v1/hosts/host-a")
                {
                    Content = new StringContent(TestInventories.Json(TestInventories.Host("host-a", 1 + (i % 3)))),
                };
                request.Headers.TryAddWithoutValidation("If-Match", "*");
                using var response = await server.Client(FleetTestServer.AgentA).SendAsync(request, Ct);
                return (response.StatusCode, Body: await response.Content.ReadAsStringAsync(Ct));
            },
            Ct)).ToList();
        start.Set();
        var answers = await Task.WhenAll(writes);

        Assert.All(answers, a => Assert.True(a.StatusCode == HttpStatusCode.OK, $"{(int)a.StatusCode}: {a.Body}"));
        Assert.Equal(1 + Writers, (await server.GetJsonAsync("/v1/hosts/host-a")).GetProperty("generation").GetInt64());
    }

    [Theory]
    [InlineData("/v1/hosts", null, HttpStatusCode.Unauthorized)]
    [InlineData("/v1/hosts", "wrong-token", HttpStatusCode.Unauthorized)]
    [InlineData("/v1/hosts", FleetTestServer.AgentA, HttpStatusCode.Forbidden)]
    [InlineData("/v1/hosts", FleetTestServer.ReadToken, HttpStatusCode.OK)]
    [InlineData("/v1/hosts/host-a", FleetTestServer.AgentA, HttpStatusCode.OK)]
    [InlineData("/v1/hosts/host-a", FleetTestServer.AgentB, HttpStatusCode.Forbidden)]
    [InlineData("/metrics", null, HttpStatusCode.Unauthorized)]
    [InlineData("/metrics", FleetTestServer.ReadToken, HttpStatusCode.OK)]
    [InlineData("/healthz", null, HttpStatusCode.OK)]
    [InlineData("/openapi/v1.json", null, HttpStatusCode.OK)]
    public async Task Reads_need_the_right_token(string path, string? token, HttpStatusCode expected)
    {
        await using var server = await FleetTestServer.StartAsync();
        (await server.PutHostAsync(TestInventories.Host("host-a"))).Dispose();

        using var response = await server.Client(token).GetAsync(path, Ct);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Open_read_lets_reads_through_without_a_token_but_not_writes()
    {
        await using var server = await FleetTestServer.StartAsync(configure: o => o with { OpenRead = true });
        (await server.PutHostAsync(TestInventories.Host("host-a"))).Dispose();

        using var read = await server.Client(null).GetAsync("/v1/hosts", Ct);
        using var write = await server.Client(null).PostAsync("/v1/hosts/host-a/drain", null, Ct);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, write.StatusCode);
    }

    [Fact]
    public async Task Health_metrics_and_the_openapi_document_describe_the_service()
    {
        await using var server = await FleetTestServer.StartAsync();
        (await server.PutHostAsync(TestInventories.Host("host-a"))).Dispose();

        var health = await server.GetJsonAsync("/healthz");
        var metrics = await server.Client(FleetTestServer.ReadToken).GetStringAsync("/metrics", Ct);
        var openApi = await server.Client(null).GetStringAsync("/openapi/v1.json", Ct);

        Assert.Equal(1, health.GetProperty("hosts").GetInt32());
        Assert.Contains("migcompat_hosts 1", metrics, StringComparison.Ordinal);
        Assert.Contains("migcompat_http_requests_total{method=\"PUT\",route=\"/v1/hosts/{name}\",status=\"201\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("migcompat_target_query_seconds_count", metrics, StringComparison.Ordinal);
        Assert.Contains("/v1/migrations/targets", openApi, StringComparison.Ordinal);
        Assert.Contains("/v1/claims/{id}/confirm", openApi, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/migrations/targets", "post", "sourceHost")]
    [InlineData("/v1/claims", "post", "idempotencyKey")]
    [InlineData("/v1/migrations/targets", "post", "vm")]
    public async Task The_openapi_document_describes_the_request_bodies(string path, string method, string property)
    {
        await using var server = await FleetTestServer.StartAsync();

        using var document = System.Text.Json.JsonDocument.Parse(await server.Client(null).GetStringAsync("/openapi/v1.json", Ct));

        var operation = document.RootElement.GetProperty("paths").EnumerateObject()
            .Single(p => p.Name.TrimEnd('/') == path).Value.GetProperty(method);
        var body = operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.Contains(property, ResolveSchema(document.RootElement, body).GetProperty("properties").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task The_openapi_document_says_every_api_operation_may_answer_503_while_the_service_starts()
    {
        await using var server = await FleetTestServer.StartAsync();

        using var document = System.Text.Json.JsonDocument.Parse(await server.Client(null).GetStringAsync("/openapi/v1.json", Ct));

        var operations = document.RootElement.GetProperty("paths").EnumerateObject()
            .Where(p => p.Name.StartsWith("/v1/", StringComparison.Ordinal))
            .SelectMany(p => p.Value.EnumerateObject().Select(o => (Route: $"{o.Name} {p.Name}", Operation: o.Value)))
            .ToList();
        Assert.NotEmpty(operations);
        Assert.All(operations, o => Assert.True(o.Operation.GetProperty("responses").TryGetProperty("503", out _), $"{o.Route} does not list 503"));
    }

    private static System.Text.Json.JsonElement ResolveSchema(System.Text.Json.JsonElement root, System.Text.Json.JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? root.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1])
            : schema;
}
