using System.Collections.Immutable;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Fleet.Search;

/// <summary>
/// Compares inventory descriptors by content (self fields, COMPATIBLE blocks, dynamic resource
/// names, in order), ignoring where they came from, so that thousands of identical devices are
/// parsed and compiled once.
/// </summary>
internal sealed class DescriptorFieldsComparer : IEqualityComparer<DescriptorFields>
{
    public static readonly DescriptorFieldsComparer Instance = new();

    public bool Equals(DescriptorFields? x, DescriptorFields? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        if (x is null || y is null)
        {
            return false;
        }

        if (!SamePairs(x.Self, y.Self) || !SameStrings(x.DynamicResources, y.DynamicResources))
        {
            return false;
        }

        var xBlocks = x.Compatible.IsDefault ? [] : x.Compatible;
        var yBlocks = y.Compatible.IsDefault ? [] : y.Compatible;
        if (xBlocks.Length != yBlocks.Length)
        {
            return false;
        }

        for (var i = 0; i < xBlocks.Length; i++)
        {
            if (!SamePairs(xBlocks[i], yBlocks[i]))
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(DescriptorFields obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var hash = default(HashCode);
        AddPairs(ref hash, obj.Self);
        foreach (var block in obj.Compatible.IsDefault ? [] : obj.Compatible)
        {
            hash.Add(-1);
            AddPairs(ref hash, block);
        }

        foreach (var name in obj.DynamicResources.IsDefault ? [] : obj.DynamicResources)
        {
            hash.Add(name, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    private static void AddPairs(ref HashCode hash, ImmutableArray<KeyValuePair<string, string>> pairs)
    {
        foreach (var (key, value) in pairs.IsDefault ? [] : pairs)
        {
            hash.Add(key, StringComparer.Ordinal);
            hash.Add(value, StringComparer.Ordinal);
        }
    }

    private static bool SamePairs(ImmutableArray<KeyValuePair<string, string>> x, ImmutableArray<KeyValuePair<string, string>> y)
    {
        var a = x.IsDefault ? [] : x;
        var b = y.IsDefault ? [] : y;
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (!string.Equals(a[i].Key, b[i].Key, StringComparison.Ordinal) || !string.Equals(a[i].Value, b[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameStrings(ImmutableArray<string> x, ImmutableArray<string> y)
    {
        var a = x.IsDefault ? [] : x;
        var b = y.IsDefault ? [] : y;
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (!string.Equals(a[i], b[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
