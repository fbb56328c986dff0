using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Server.Tests.Http;

public sealed class TargetAndClaimTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_targets_query_ranks_the_other_hosts_and_its_assignments_can_be_claimed_confirmed_and_released()
    {
        await using var server = await FleetTestServer.StartAsync();
        foreach (var name in new[] { "host-a", "host-b", "host-c" })
        {
            (await server.PutHostAsync(TestInventories.Host(name, name == "host-c" ? 1 : 4))).Dispose();
        }

        var answer = await PostAsync(server, "/v1/migrations/targets", new { sourceHost = "host-a", devices = new[] { new { id = TestInventories.SourceDevice } } }, FleetTestServer.ReadToken, HttpStatusCode.OK);
        var candidates = answer.GetProperty("candidates").EnumerateArray().ToList();
        Assert.Equal(["host-b", "host-c"], candidates.Select(c => c.GetProperty("host").GetString()).Order());
        Assert.DoesNotContain(candidates, c => c.GetProperty("host").GetString() == "host-a");
        var best = candidates[0];
        Assert.Equal("live", best.GetProperty("level").GetString());

        var claimBody = new { host = best.GetProperty("host").GetString(), assignments = best.GetProperty("assignments"), ttlSeconds = 60, idempotencyKey = "migration-1" };
        var created = await PostAsync(server, "/v1/claims", claimBody, FleetTestServer.AdminToken, HttpStatusCode.Created);
        var claimId = created.GetProperty("claim").GetProperty("id").GetString()!;
        var replayed = await PostAsync(server, "/v1/claims", claimBody, FleetTestServer.AdminToken, HttpStatusCode.OK);
        Assert.Equal(claimId, replayed.GetProperty("claim").GetProperty("id").GetString());
        Assert.True(replayed.GetProperty("replayed").GetBoolean());

        var confirmed = await PostAsync(server, $"/v1/claims/{claimId}/confirm", null, FleetTestServer.AdminToken, HttpStatusCode.OK);
        Assert.Equal("confirmed", confirmed.GetProperty("state").GetString());
        using var released = await server.Client(FleetTestServer.AdminToken).DeleteAsync($"/v1/claims/{claimId}", Ct);
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        Assert.Equal("released", (await server.GetJsonAsync($"/v1/claims/{claimId}")).GetProperty("state").GetString());
        await PostAsync(server, $"/v1/claims/{claimId}/confirm", null, FleetTestServer.AdminToken, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_claimed_last_instance_is_no_longer_offered_and_a_second_claim_gets_409()
    {
        await using var server = await FleetTestServer.StartAsync();
        (await server.PutHostAsync(TestInventories.Host("host-a"))).Dispose();
        (await server.PutHostAsync(TestInventories.Host("host-c", 1))).Dispose();
        var claim = new { host = "host-c", items = new[] { new { resourceKey = TestInventories.TypeKey, count = 1 } } };

        await PostAsync(server, "/v1/claims", claim, FleetTestServer.AdminToken, HttpStatusCode.Created);
        var problem = await PostAsync(server, "/v1/claims", claim, FleetTestServer.AdminToken, HttpStatusCode.Conflict);
        var answer = await PostAsync(server, "/v1/migrations/targets", new { sourceHost = "host-a", devices = new[] { new { id = TestInventories.SourceDevice } } }, FleetTestServer.ReadToken, HttpStatusCode.OK);

        Assert.Contains("not enough capacity", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(answer.GetProperty("candidates").EnumerateArray(), c => c.GetProperty("host").GetString() == "host-c");
    }

    [Theory]
    [InlineData("unknown device id", "/v1/migrations/targets", """{"sourceHost":"host-a","devices":[{"id":"no-such-device"}]}""", FleetTestServer.ReadToken, HttpStatusCode.UnprocessableEntity)]
    [InlineData("unknown source host", "/v1/migrations/targets", """{"sourceHost":"nowhere","devices":[{"id":"x"}]}""", FleetTestServer.ReadToken, HttpStatusCode.UnprocessableEntity)]
    [InlineData("descriptor that does not parse", "/v1/migrations/targets", """{"sourceHost":"host-a","devices":[{"self":{"device_api":"vfio-pci"},"compatible":[{"mdev_type":"x_{v:int:"}]}]}""", FleetTestServer.ReadToken, HttpStatusCode.UnprocessableEntity)]
    [InlineData("device with id and self", "/v1/migrations/targets", """{"sourceHost":"host-a","devices":[{"id":"a","self":{"device_api":"vfio-pci"}}]}""", FleetTestServer.ReadToken, HttpStatusCode.BadRequest)]
    [InlineData("no devices", "/v1/migrations/targets", """{"sourceHost":"host-a","devices":[]}""", FleetTestServer.ReadToken, HttpStatusCode.BadRequest)]
    [InlineData("limit out of range", "/v1/migrations/targets", """{"sourceHost":"host-a","devices":[{"id":"a"}],"limit":0}""", FleetTestServer.ReadToken, HttpStatusCode.BadRequest)]
    [InlineData("malformed JSON", "/v1/migrations/targets", """{"sourceHost": """, FleetTestServer.ReadToken, HttpStatusCode.BadRequest)]
    [InlineData("wrong JSON type", "/v1/migrations/targets", """{"sourceHost": 5, "devices": "x"}""", FleetTestServer.ReadToken, HttpStatusCode.BadRequest)]
    [InlineData("missing token", "/v1/migrations/targets", """{"sourceHost":"host-a","devices":[{"id":"a"}]}""", null, HttpStatusCode.Unauthorized)]
    [InlineData("claim with the read token", "/v1/claims", """{"host":"host-b","items":[{"resourceKey":"type:0000:00:02.0/i915-GVTg_V5_4","count":1}]}""", FleetTestServer.ReadToken, HttpStatusCode.Forbidden)]
    [InlineData("claim with an agent token", "/v1/claims", """{"host":"host-b","items":[{"resourceKey":"type:0000:00:02.0/i915-GVTg_V5_4","count":1}]}""", FleetTestServer.AgentB, HttpStatusCode.Forbidden)]
    [InlineData("claim of an unknown resource", "/v1/claims", """{"host":"host-b","items":[{"resourceKey":"type:9/none","count":1}]}""", FleetTestServer.AdminToken, HttpStatusCode.UnprocessableEntity)]
    [InlineData("claim on an unknown host", "/v1/claims", """{"host":"nowhere","items":[{"resourceKey":"type:9/none","count":1}]}""", FleetTestServer.AdminToken, HttpStatusCode.NotFound)]
    [InlineData("claim of more than the capacity", "/v1/claims", """{"host":"host-b","items":[{"resourceKey":"type:0000:00:02.0/i915-GVTg_V5_4","count":5}]}""", FleetTestServer.AdminToken, HttpStatusCode.Conflict)]
    [InlineData("claim with no items", "/v1/claims", """{"host":"host-b"}""", FleetTestServer.AdminToken, HttpStatusCode.BadRequest)]
    [InlineData("claim with a zero count", "/v1/claims", """{"host":"host-b","items":[{"resourceKey":"type:0000:00:02.0/i915-GVTg_V5_4","count":0}]}""", FleetTestServer.AdminToken, HttpStatusCode.BadRequest)]
    [InlineData("claim with a ttl beyond a week", "/v1/claims", """{"host":"host-b","items":[{"resourceKey":"type:0000:00:02.0/i915-GVTg_V5_4"}],"ttlSeconds":99999999}""", FleetTestServer.AdminToken, HttpStatusCode.BadRequest)]
    public async Task A_bad_query_or_claim_gets_its_status_and_claims_nothing(string what, string path, string body, string? token, HttpStatusCode expected)
    {
        await using var server = await FleetTestServer.StartAsync();
        (await server.PutHostAsync(TestInventories.Host("host-a"))).Dispose();
        (await server.PutHostAsync(TestInventories.Host("host-b", 4))).Dispose();

        using var response = await server.Client(token).PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        Assert.True(expected == response.StatusCode, $"{what}: expected {expected}, got {response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var resources = (await server.GetJsonAsync("/v1/hosts/host-b")).GetProperty("resources").EnumerateArray();
        Assert.All(resources, r => Assert.Equal(0, r.GetProperty("claimed").GetInt64()));
    }

    [Fact]
    public async Task An_oversized_query_gets_413()
    {
        await using var server = await FleetTestServer.StartAsync();
        var body = "{\"sourceHost\":\"host-a\",\"pad\":\"" + new string('x', 70 * 1024) + "\"}";

        using var response = await server.Client(FleetTestServer.ReadToken).PostAsync("/v1/migrations/targets", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task A_device_given_by_its_descriptor_finds_targets_too()
    {
        await using var server = await FleetTestServer.StartAsync();
        (await server.PutHostAsync(TestInventories.Host("host-a"))).Dispose();
        (await server.PutHostAsync(TestInventories.Host("host-b"))).Dispose();
        var device = new Dictionary<string, object>
        {
            ["self"] = new Dictionary<string, string> { ["device_api"] = "vfio-pci", ["mdev_type"] = TestInventories.Type, ["software_version"] = "1.1.0" },
        };

        var answer = await PostAsync(server, "/v1/migrations/targets", new { sourceHost = "host-a", devices = new[] { device } }, FleetTestServer.AdminToken, HttpStatusCode.OK);

        Assert.Contains(answer.GetProperty("candidates").EnumerateArray(), c => c.GetProperty("host").GetString() == "host-b");
    }

    [Fact]
    public async Task A_cold_candidates_assignment_lists_the_failed_rules_and_a_live_ones_lists_none()
    {
        await using var server = await FleetTestServer.StartAsync();
        var older = new DescriptorFields(
            [new("device_api", "vfio-pci"), new("mdev_type", TestInventories.Type), new("software_version", "1.1.0")],
            [],
            [],
            DescriptorOrigin.Profile,
            "test");
        (await server.PutHostAsync(TestInventories.Host("host-a"))).Dispose();
        (await server.PutHostAsync(TestInventories.Host("host-live"))).Dispose();
        (await server.PutHostAsync(TestInventories.Host("host-cold", descriptor: older))).Dispose();

        var answer = await PostAsync(server, "/v1/migrations/targets", new { sourceHost = "host-a", devices = new[] { new { id = TestInventories.SourceDevice } } }, FleetTestServer.ReadToken, HttpStatusCode.OK);

        var byHost = answer.GetProperty("candidates").EnumerateArray().ToDictionary(c => c.GetProperty("host").GetString()!, c => c.GetProperty("assignments")[0]);
        Assert.Equal(0, byHost["host-live"].GetProperty("reasons").GetArrayLength());
        var reason = Assert.Single(byHost["host-cold"].GetProperty("reasons").EnumerateArray());
        Assert.Equal("cold", byHost["host-cold"].GetProperty("level").GetString());
        Assert.Equal(("VERSION_MINOR_TOO_LOW", "software_version"), (reason.GetProperty("code").GetString(), reason.GetProperty("field").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(reason.GetProperty("message").GetString()));
        Assert.Equal(["code", "field", "source", "accepts", "message", "block"], reason.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("the target's own version fields", null, "declaration", "the target descriptor states")]
    [InlineData("a rule pack the descriptors name", "rule-pack nvidia-vgpu 1", "rule-pack", "nvidia-vgpu 1")]
    public async Task Each_assignment_says_what_vouches_for_its_verdict_in_the_shape_check_writes(string what, string? declared, string kind, string detail)
    {
        await using var server = await FleetTestServer.StartAsync();
        var descriptor = TestInventories.Descriptor();
        if (declared is not null)
        {
            descriptor = descriptor with { Self = [.. descriptor.Self, new("migration.evidence", declared)] };
        }

        (await server.PutHostAsync(TestInventories.Host("host-a", descriptor: descriptor))).Dispose();
        (await server.PutHostAsync(TestInventories.Host("host-b", descriptor: descriptor))).Dispose();

        var answer = await PostAsync(server, "/v1/migrations/targets", new { sourceHost = "host-a", devices = new[] { new { id = TestInventories.SourceDevice } } }, FleetTestServer.ReadToken, HttpStatusCode.OK);

        var assignment = answer.GetProperty("candidates")[0].GetProperty("assignments")[0];
        var evidence = assignment.GetProperty("evidence");
        Assert.True(assignment.GetProperty("level").GetString() == "live", what);
        Assert.Equal(["kind", "detail"], evidence.EnumerateObject().Select(p => p.Name));
        Assert.Equal(kind, evidence.GetProperty("kind").GetString());
        Assert.StartsWith(detail, evidence.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_openapi_document_describes_evidence_as_the_answer_writes_it()
    {
        await using var server = await FleetTestServer.StartAsync();

        var document = JsonSerializer.Deserialize<JsonElement>(await server.Client(FleetTestServer.ReadToken).GetStringAsync("/openapi/v1.json", Ct));

        var evidence = document.GetProperty("components").GetProperty("schemas").GetProperty("Evidence");
        Assert.Equal(["detail", "kind"], evidence.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["none", "driver", "rule-pack", "profile", "declaration", "identical-build"],
            evidence.GetProperty("properties").GetProperty("kind").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }

    internal static async Task<JsonElement> PostAsync(FleetTestServer server, string path, object? body, string token, HttpStatusCode expected)
    {
        using var response = body is null
            ? await server.Client(token).PostAsync(path, null, Ct)
            : await server.Client(token).PostAsJsonAsync(path, body, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(expected == response.StatusCode, $"POST {path}: expected {expected}, got {response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<JsonElement>(text);
    }
}
