using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
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
    private const string AdminToken = "admin-secret-for-libvirt-tests";

    [Fact]
    public async Task A_claim_from_the_server_goes_into_the_metadata_and_the_hook_confirms_it_with_the_server()
    {
        using var fixture = new Fixture(Peer.Domain("gpu-vm.xml"));
        using var server = await Server.StartAsync(fixture.Root);
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var put = new HttpRequestMessage(HttpMethod.Put, "/v1/hosts/" + Fixture.TargetHost) { Content = new StringContent(InventoryJson.Serialize(fixture.Target), Encoding.UTF8, "application/json") };
        put.Headers.TryAddWithoutValidation("If-Match", "\"0\"");
        Assert.Equal(HttpStatusCode.Created, (await http.SendAsync(put, TestContext.Current.CancellationToken)).StatusCode);
        var created = await http.PostAsync("/v1/claims", Json(new { host = Fixture.TargetHost, items = new[] { new { resourceKey = "device:" + fixture.Targets[0], count = 1 } }, ttlSeconds = 300 }), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("claim").GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync($"/v1/claims/{id}/confirm", Json(new { }), TestContext.Current.CancellationToken)).StatusCode);
        var withServer = new Dictionary<string, string>(fixture.HookEnvironment) { ["MIGCOMPAT_SERVER"] = server.Url, ["MIGCOMPAT_TOKEN"] = AdminToken };

        var source = await Migcompat.RunAsync(["migrate-xml", "--claim", id, "--server", server.Url, "--token", AdminToken, "--inventory", fixture.SourceInventoryPath], fixture.DomainXml);
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

    /// <summary>The built <c>migcompat serve</c> on a free loopback port with a SQLite file; stopped when disposed.</summary>
    private sealed class Server : IDisposable
    {
        private readonly Process process;
        private bool disposed;

        private Server(Process process, string url)
        {
            this.process = process;
            Url = url;
        }

        public string Url { get; }

        public static async Task<Server> StartAsync(string directory)
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            var url = $"http://127.0.0.1:{port}";
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { "exec", Path.Combine(AppContext.BaseDirectory, "migcompat.dll"), "serve", "--db", Path.Combine(directory, "fleet.db"), "--urls", url })
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["MIGCOMPAT_ADMIN_TOKEN"] = AdminToken;
            var process = Process.Start(start)!;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new Server(process, url);
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            for (var attempt = 0; attempt < 300; attempt++)
            {
                try
                {
                    if ((await http.GetAsync("/healthz", TestContext.Current.CancellationToken)).IsSuccessStatusCode)
                    {
                        return server;
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }

                Assert.False(process.HasExited, "migcompat serve exited");
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }

            server.Dispose();
            throw new TimeoutException("migcompat serve did not answer /healthz within 30 s");
        }

        public void Dispose()
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
            }

            process.Dispose();
        }
    }
}
