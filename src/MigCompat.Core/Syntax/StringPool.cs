namespace MigCompat.Core.Syntax;

/// <summary>
/// A small per-thread intern table for the short names and values a parser reads again and again
/// (field names, device APIs, types): a repeated text is returned as the same string instead of a
/// new one. Bounded in entry count and length, so hostile input cannot make it grow without limit.
/// </summary>
internal static class StringPool
{
    /// <summary>Texts longer than this are not pooled.</summary>
    private const int MaxLength = 48;

    /// <summary>The most entries one thread keeps; later new texts are allocated but not added.</summary>
    private const int MaxEntries = 2048;

    [ThreadStatic]
    private static Dictionary<string, string>? table;

    /// <summary>The text as a string, shared with earlier equal texts on this thread when short.</summary>
    public static string Get(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return string.Empty;
        }

        if (text.Length > MaxLength)
        {
            return text.ToString();
        }

        var pool = table ??= new Dictionary<string, string>(64, StringComparer.Ordinal);
        var lookup = pool.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(text, out var existing))
        {
            return existing;
        }

        var created = text.ToString();
        if (pool.Count < MaxEntries)
        {
            pool.Add(created, created);
        }

        return created;
    }
}
