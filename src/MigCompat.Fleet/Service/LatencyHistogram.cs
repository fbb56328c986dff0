using System.Globalization;
using System.Text;

namespace MigCompat.Fleet.Service;

/// <summary>A thread-safe cumulative histogram of durations in seconds, written in the Prometheus text format.</summary>
public sealed class LatencyHistogram
{
    private static readonly double[] Bounds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private readonly long[] counts = new long[Bounds.Length + 1];
    private readonly object gate = new();
    private double sum;
    private long total;

    /// <summary>Records one observation.</summary>
    /// <param name="elapsed">The duration.</param>
    public void Observe(TimeSpan elapsed)
    {
        var seconds = Math.Max(0, elapsed.TotalSeconds);
        var bucket = 0;
        while (bucket < Bounds.Length && seconds > Bounds[bucket])
        {
            bucket++;
        }

        lock (gate)
        {
            counts[bucket]++;
            sum += seconds;
            total++;
        }
    }

    /// <summary>How many observations were recorded.</summary>
    public long Count
    {
        get
        {
            lock (gate)
            {
                return total;
            }
        }
    }

    /// <summary>Appends the histogram's <c>_bucket</c>, <c>_sum</c> and <c>_count</c> lines.</summary>
    /// <param name="text">The output.</param>
    /// <param name="name">The metric name.</param>
    public void WriteTo(StringBuilder text, string name)
    {
        ArgumentNullException.ThrowIfNull(text);
        long[] snapshot;
        double snapshotSum;
        long snapshotTotal;
        lock (gate)
        {
            snapshot = (long[])counts.Clone();
            snapshotSum = sum;
            snapshotTotal = total;
        }

        long cumulative = 0;
        for (var i = 0; i < Bounds.Length; i++)
        {
            cumulative += snapshot[i];
            text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{le=\"{Bounds[i].ToString(CultureInfo.InvariantCulture)}\"}} {cumulative}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{le=\"+Inf\"}} {snapshotTotal}\n");
        text.Append(CultureInfo.InvariantCulture, $"{name}_sum {snapshotSum.ToString("R", CultureInfo.InvariantCulture)}\n");
        text.Append(CultureInfo.InvariantCulture, $"{name}_count {snapshotTotal}\n");
    }
}
