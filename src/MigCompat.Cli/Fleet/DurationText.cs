using System.Globalization;

namespace MigCompat.Cli.Fleet;

/// <summary>Durations written as <c>90</c> (seconds), <c>30s</c>, <c>5m</c>, <c>1h</c> or <c>00:01:00</c>.</summary>
internal static class DurationText
{
    public static bool TryParse(string? text, out TimeSpan duration)
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
            _ => (value, 1.0),
        };
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount > 0 && amount * scale <= TimeSpan.FromDays(1).TotalSeconds)
        {
            duration = TimeSpan.FromSeconds(amount * scale);
            return true;
        }

        return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out duration) && duration > TimeSpan.Zero;
    }
}
