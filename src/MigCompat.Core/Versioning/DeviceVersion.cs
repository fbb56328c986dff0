using System.Globalization;

namespace MigCompat.Core.Versioning;

/// <summary>
/// A device or driver version in <c>major[.minor[.bugfix[...]]]</c> form, read leniently as real
/// drivers write them (<c>550.127.08</c>, <c>6.19.14.31400000</c>, <c>v2.1</c>, <c>1.2.0-rc1</c>).
/// The raw text is kept; missing components are 0. Immutable.
/// </summary>
public sealed class DeviceVersion : IEquatable<DeviceVersion>
{
    /// <summary>The longest text accepted as a version.</summary>
    public const int MaxLength = 256;

    /// <summary>The most dot-separated numeric components accepted.</summary>
    public const int MaxComponents = 8;

    private DeviceVersion(string raw, long major, long minor, long bugfix, int componentCount, string suffix, bool isPreRelease)
    {
        IsPreRelease = isPreRelease;
        Raw = raw;
        Major = major;
        Minor = minor;
        Bugfix = bugfix;
        ComponentCount = componentCount;
        Suffix = suffix;
    }

    /// <summary>The text as written (trimmed).</summary>
    public string Raw { get; }

    /// <summary>The major component: a change means features were removed.</summary>
    public long Major { get; }

    /// <summary>The minor component (0 when absent): a change means features were added.</summary>
    public long Minor { get; }

    /// <summary>The bugfix component (0 when absent): ignored by the compatibility rule.</summary>
    public long Bugfix { get; }

    /// <summary>How many numeric components the text had (1 for <c>3</c>, 4 for <c>6.19.14.31400000</c>).</summary>
    public int ComponentCount { get; }

    /// <summary>A pre-release or build suffix after <c>-</c>, <c>+</c> or <c>~</c> (empty when none); ignored by the rule.</summary>
    public string Suffix { get; }

    /// <summary>
    /// True when the suffix follows <c>-</c> or <c>~</c> (<c>1.2.0-rc1</c>, <c>2.0~beta</c>): a
    /// pre-release, which promises nothing about the release it precedes. A <c>+</c> suffix is
    /// build metadata (<c>17.0+deb12</c>), not a pre-release.
    /// </summary>
    public bool IsPreRelease { get; }

    /// <summary>
    /// The compatibility rule (x.y), seen from a target of this version: it accepts state from
    /// <paramref name="source"/> when the majors are equal and this minor is at least the source's.
    /// The bugfix part and any further components do not matter. A pre-release target accepts
    /// only its own version text: its interface is not final, so no release can be shown to fit
    /// (Sept 2020 proposal; semantic versioning gives pre-releases no compatibility promise).
    /// </summary>
    public bool Accepts(DeviceVersion source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return IsPreRelease ? string.Equals(Raw, source.Raw, StringComparison.Ordinal) : Major == source.Major && Minor >= source.Minor;
    }

    /// <summary>
    /// Compares this version with a range bound on as many components as the bound states (at
    /// most three): against <c>20.1</c>, <c>20.1.7</c> compares equal. Suffixes are ignored.
    /// </summary>
    /// <param name="bound">The bound.</param>
    /// <returns>Negative, zero or positive as this version is below, at or above the bound.</returns>
    public int CompareToBound(DeviceVersion bound)
    {
        ArgumentNullException.ThrowIfNull(bound);
        var order = Major.CompareTo(bound.Major);
        if (order != 0 || bound.ComponentCount < 2)
        {
            return order;
        }

        order = Minor.CompareTo(bound.Minor);
        return order != 0 || bound.ComponentCount < 3 ? order : Bugfix.CompareTo(bound.Bugfix);
    }

    /// <summary>Parses a version; throws <see cref="FormatException"/> with the reason when it is not one.</summary>
    public static DeviceVersion Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseCore(text, out var version, out var error) ? version : throw new FormatException(error);
    }

    /// <summary>Tries to parse a version.</summary>
    public static bool TryParse(string? text, out DeviceVersion version)
    {
        if (text is not null && TryParseCore(text, out var parsed, out _))
        {
            version = parsed;
            return true;
        }

        version = null!;
        return false;
    }

    /// <summary>Tries to parse a version, and says why not when it fails.</summary>
    public static bool TryParse(string? text, out DeviceVersion version, out string? error)
    {
        if (text is null)
        {
            version = null!;
            error = "no version text";
            return false;
        }

        var ok = TryParseCore(text, out var parsed, out error);
        version = parsed!;
        return ok;
    }

    private static bool TryParseCore(string text, out DeviceVersion version, out string? error)
    {
        version = null!;
        var span = text.AsSpan().Trim();
        if (span.Length == 0)
        {
            error = "a version cannot be empty";
            return false;
        }

        if (span.Length > MaxLength)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"a version is at most {MaxLength} characters long");
            return false;
        }

        var i = 0;
        if (span[0] is 'v' or 'V')
        {
            i = 1;
        }

        Span<long> parts = stackalloc long[3];
        var count = 0;
        while (true)
        {
            var start = i;
            long value = 0;
            while (i < span.Length && char.IsAsciiDigit(span[i]))
            {
                if (i - start >= 18)
                {
                    error = "a version component has more than 18 digits";
                    return false;
                }

                value = (value * 10) + (span[i] - '0');
                i++;
            }

            if (i == start)
            {
                error = count == 0
                    ? "a version starts with a number (major[.minor[.bugfix]], e.g. 1.2.0)"
                    : "expected a number after '.' in the version";
                return false;
            }

            if (count < 3)
            {
                parts[count] = value;
            }

            count++;
            if (count > MaxComponents)
            {
                error = string.Create(CultureInfo.InvariantCulture, $"a version has at most {MaxComponents} components");
                return false;
            }

            if (i < span.Length && span[i] == '.')
            {
                i++;
                continue;
            }

            break;
        }

        var suffix = string.Empty;
        var preRelease = false;
        if (i < span.Length)
        {
            preRelease = span[i] is '-' or '~';
            if (span[i] is not ('-' or '+' or '~') || i + 1 >= span.Length)
            {
                error = $"unexpected '{span[i]}' in the version; write major.minor.bugfix with an optional -suffix";
                return false;
            }

            foreach (var c in span[(i + 1)..])
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '+' or '~' or '_'))
                {
                    error = $"unexpected '{c}' in the version suffix";
                    return false;
                }
            }

            suffix = span[(i + 1)..].ToString();
        }

        error = null;
        version = new DeviceVersion(span.Length == text.Length ? text : span.ToString(), parts[0], count > 1 ? parts[1] : 0, count > 2 ? parts[2] : 0, count, suffix, preRelease);
        return true;
    }

    /// <summary>Versions are equal when their raw texts are equal.</summary>
    public bool Equals(DeviceVersion? other) => other is not null && string.Equals(Raw, other.Raw, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as DeviceVersion);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Raw);

    /// <summary>The raw text.</summary>
    public override string ToString() => Raw;

    /// <summary>True when a field of this name holds a version: <c>version</c> or a name ending in <c>_version</c>.</summary>
    public static bool IsVersionFieldName(string fieldName) =>
        fieldName == "version" || fieldName.EndsWith("_version", StringComparison.Ordinal);
}
