using MigCompat.Fleet.Service;

namespace MigCompat.Fleet.Tests.Service;

public sealed class FleetMetricsTests
{
    [Fact]
    public void The_metrics_keep_their_names_and_two_services_in_one_process_count_apart()
    {
        var a = new FleetMetrics();
        var b = new FleetMetrics();

        a.RecordRequest("PUT", "/v1/hosts/{name}", 201);
        a.RecordRequest("PUT", "/v1/hosts/{name}", 201);
        a.RecordClaim("purged", 3);
        a.RecordSync("refresh_ok");
        a.RecordHostWrite("stored");
        a.ObserveQuery(TimeSpan.FromMilliseconds(2));
        var text = a.ToPrometheusText(7, 5);

        Assert.Contains("migcompat_http_requests_total{method=\"PUT\",route=\"/v1/hosts/{name}\",status=\"201\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("migcompat_hosts 7\n", text, StringComparison.Ordinal);
        Assert.Contains("migcompat_claimed_units 5\n", text, StringComparison.Ordinal);
        Assert.Contains("migcompat_claims_total{outcome=\"purged\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("migcompat_sync_runs_total{outcome=\"refresh_ok\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("migcompat_host_writes_total{outcome=\"stored\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("migcompat_target_query_seconds_bucket{le=\"0.0025\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("migcompat_target_query_seconds_count 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE migcompat_target_query_seconds histogram", text, StringComparison.Ordinal);
        Assert.DoesNotContain("process_", text, StringComparison.Ordinal);
        Assert.Equal(3, a.ClaimCount("purged"));
        Assert.Equal(0, b.ClaimCount("purged"));
        Assert.DoesNotContain("migcompat_http_requests_total{", b.ToPrometheusText(0, 0), StringComparison.Ordinal);
    }
}
