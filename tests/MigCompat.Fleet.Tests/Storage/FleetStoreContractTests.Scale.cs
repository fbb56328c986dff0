using System.Diagnostics;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Fleet.Tests.Storage;

public abstract partial class FleetStoreContractTests
{
    /// <summary>
    /// Rebuilding the index after a restart must be fast for a 100,000-host fleet. Explicit (run with
    /// <c>-- --explicit on</c>): filling the database takes a while and a lot of disk.
    /// </summary>
    [Fact(Explicit = true)]
    public async Task Loading_a_hundred_thousand_hosts_takes_well_under_a_minute()
    {
        const int hosts = 100_000;
        var json = InventoryJson.Serialize(Inventories.Host("template")).Replace("'", "''", StringComparison.Ordinal);
        await ExecuteSqlAsync(
            $"""
            INSERT INTO hosts (name, generation, drained, updated_at_ms, device_count, inventory_json)
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {hosts})
            SELECT 'host-' || i, 1, false, 0, 2, '{json}' FROM n
            """);

        var watch = Stopwatch.StartNew();
        var count = 0;
        await foreach (var host in Store.LoadAllAsync(TestContext.Current.CancellationToken))
        {
            Assert.NotNull(host.Inventory);
            count++;
        }

        watch.Stop();
        TestContext.Current.SendDiagnosticMessage($"loaded {count} hosts in {watch.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(hosts, count);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"loading took {watch.Elapsed}");
    }
}
