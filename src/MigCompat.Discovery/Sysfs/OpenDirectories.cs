namespace MigCompat.Discovery.Sysfs;

/// <summary>
/// Open descriptors of real directories of a sysfs tree, by root-relative physical path (the root is
/// ""), so that listings, link reads and child opens walk one component (<c>openat</c>,
/// <c>readlinkat</c>) instead of the whole absolute path. Each is opened from its parent's descriptor
/// with <c>O_NOFOLLOW|O_DIRECTORY</c>, so only components that are real directories are ever entered:
/// one that is (or has become) a link fails to open. At most <c>capacity</c> are open (least recently
/// used closed first). Not thread-safe: one per thread.
/// </summary>
internal sealed class OpenDirectories(string root, int capacity) : IDisposable
{
    private readonly Dictionary<string, OpenDirectory> open = new(StringComparer.Ordinal);

    /// <summary>Use counter for the least-recently-used order.</summary>
    private long clock;

    /// <summary>The open descriptor of the directory when there is one (nothing is opened).</summary>
    public OpenDirectory? Find(string physicalPath)
    {
        if (!open.TryGetValue(physicalPath, out var known))
        {
            return null;
        }

        known.LastUse = ++clock;
        return known;
    }

    /// <summary>
    /// The descriptor of the real directory at <paramref name="physicalPath"/>, opening it from its
    /// parent's (recursively up to the root) when needed; null when a component cannot be opened as a
    /// real directory.
    /// </summary>
    public OpenDirectory? Open(ReadOnlySpan<char> physicalPath)
    {
        var lookup = open.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(physicalPath, out var known))
        {
            known.LastUse = ++clock;
            return known;
        }

        int fd;
        if (physicalPath.Length == 0)
        {
            fd = NativeFs.OpenDirectoryPath(root);
        }
        else
        {
            var slash = physicalPath.LastIndexOf('/');
            var parent = Open(slash < 0 ? [] : physicalPath[..slash]);
            if (parent is null)
            {
                return null;
            }

            fd = NativeFs.OpenDirectoryAt(parent.Fd, physicalPath[(slash + 1)..]);
        }

        if (fd < 0)
        {
            return null;
        }

        if (open.Count >= capacity)
        {
            var oldest = string.Empty;
            var oldestUse = long.MaxValue;
            foreach (var (path, directory) in open)
            {
                if (directory.LastUse < oldestUse)
                {
                    oldest = path;
                    oldestUse = directory.LastUse;
                }
            }

            Close(oldest);
        }

        var handle = new OpenDirectory(fd) { LastUse = ++clock };
        lookup[physicalPath] = handle;
        return handle;
    }

    /// <summary>Closes the directory's descriptor when it is open.</summary>
    public void Close(string physicalPath)
    {
        if (open.Remove(physicalPath, out var handle))
        {
            NativeFs.Close(handle.Fd);
        }
    }

    /// <summary>Closes every descriptor.</summary>
    public void Dispose()
    {
        foreach (var handle in open.Values)
        {
            NativeFs.Close(handle.Fd);
        }

        open.Clear();
    }
}

/// <summary>An open directory descriptor of <see cref="OpenDirectories"/>.</summary>
internal sealed class OpenDirectory(int fd)
{
    /// <summary>The descriptor.</summary>
    public int Fd { get; } = fd;

    /// <summary>When it was last used (least recently used is closed first).</summary>
    public long LastUse { get; set; }

    /// <summary>True once listed: a second listing rewinds first.</summary>
    public bool Listed { get; set; }
}
