using System.Collections.Immutable;
using System.Globalization;
using MigCompat.Core.Model;

namespace MigCompat.Discovery.Profiles;

/// <summary>How a <see cref="VersionConstraint"/> compares.</summary>
public enum VersionComparison
{
    /// <summary><c>=</c> (or no operator): the same version (components compared numerically).</summary>
    Equal,

    /// <summary><c>&gt;=</c>.</summary>
    AtLeast,

    /// <summary><c>&gt;</c>.</summary>
    GreaterThan,

    /// <summary><c>&lt;=</c>.</summary>
    AtMost,

    /// <summary><c>&lt;</c>.</summary>
    LessThan,
}

/// <summary>
/// One bound of a profile's <c>driver_version</c> range, e.g. <c>&gt;=550.54</c>. Driver versions are
/// compared by all their numeric dot-separated components (<c>550.54.14 &lt; 550.127.05</c>; missing
/// components are 0); a suffix after <c>-</c>, <c>+</c> or <c>~</c> is ignored.
/// </summary>
/// <param name="Comparison">How to compare.</param>
/// <param name="Bound">The bound's numeric components.</param>
/// <param name="Text">The bound as written.</param>
public sealed record VersionConstraint(VersionComparison Comparison, ImmutableArray<long> Bound, string Text)
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(VersionConstraint? other) =>
        other is not null
        && Equals(Comparison, other.Comparison)
        && ArrayEquality.Equal(Bound, other.Bound)
        && Equals(Text, other.Text);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Comparison, ArrayEquality.Hash(Bound), Text);

    /// <summary>True when <paramref name="version"/> parses and satisfies the bound.</summary>
    public bool IsSatisfiedBy(string version)
    {
        if (!TryParseComponents(version, out var components))
        {
            return false;
        }

        var order = Compare(components, Bound);
        return Comparison switch
        {
            VersionComparison.AtLeast => order >= 0,
            VersionComparison.GreaterThan => order > 0,
            VersionComparison.AtMost => order <= 0,
            VersionComparison.LessThan => order < 0,
            _ => order == 0,
        };
    }

    /// <summary>Reads <c>[op]version</c> with op one of <c>&gt;= &gt; &lt;= &lt; =</c>; null with an error message when malformed.</summary>
    public static VersionConstraint? TryParse(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var (comparison, length) =
            trimmed.StartsWith(">=", StringComparison.Ordinal) ? (VersionComparison.AtLeast, 2)
            : trimmed.StartsWith("<=", StringComparison.Ordinal) ? (VersionComparison.AtMost, 2)
            : trimmed.StartsWith('>') ? (VersionComparison.GreaterThan, 1)
            : trimmed.StartsWith('<') ? (VersionComparison.LessThan, 1)
            : trimmed.StartsWith('=') ? (VersionComparison.Equal, 1)
            : (VersionComparison.Equal, 0);
        var versionText = trimmed[length..].Trim();
        if (!TryParseComponents(versionText, out var bound))
        {
            error = $"\"{trimmed}\" is not a version bound: write an optional >=, >, <=, < or = and a version of dot-separated numbers, e.g. \">=550.54\"";
            return null;
        }

        error = null;
        return new VersionConstraint(comparison, bound, trimmed);
    }

    private static bool TryParseComponents(string text, out ImmutableArray<long> components)
    {
        components = [];
        var span = text.AsSpan().Trim();
        if (span.Length > 0 && span[0] is 'v' or 'V')
        {
            span = span[1..];
        }

        var end = span.IndexOfAny('-', '+', '~');
        if (end >= 0)
        {
            span = span[..end];
        }

        if (span.IsEmpty)
        {
            return false;
        }

        var builder = ImmutableArray.CreateBuilder<long>();
        foreach (var range in span.Split('.'))
        {
            if (!long.TryParse(span[range], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            builder.Add(value);
        }

        components = builder.ToImmutable();
        return true;
    }

    private static int Compare(ImmutableArray<long> left, ImmutableArray<long> right)
    {
        for (var i = 0; i < Math.Max(left.Length, right.Length); i++)
        {
            var order = (i < left.Length ? left[i] : 0).CompareTo(i < right.Length ? right[i] : 0);
            if (order != 0)
            {
                return order;
            }
        }

        return 0;
    }
}
