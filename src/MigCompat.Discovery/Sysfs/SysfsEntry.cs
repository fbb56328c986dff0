namespace MigCompat.Discovery.Sysfs;

/// <summary>What a directory entry is, as listed (links are not followed to decide).</summary>
internal enum SysfsEntryKind
{
    /// <summary>A regular file (or another non-directory, non-link entry).</summary>
    File,

    /// <summary>A real directory.</summary>
    Directory,

    /// <summary>A symbolic link; resolve it with <see cref="SysfsTree"/> before use.</summary>
    Link,
}

/// <summary>One entry of a listed sysfs directory.</summary>
/// <param name="Name">The entry's file name.</param>
/// <param name="Kind">What the entry is.</param>
internal readonly record struct SysfsEntry(string Name, SysfsEntryKind Kind);

/// <summary>
/// The entries of one resolved directory, listed once so that absent optional attributes cost no
/// system call (and no exception). <see cref="Path"/> is relative to the sysfs root, links resolved.
/// </summary>
internal sealed class SysfsDirectory
{
    private readonly List<SysfsEntry> entries;

    /// <summary>Wraps a listing; <paramref name="sortedEntries"/> must be in ordinal name order (looked up by binary search).</summary>
    public SysfsDirectory(string path, List<SysfsEntry> sortedEntries)
    {
        Path = path;
        entries = sortedEntries;
    }

    /// <summary>The directory, relative to the root, every component a real directory.</summary>
    public string Path { get; }

    /// <summary>The entries in name order.</summary>
    public IReadOnlyList<SysfsEntry> Entries => entries;

    /// <summary>True when the directory has an entry with this name.</summary>
    public bool Has(string name) => IndexOf(name) >= 0;

    /// <summary>The kind of the named entry, or null when absent.</summary>
    public SysfsEntryKind? KindOf(ReadOnlySpan<char> name) => IndexOf(name) is var i and >= 0 ? entries[i].Kind : null;

    /// <summary>The root-relative path of a child entry.</summary>
    public string ChildPath(string name) => Path.Length == 0 ? name : string.Concat(Path, "/", name);

    /// <summary>The index of the entry named <paramref name="name"/>, or -1.</summary>
    private int IndexOf(ReadOnlySpan<char> name)
    {
        var low = 0;
        var high = entries.Count - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var order = entries[middle].Name.AsSpan().SequenceCompareTo(name);
            if (order == 0)
            {
                return middle;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return -1;
    }
}
