using System.Globalization;
using System.Text;
using Prometheus;

namespace MigCompat.Fleet.Service;

/// <summary>
/// The fleet service's metrics, kept by prometheus-net in a registry of this service's own (so two
/// services in one process count apart) and written in the Prometheus text exposition format. The
/// HTTP layer adds request counts through <see cref="RecordRequest"/>.
/// </summary>
public sealed class FleetMetrics
{
    private static readonly double[] QueryBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly CollectorRegistry registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly Counter requests;
    private readonly Gauge hosts;
    private readonly Gauge claimedUnits;
    private readonly Counter hostWrites;
    private readonly Counter claimOutcomes;
    private readonly Counter syncRuns;
    private readonly Histogram queryLatency;
    private readonly Lock exportGate = new();

    /// <summary>Creates the metrics in a registry of their own.</summary>
    public FleetMetrics()
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        requests = factory.CreateCounter("migcompat_http_requests_total", "HTTP requests by method, route and status.", "method", "route", "status");
        hosts = factory.CreateGauge("migcompat_hosts", "Hosts in the search index.");
        claimedUnits = factory.CreateGauge("migcompat_claimed_units", "Units held by active claims at the last claim count refresh.");
        hostWrites = factory.CreateCounter("migcompat_host_writes_total", "Host writes by outcome.", "outcome");
        claimOutcomes = factory.CreateCounter("migcompat_claims_total", "Claim operations by outcome.", "outcome");
        syncRuns = factory.CreateCounter("migcompat_sync_runs_total", "Background refresh, expiry sweep and purge runs by outcome.", "outcome");
        queryLatency = factory.CreateHistogram("migcompat_target_query_seconds", "Time to answer a target search.", new HistogramConfiguration { Buckets = QueryBuckets });
    }

    /// <summary>Counts one HTTP request.</summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="route">The route pattern (not the raw path, to keep the label set small).</param>
    /// <param name="status">The response status code.</param>
    public void RecordRequest(string method, string route, int status) =>
        requests.WithLabels(method, route, status.ToString(CultureInfo.InvariantCulture)).Inc();

    /// <summary>Counts one host write by outcome (<c>stored</c>, <c>conflict</c>, <c>invalid</c>, <c>deleted</c>, <c>drained</c>...).</summary>
    /// <param name="outcome">The outcome label.</param>
    public void RecordHostWrite(string outcome) => hostWrites.WithLabels(outcome).Inc();

    /// <summary>Counts claim operations by outcome (<c>created</c>, <c>insufficient_capacity</c>, <c>confirmed</c>, <c>expired</c>, <c>purged</c>...).</summary>
    /// <param name="outcome">The outcome label.</param>
    /// <param name="count">How many.</param>
    public void RecordClaim(string outcome, long count = 1) => claimOutcomes.WithLabels(outcome).Inc(count);

    /// <summary>Counts a background run (<c>refresh_ok</c>, <c>refresh_failed</c>, <c>sweep_ok</c>, <c>sweep_failed</c>, <c>purge_ok</c>, <c>purge_failed</c>, <c>post_commit_refresh_failed</c>...).</summary>
    /// <param name="outcome">The outcome label.</param>
    public void RecordSync(string outcome) => syncRuns.WithLabels(outcome).Inc();

    /// <summary>Records how long a target search took.</summary>
    /// <param name="elapsed">The duration.</param>
    public void ObserveQuery(TimeSpan elapsed) => queryLatency.Observe(Math.Max(0, elapsed.TotalSeconds));

    /// <summary>How many target searches were timed.</summary>
    public long QueryCount => queryLatency.Count;

    /// <summary>How many claim operations had the outcome so far (for <c>purged</c>: how many claims were purged).</summary>
    /// <param name="outcome">The outcome label.</param>
    public long ClaimCount(string outcome) => (long)claimOutcomes.WithLabels(outcome).Value;

    /// <summary>Writes every metric in the Prometheus text format.</summary>
    /// <param name="hostsIndexed">The number of hosts in the search index now.</param>
    /// <param name="activeClaimUnits">Units held by active claims, when known (from the last refresh).</param>
    public string ToPrometheusText(int hostsIndexed, long activeClaimUnits)
    {
        using var buffer = new MemoryStream();
        lock (exportGate)
        {
            hosts.Set(hostsIndexed);
            claimedUnits.Set(activeClaimUnits);
            registry.CollectAndExportAsTextAsync(buffer).GetAwaiter().GetResult();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
