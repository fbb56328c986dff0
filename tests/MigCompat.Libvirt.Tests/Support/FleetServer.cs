using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Libvirt.Tests.Support;

/// <summary>The built <c>migcompat serve</c> on a free loopback port with a SQLite file; stopped when disposed.</summary>
public sealed class FleetServer : IDisposable
{
    /// <summary>The admin token the server is started with.</summary>
    public const string AdminToken = "admin-secret-for-libvirt-tests";

    private readonly Process process;
    private bool disposed;

    private FleetServer(Process process, string url)
    {
        this.process = process;
        Url = url;
    }

    public string Url { get; }

    /// <summary>A client of the server with the admin token.</summary>
    public HttpClient Client()
    {
        var http = new HttpClient { BaseAddress = new Uri(Url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return http;
    }

    /// <summary>Stores a new host's inventory through the API (<c>PUT /v1/hosts/{name}</c>, If-Match "0") and asserts it was created.</summary>
    public async Task PutInventoryAsync(HostInventory inventory)
    {
        using var http = Client();
        using var put = new HttpRequestMessage(HttpMethod.Put, "/v1/hosts/" + inventory.Host) { Content = new StringContent(InventoryJson.Serialize(inventory), Encoding.UTF8, "application/json") };
        put.Headers.TryAddWithoutValidation("If-Match", "\"0\"");
        using var answer = await http.SendAsync(put, TestContext.Current.CancellationToken);
        Assert.True(answer.StatusCode == HttpStatusCode.Created, await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    public static async Task<FleetServer> StartAsync(string directory)
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
        var server = new FleetServer(process, url);
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
