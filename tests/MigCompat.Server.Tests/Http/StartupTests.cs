using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MigCompat.Fleet.Storage;
using MigCompat.Server.Http;

namespace MigCompat.Server.Tests.Http;

/// <summary>
/// After a restart the port answers at once: every API route says 503 (with <c>Retry-After</c>) and
/// <c>/healthz</c> says <c>starting</c> while the hosts load; then everything answers as before. A
/// load that fails stops the server with a one-line reason.
/// </summary>
public sealed class StartupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task While_the_hosts_load_every_api_route_answers_503_with_retry_after_and_healthz_says_starting_then_all_answer()
    {
        using var directory = new TempDirectory();
        var database = Path.Combine(directory.Path, "fleet.db");
        await using (var first = await FleetTestServer.StartAsync(database))
        {
            Assert.Equal(HttpStatusCode.Created, (await first.PutHostAsync(TestInventories.Host("host-a", 4))).StatusCode);
        }

        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await FleetTestServer.StartAsync(database, customize: builder =>
            builder.Services.AddSingleton<FleetStoreOpener>(async (options, ct) =>
                HeldStore.Wrap(await FleetStoreFactory.OpenAsync(options.Database, options.TimeProvider, ct), release.Task, failure: null)),
            waitUntilReady: false);
        var admin = server.Client(FleetTestServer.AdminToken);

        using (var health = await server.Client(null).GetAsync("/healthz", Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal("starting", (await health.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetString());
            Assert.NotNull(health.Headers.RetryAfter);
        }

        foreach (var (method, path, token) in new[]
        {
            ("GET", "/v1/hosts", FleetTestServer.AdminToken),
            ("GET", "/v1/hosts/host-a", FleetTestServer.ReadToken),
            ("PUT", "/v1/hosts/host-a", FleetTestServer.AgentA),
            ("POST", "/v1/migrations/targets", FleetTestServer.ReadToken),
            ("POST", "/v1/claims", FleetTestServer.SchedulerToken),
            ("GET", "/metrics", FleetTestServer.ReadToken),
        })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method != "GET")
            {
                request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            }

            using var response = await server.Client(token).SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromSeconds(Readiness.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal("The service is not ready", problem.GetProperty("title").GetString());
            Assert.Equal(503, problem.GetProperty("status").GetInt32());
            Assert.Contains("loading", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (var noToken = await server.Client(null).GetAsync("/v1/hosts", Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        }

        release.SetResult();
        await MigCompatServer.WhenReadyAsync(server.App, Ct);

        var hosts = await server.GetJsonAsync("/v1/hosts");
        Assert.Equal("host-a", hosts.GetProperty("hosts")[0].GetProperty("name").GetString());
        using var ready = await server.Client(null).GetAsync("/healthz", Ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(1, (await ready.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("hosts").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await server.PutHostAsync(TestInventories.Host("host-a", 5), generation: 1, token: FleetTestServer.AgentA)).StatusCode);
        using var list = await admin.GetAsync("/v1/hosts", Ct);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }

    [Fact]
    public async Task A_load_that_fails_stops_the_server_with_a_one_line_reason()
    {
        await using var server = await FleetTestServer.StartAsync(customize: builder =>
            builder.Services.AddSingleton<FleetStoreOpener>(async (options, ct) =>
                HeldStore.Wrap(await FleetStoreFactory.OpenAsync(options.Database, options.TimeProvider, ct), Task.CompletedTask, new IOException("disk I/O error"))),
            waitUntilReady: false);

        var error = await Assert.ThrowsAsync<FleetStoreException>(() => MigCompatServer.WhenReadyAsync(server.App, Ct));

        Assert.Equal("loading the hosts from the fleet database failed: disk I/O error", error.Message);
        Assert.True(server.App.Lifetime.ApplicationStopping.IsCancellationRequested);
        using var health = await server.Client(null).GetAsync("/healthz", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
    }

    /// <summary>The real store, whose <c>LoadAllAsync</c> waits for a gate and then loads, or fails after the gate.</summary>
    public class HeldStore : DispatchProxy
    {
        private IFleetStore inner = null!;
        private Task gate = Task.CompletedTask;
        private Exception? failure;

        public static IFleetStore Wrap(IFleetStore inner, Task gate, Exception? failure)
        {
            var proxy = Create<IFleetStore, HeldStore>();
            var held = (HeldStore)(object)proxy;
            (held.inner, held.gate, held.failure) = (inner, gate, failure);
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(IFleetStore.LoadAllAsync))
            {
                return LoadAllAsync((CancellationToken)args![0]!);
            }

            try
            {
                return targetMethod.Invoke(inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
        }

        private async IAsyncEnumerable<StoredHost> LoadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await gate.WaitAsync(cancellationToken);
            if (failure is not null)
            {
                throw failure;
            }

            await foreach (var host in inner.LoadAllAsync(cancellationToken))
            {
                yield return host;
            }
        }
    }
}
