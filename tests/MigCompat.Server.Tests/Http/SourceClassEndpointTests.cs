using System.Net;
using System.Net.Http.Json;

namespace MigCompat.Server.Tests.Http;

public sealed class SourceClassEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Source_classes_list_each_hosts_device_classes_and_the_classes_each_resource_accepts_live_drained_hosts_included()
    {
        await using var server = await FleetTestServer.StartAsync();
        (await server.PutHostAsync(TestInventories.Host("host-a"))).Dispose();
        (await server.PutHostAsync(TestInventories.Host("host-b", freeInstances: 0))).Dispose();
        (await server.Client(FleetTestServer.AdminToken).PostAsync("/v1/hosts/host-b/drain", null, Ct)).Dispose();

        var answer = await server.GetJsonAsync("/v1/source-classes", FleetTestServer.ReadToken);

        var source = Assert.Single(answer.GetProperty("classes").EnumerateArray());
        var id = source.GetProperty("id").GetString()!;
        Assert.StartsWith("i915-gvtg-v5-4-", id, StringComparison.Ordinal);
        Assert.Equal(2, source.GetProperty("devices").GetInt32());
        Assert.Equal(["host-a", "host-b"], answer.GetProperty("hosts").EnumerateArray().Select(h => h.GetProperty("name").GetString()));
        var drained = answer.GetProperty("hosts")[1];
        Assert.True(drained.GetProperty("drained").GetBoolean());
        Assert.Equal(id, drained.GetProperty("sources")[0].GetProperty("classId").GetString());
        var resource = Assert.Single(drained.GetProperty("resources").EnumerateArray());
        Assert.Equal(TestInventories.TypeKey, resource.GetProperty("resourceKey").GetString());
        Assert.Equal("type", resource.GetProperty("kind").GetString());
        Assert.Equal(TestInventories.Gpu, resource.GetProperty("parent").GetString());
        Assert.Equal(0, resource.GetProperty("capacity").GetInt32());
        var live = Assert.Single(resource.GetProperty("live").EnumerateArray());
        Assert.Equal(id, live.GetProperty("classId").GetString());
        Assert.Equal("declaration", live.GetProperty("evidence").GetProperty("kind").GetString());
    }

    [Theory]
    [InlineData("host-b", HttpStatusCode.OK)]
    [InlineData("nowhere", HttpStatusCode.NotFound)]
    [InlineData("bad host/name", HttpStatusCode.BadRequest)]
    [InlineData("host-b ", HttpStatusCode.BadRequest)]
    [InlineData(" host-b", HttpStatusCode.BadRequest)]
    public async Task Source_classes_of_one_host_keep_every_class_and_list_only_that_host(string name, HttpStatusCode expected)
    {
        await using var server = await FleetTestServer.StartAsync();
        (await server.PutHostAsync(TestInventories.Host("host-a"))).Dispose();
        (await server.PutHostAsync(TestInventories.Host("host-b"))).Dispose();

        using var response = await server.Client(FleetTestServer.ReadToken).GetAsync("/v1/source-classes?host=" + Uri.EscapeDataString(name), Ct);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.OK)
        {
            var answer = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(Ct);
            Assert.Single(answer.GetProperty("classes").EnumerateArray());
            Assert.Equal(["host-b"], answer.GetProperty("hosts").EnumerateArray().Select(h => h.GetProperty("name").GetString()));
        }
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("wrong-token", HttpStatusCode.Unauthorized)]
    [InlineData(FleetTestServer.ReadToken, HttpStatusCode.OK)]
    [InlineData(FleetTestServer.SchedulerToken, HttpStatusCode.OK)]
    public async Task Source_classes_need_a_read_token(string? token, HttpStatusCode expected)
    {
        await using var server = await FleetTestServer.StartAsync();

        using var response = await server.Client(token).GetAsync("/v1/source-classes", Ct);

        Assert.Equal(expected, response.StatusCode);
    }
}
