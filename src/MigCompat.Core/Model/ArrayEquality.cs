using System.Collections.Immutable;

namespace MigCompat.Core.Model;

/// <summary>
/// Value equality for the immutable arrays records hold: a record's generated equality compares an
/// <see cref="ImmutableArray{T}"/> by reference, so records that hold arrays use these instead. A
/// default (never set) array equals an empty one.
/// </summary>
public static class ArrayEquality
{
    /// <summary>True when both arrays hold equal items in the same order.</summary>
    public static bool Equal<T>(ImmutableArray<T> left, ImmutableArray<T> right) =>
        (left.IsDefault ? [] : left).AsSpan().SequenceEqual((right.IsDefault ? [] : right).AsSpan(), EqualityComparer<T>.Default);

    /// <summary>A hash of the items (and their count), for records that combine it with other members.</summary>
    public static int Hash<T>(ImmutableArray<T> items)
    {
        var hash = default(HashCode);
        Add(ref hash, items);
        return hash.ToHashCode();
    }

    /// <summary>Adds the items (and their count) to <paramref name="hash"/>.</summary>
    public static void Add<T>(ref HashCode hash, ImmutableArray<T> items)
    {
        var list = items.IsDefault ? [] : items;
        hash.Add(list.Length);
        foreach (var item in list)
        {
            hash.Add(item);
        }
    }
}
