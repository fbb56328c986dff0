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
    private readonly Dictionary<string, SysfsEntryKind> byName;

    public SysfsDirectory(string path, IReadOnlyList<SysfsEntry> entries)
    {
        Path = path;
        Entries = entries;
        byName = new Dictionary<string, SysfsEntryKind>(entries.Count, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            byName[entry.Name] = entry.Kind;
        }
    }

    /// <summary>The directory, relative to the root, every component a real directory.</summary>
    public string Path { get; }

    /// <summary>The entries in name order.</summary>
    public IReadOnlyList<SysfsEntry> Entries { get; }

    /// <summary>True when the directory has an entry with this name.</summary>
    public bool Has(string name) => byName.ContainsKey(name);

    /// <summary>The kind of the named entry, or null when absent.</summary>
    public SysfsEntryKind? KindOf(string name) => byName.TryGetValue(name, out var kind) ? kind : null;

    /// <summary>The root-relative path of a child entry.</summary>
    public string ChildPath(string name) => Path.Length == 0 ? name : Path + "/" + name;
}
