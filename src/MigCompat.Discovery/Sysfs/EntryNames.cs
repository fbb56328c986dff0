using System.Text;

namespace MigCompat.Discovery.Sysfs;

/// <summary>
/// One string per recurring directory entry name (<c>mdev_type</c>, <c>uevent</c>, <c>iommu_group</c>,
/// a type id...) for one scanning thread, so that listing thousands of device directories does not
/// make thousands of copies of the same few names. Long names (UUIDs, which do not recur) and names
/// beyond a bound are not kept. Not thread-safe: one per thread.
/// </summary>
internal sealed class EntryNames
{
    /// <summary>Names longer than this (in UTF-8 bytes) are not kept: a 36-character UUID never recurs.</summary>
    private const int MaxKeptBytes = 32;

    /// <summary>At most this many names are kept.</summary>
    private const int MaxKept = 4096;

    private readonly HashSet<string> kept = new(StringComparer.Ordinal);

    /// <summary>The name for these UTF-8 bytes (invalid bytes replaced, as <see cref="Encoding.UTF8"/> does).</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxKeptBytes)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        Span<char> chars = stackalloc char[MaxKeptBytes];
        var name = chars[..Encoding.UTF8.GetChars(utf8, chars)];
        if (kept.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out var known))
        {
            return known;
        }

        var created = new string(name);
        if (kept.Count < MaxKept)
        {
            kept.Add(created);
        }

        return created;
    }
}
