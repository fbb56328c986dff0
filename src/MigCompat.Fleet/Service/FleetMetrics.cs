using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace MigCompat.Fleet.Service;

/// <summary>
/// The fleet service's counters, thread-safe, written in the Prometheus text exposition format
/// (version 0.0.4). The HTTP layer adds request counts through <see cref="RecordRequest"/>.
/// </summary>
public sealed class FleetMetrics
{
    private readonly ConcurrentDictionary<(string Method, string Route, int Status), long> requests = new();
    private readonly ConcurrentDictionary<string, long> hostWrites = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> claimOutcomes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> syncRuns = new(StringComparer.Ordinal);

    /// <summary>Durations of target searches.</summary>
    public LatencyHistogram QueryLatency { get; } = new();

    /// <summary>Counts one HTTP request.</summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="route">The route pattern (not the raw path, to keep the label set small).</param>
    /// <param name="status">The response status code.</param>
    public void RecordRequest(string method, string route, int status) =>
        requests.AddOrUpdate((method, route, status), 1, (_, count) => count + 1);

    /// <summary>Counts one host write by outcome (<c>stored</c>, <c>conflict</c>, <c>invalid</c>, <c>deleted</c>, <c>drained</c>...).</summary>
    /// <param name="outcome">The outcome label.</param>
    public void RecordHostWrite(string outcome) => Increment(hostWrites, outcome, 1);

    /// <summary>Counts claim operations by outcome (<c>created</c>, <c>insufficient_capacity</c>, <c>confirmed</c>, <c>expired</c>, <c>purged</c>...).</summary>
    /// <param name="outcome">The outcome label.</param>
    /// <param name="count">How many.</param>
    public void RecordClaim(string outcome, long count = 1) => Increment(claimOutcomes, outcome, count);

    /// <summary>Counts a background run (<c>refresh_ok</c>, <c>refresh_failed</c>, <c>sweep_ok</c>, <c>sweep_failed</c>, <c>purge_ok</c>, <c>purge_failed</c>).</summary>
    /// <param name="outcome">The outcome label.</param>
    public void RecordSync(string outcome) => Increment(syncRuns, outcome, 1);

    /// <summary>How many claim operations had the outcome so far (for <c>purged</c>: how many claims were purged).</summary>
    /// <param name="outcome">The outcome label.</param>
    public long ClaimCount(string outcome) => claimOutcomes.TryGetValue(outcome, out var count) ? count : 0;

    /// <summary>Writes every metric in the Prometheus text format.</summary>
    /// <param name="hostsIndexed">The number of hosts in the search index now.</param>
    /// <param name="activeClaimUnits">Units held by active claims, when known (from the last refresh).</param>
    public string ToPrometheusText(int hostsIndexed, long activeClaimUnits)
    {
        var text = new StringBuilder();
        text.Append("# HELP migcompat_http_requests_total HTTP requests by method, route and status.\n");
        text.Append("# TYPE migcompat_http_requests_total counter\n");
        foreach (var ((method, route, status), count) in requests.OrderBy(r => r.Key.Route, StringComparer.Ordinal).ThenBy(r => r.Key.Method, StringComparer.Ordinal).ThenBy(r => r.Key.Status))
        {
            text.Append(CultureInfo.InvariantCulture, $"migcompat_http_requests_total{{method=\"{Escape(method)}\",route=\"{Escape(route)}\",status=\"{status}\"}} {count}\n");
        }

        text.Append("# HELP migcompat_hosts Hosts in the search index.\n");
        text.Append("# TYPE migcompat_hosts gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"migcompat_hosts {hostsIndexed}\n");
        text.Append("# HELP migcompat_claimed_units Units held by active claims at the last claim count refresh.\n");
        text.Append("# TYPE migcompat_claimed_units gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"migcompat_claimed_units {activeClaimUnits}\n");
        WriteLabelled(text, "migcompat_host_writes_total", "Host writes by outcome.", hostWrites);
        WriteLabelled(text, "migcompat_claims_total", "Claim operations by outcome.", claimOutcomes);
        WriteLabelled(text, "migcompat_sync_runs_total", "Background refresh, expiry sweep and purge runs by outcome.", syncRuns);
        text.Append("# HELP migcompat_target_query_seconds Time to answer a target search.\n");
        text.Append("# TYPE migcompat_target_query_seconds histogram\n");
        QueryLatency.WriteTo(text, "migcompat_target_query_seconds");
        return text.ToString();
    }

    private static void Increment(ConcurrentDictionary<string, long> counters, string key, long count) =>
        counters.AddOrUpdate(key, count, (_, existing) => existing + count);

    private static void WriteLabelled(StringBuilder text, string name, string help, ConcurrentDictionary<string, long> counters)
    {
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n");
        text.Append(CultureInfo.InvariantCulture, $"# TYPE {name} counter\n");
        foreach (var (outcome, count) in counters.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}{{outcome=\"{Escape(outcome)}\"}} {count}\n");
        }
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
