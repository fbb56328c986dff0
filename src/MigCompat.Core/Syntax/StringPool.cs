using System.Runtime.CompilerServices;

namespace MigCompat.Core.Syntax;

/// <summary>
/// A small per-thread intern table for the short names and values a parser reads again and again
/// (field names, device APIs, types): a repeated text is returned as the same string instead of a
/// new one. Bounded in entry count, length and probe count, so hostile input can neither make it
/// grow without limit nor make a lookup slow (colliding texts are simply not pooled).
/// </summary>
internal static class StringPool
{
    /// <summary>Texts longer than this are not pooled.</summary>
    private const int MaxLength = 48;

    /// <summary>The most entries one thread keeps; later new texts are allocated but not added.</summary>
    private const int MaxEntries = 2048;

    /// <summary>The table size (a power of two, twice <see cref="MaxEntries"/>: at most half full).</summary>
    private const int Slots = MaxEntries * 2;

    /// <summary>The most slots one lookup looks at (open addressing, linear probing).</summary>
    private const int MaxProbes = 8;

    [ThreadStatic]
    private static Table? table;

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

        return (table ??= new Table()).Get(text);
    }

    /// <summary>An FNV-1a style hash over the UTF-16 code units (the text is at most <see cref="MaxLength"/> long).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(ReadOnlySpan<char> text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash ^ (hash >> 15);
    }

    /// <summary>One thread's table.</summary>
    private sealed class Table
    {
        private readonly string?[] entries = new string?[Slots];
        private int count;

        public string Get(ReadOnlySpan<char> text)
        {
            var slot = (int)Hash(text);
            for (var probe = 0; probe < MaxProbes; probe++, slot++)
            {
                slot &= Slots - 1;
                var entry = entries[slot];
                if (entry is null)
                {
                    var created = text.ToString();
                    if (count < MaxEntries)
                    {
                        entries[slot] = created;
                        count++;
                    }

                    return created;
                }

                if (entry.Length == text.Length && entry.AsSpan().SequenceEqual(text))
                {
                    return entry;
                }
            }

            return text.ToString();
        }
    }
}
