using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using MigCompat.Cli.Output;
using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Generation;
using MigCompat.Server;

namespace MigCompat.Cli.Fleet;

/// <summary>
/// <c>migcompat demo</c>: the fleet server on 127.0.0.1 with a generated fleet, how to query it, and
/// one real targets query printed as a table.
/// </summary>
internal static class DemoRunner
{
    public const int Seed = 42;

    public static async Task<int> RunAsync(string? database, int hosts, int port, bool once, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var temp = database is null ? Path.Combine(Path.GetTempPath(), "migcompat-demo-" + Guid.NewGuid().ToString("N")[..8] + ".db") : null;
        var token = "demo-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var options = new ServerOptions
        {
            Database = database ?? temp!,
            Urls = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"),
            AdminToken = token,
        };
        try
        {
            await using var app = await FleetHosting.StartAsync(options, "demo", cancellationToken);
            await MigCompatServer.WhenReadyAsync(app, cancellationToken);
            var addresses = FleetHosting.Addresses(app);
            var url = addresses.Count > 0 ? addresses[0] : options.Urls;
            await stderr.WriteLineAsync($"demo: serving the fleet API at {url} (database {options.Database})");
            using var client = new FleetClient(new Uri(url), token);
            var inventories = new List<HostInventory>(hosts);
            var stored = 0;
            await TerminalProgress.RunAsync(stderr, "generating and storing hosts", hosts, async done =>
            {
                foreach (var inventory in FleetGenerator.Generate(hosts, Seed))
                {
                    inventories.Add(inventory);
                    var response = await client.PutInventoryAsync(inventory.Host, InventoryJson.Serialize(inventory), 0, cancellationToken);
                    stored += response.IsSuccess ? 1 : 0;
                    if (!response.IsSuccess && response.Status != System.Net.HttpStatusCode.Conflict)
                    {
                        await stderr.WriteLineAsync($"demo: host {inventory.Host} was not stored: {response.Message}");
                    }

                    done();
                }
            });

            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"demo: stored {stored} of {inventories.Count} generated hosts (hosts already in the database keep their inventory)"));
            var (source, device) = DemoVm(inventories);
            var vm = source is null || device is null ? null : source.Guests.FirstOrDefault(g => g.DeviceIds.Contains(device.Id));
            string? closeMiss = null;
            if (source is not null && device is not null)
            {
                object query = vm is not null
                    ? new { vm = vm.Name, sourceHost = source.Host, limit = 10 }
                    : new { sourceHost = source.Host, devices = new[] { new { id = device.Id } }, limit = 10 };
                var answer = await client.PostJsonAsync("/v1/migrations/targets", query, cancellationToken);
                var what = $"{device.MdevType ?? device.Driver ?? "device"} {device.Id}";
                await stdout.WriteLineAsync(vm is not null ? $"Targets for VM {vm.Name} on {source.Host} ({what}):" : $"Targets for the VM on {source.Host} using {what}:");
                if (answer.IsSuccess && answer.Json is { } json)
                {
                    TargetsReport.Write(json, stdout);
                    closeMiss = json.TryGetProperty("rejected", out var rejected) && rejected.ValueKind == JsonValueKind.Array && rejected.GetArrayLength() > 0
                        && rejected[0].TryGetProperty("host", out var host) ? host.GetString() : null;
                }
                else
                {
                    await stderr.WriteLineAsync("demo: the targets query failed: " + answer.Message);
                }
            }

            if (once)
            {
                await stderr.WriteLineAsync("demo: done (--once: the server stops now; run 'migcompat demo' without --once to query it yourself)");
                return ExitCodes.Success;
            }

            await stdout.WriteLineAsync();
            WriteHowTo(stdout, url, token, source, device, vm, closeMiss);
            await stderr.WriteLineAsync("demo: serving until Ctrl+C");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                await stderr.WriteLineAsync("demo: stopping");
            }

            return ExitCodes.Success;
        }
        finally
        {
            if (temp is not null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                foreach (var file in new[] { temp, temp + "-wal", temp + "-shm" })
                {
                    try
                    {
                        File.Delete(file);
                    }
                    catch (IOException)
                    {
                        // Best effort.
                    }
                }
            }
        }
    }

    /// <summary>
    /// The VM device the demo asks about: a running NVIDIA vGPU (its rule pack lets it move live),
    /// else an mlx5 VF (live between identical builds), else the first device of the fleet.
    /// </summary>
    private static (HostInventory? Host, InventoryDevice? Device) DemoVm(List<HostInventory> inventories)
    {
        foreach (var driver in new[] { "nvidia", "mlx5_vfio_pci" })
        {
            foreach (var inventory in inventories)
            {
                if (inventory.Devices.IsDefaultOrEmpty)
                {
                    continue;
                }

                if (inventory.Devices.FirstOrDefault(d => d.Driver == driver && d.InUse == true) is { } device)
                {
                    return (inventory, device);
                }
            }
        }

        var first = inventories.FirstOrDefault(i => !i.Devices.IsDefaultOrEmpty);
        return (first, first?.Devices[0]);
    }

    private static void WriteHowTo(TextWriter stdout, string url, string token, HostInventory? source, InventoryDevice? device, InventoryGuest? vm, string? closeMiss)
    {
        stdout.WriteLine("Query it (the demo token reads and writes):");
        stdout.WriteLine($"  export MIGCOMPAT_TOKEN={token}");
        stdout.WriteLine($"  curl -s -H \"Authorization: Bearer $MIGCOMPAT_TOKEN\" {url}/v1/hosts | head");
        if (source is not null && device is not null)
        {
            var body = JsonSerializer.Serialize(new { sourceHost = source.Host, devices = new[] { new { id = device.Id } } });
            stdout.WriteLine($"  curl -s -H \"Authorization: Bearer $MIGCOMPAT_TOKEN\" -H 'Content-Type: application/json' -d '{body}' {url}/v1/migrations/targets");
            stdout.WriteLine($"  migcompat targets --server {url} --token $MIGCOMPAT_TOKEN --from {source.Host} --device {device.Id}");
        }

        if (source is not null && vm is not null)
        {
            stdout.WriteLine($"  migcompat vms list --server {url} --token $MIGCOMPAT_TOKEN --host {source.Host}");
            stdout.WriteLine($"  migcompat targets --server {url} --token $MIGCOMPAT_TOKEN --vm {vm.Name} --from {source.Host}{(closeMiss is null ? "" : " --explain " + closeMiss)}");
            stdout.WriteLine($"  migcompat plan upgrade --server {url} --token $MIGCOMPAT_TOKEN --hosts 'host-00000?' --set nvidia=580.82.07");
        }

        stdout.WriteLine($"  curl -s {url}/healthz; curl -s -H \"Authorization: Bearer $MIGCOMPAT_TOKEN\" {url}/metrics");
    }
}
