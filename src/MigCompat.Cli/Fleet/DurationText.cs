using System.Globalization;

namespace MigCompat.Cli.Fleet;

/// <summary>Durations written as <c>90</c> (seconds), <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>7d</c> or <c>d.hh:mm:ss</c>.</summary>
internal static class DurationText
{
    /// <summary>Reads a positive duration of at most one day (intervals).</summary>
    public static bool TryParse(string? text, out TimeSpan duration) => TryParse(text, TimeSpan.FromDays(1), out duration);

    /// <summary>Reads a positive duration of at most <paramref name="maximum"/>.</summary>
    public static bool TryParse(string? text, TimeSpan maximum, out TimeSpan duration)
    {
        duration = default;
        var value = text?.Trim() ?? "";
        if (value.Length == 0)
        {
            return false;
        }

        var unit = char.ToLowerInvariant(value[^1]);
        var (number, scale) = unit switch
        {
            's' => (value[..^1], 1.0),
            'm' => (value[..^1], 60.0),
            'h' => (value[..^1], 3600.0),
            'd' => (value[..^1], 86400.0),
            _ => (value, 1.0),
        };
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            var seconds = amount * scale;
            if (seconds > 0 && seconds <= maximum.TotalSeconds)
            {
                duration = TimeSpan.FromSeconds(seconds);
                return true;
            }

            return false;
        }

        return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out duration) && duration > TimeSpan.Zero && duration <= maximum;
    }
}
