using System.Collections.Immutable;

namespace MigCompat.Core.Versioning;

/// <summary>One inclusive range of versions; a single version is a range whose bounds are equal.</summary>
/// <param name="Low">The lowest version in the range.</param>
/// <param name="High">The highest version in the range.</param>
public sealed record VersionRange(DeviceVersion Low, DeviceVersion High)
{
    /// <summary>True when <paramref name="version"/> lies in the range (compared on the components each bound states).</summary>
    public bool Contains(DeviceVersion version) => version.CompareToBound(Low) >= 0 && version.CompareToBound(High) <= 0;

    /// <summary>True when every version of <paramref name="other"/> lies in this range.</summary>
    public bool Contains(VersionRange other) => Contains(other.Low) && Contains(other.High);

    /// <summary>The range as written: <c>LOW-HIGH</c>, or one version.</summary>
    public override string ToString() => Low.Equals(High) ? Low.Raw : $"{Low.Raw}-{High.Raw}";
}

/// <summary>
/// A list of version ranges as a field value states them: <c>7.1-20.1</c>, <c>1.0..1.2, 2.0</c>.
/// Items are separated by commas; a range is two versions joined by <c>-</c> or <c>..</c>, where
/// <c>-</c> only separates two plain dotted numbers (so <c>1.2.0-rc1</c> stays one version). Used by
/// the <c>within</c> comparison rule (NVIDIA's accepted vGPU version range, for example).
/// </summary>
public static class VersionRanges
{
    /// <summary>Parses a range list; false (with the reason) when an item is not a version or range, or a range is reversed.</summary>
    /// <param name="text">The field's value.</param>
    /// <param name="ranges">The ranges, in written order.</param>
    /// <param name="error">Why the text is not a range list.</param>
    /// <returns>True when every item parsed.</returns>
    public static bool TryParse(string text, out ImmutableArray<VersionRange> ranges, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = ImmutableArray.CreateBuilder<VersionRange>();
        ranges = [];
        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (raw.Length == 0)
            {
                error = "an item of the range list is empty";
                return false;
            }

            if (!TryParseItem(raw, out var range, out error))
            {
                return false;
            }

            builder.Add(range);
        }

        ranges = builder.ToImmutable();
        error = null;
        return true;
    }

    private static bool TryParseItem(string item, out VersionRange range, out string? error)
    {
        range = null!;
        var (lowText, highText) = Split(item);
        if (!DeviceVersion.TryParse(lowText, out var low, out error))
        {
            error = $"'{lowText}' is not a version ({error})";
            return false;
        }

        if (highText is null)
        {
            range = new VersionRange(low, low);
            return true;
        }

        if (!DeviceVersion.TryParse(highText, out var high, out error))
        {
            error = $"'{highText}' is not a version ({error})";
            return false;
        }

        if (high.CompareToBound(low) < 0 || low.CompareToBound(high) > 0)
        {
            error = $"the range {item} ends below its start";
            return false;
        }

        range = new VersionRange(low, high);
        return true;
    }

    private static (string Low, string? High) Split(string item)
    {
        var dots = item.IndexOf("..", StringComparison.Ordinal);
        if (dots > 0)
        {
            return (item[..dots].Trim(), item[(dots + 2)..].Trim());
        }

        // "7.1-20.1": a dash between two plain dotted numbers. "1.2.0-rc1" is one version.
        var dash = item.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0 && IsDottedNumber(item.AsSpan(0, dash).Trim()) && IsDottedNumber(item.AsSpan(dash + 1).Trim()))
        {
            return (item[..dash].Trim(), item[(dash + 1)..].Trim());
        }

        return (item, null);
    }

    private static bool IsDottedNumber(ReadOnlySpan<char> text)
    {
        if (text.Length == 0 || !char.IsAsciiDigit(text[0]) || !char.IsAsciiDigit(text[^1]))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) && c != '.')
            {
                return false;
            }
        }

        return true;
    }
}
