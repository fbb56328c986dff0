using System.Globalization;

namespace MigCompat.Discovery.Sysfs;

/// <summary>
/// Read-only access to a sysfs tree that never leaves its root. Links are resolved here, by hand:
/// each target is read with <c>readlink</c>, taken relative to the link's own (already resolved)
/// directory, normalized component by component, and rejected when it climbs above the root or
/// is absolute and not under the root. At most <see cref="SysfsScanOptions.MaxLinkHops"/> links
/// are followed per path, so loops end. Every failure becomes a warning; nothing here throws.
/// Paths passed around are relative to the root with <c>/</c> separators, every component a real
/// directory or file (never a link).
/// </summary>
internal sealed class SysfsTree : IDisposable
{
    /// <summary>At most this many directory descriptors are kept open (least recently used closed first).</summary>
    private const int MaxOpenDirectories = 32;

    private readonly string root;
    private readonly string displayRoot;
    private readonly SysfsScanOptions options;
    private readonly ScanWarnings warnings;
    private readonly HashSet<string> stalledDirectories = new(StringComparer.Ordinal);

    /// <summary>Root-relative paths known to be real directories (not links): resolution skips their readlink.</summary>
    private readonly HashSet<string> realDirectories = new(StringComparer.Ordinal) { string.Empty };

    /// <summary>Directories listed so far, by physical path: listed once per scan, and their entry kinds spare resolution a readlink per component.</summary>
    private readonly Dictionary<string, SysfsDirectory> listings = new(StringComparer.Ordinal);

    /// <summary>Attribute reads by physical path: finished (a type's attributes are read once, not once per instance) or queued on the reader thread by <see cref="Prefetch"/>.</summary>
    private readonly Dictionary<string, PendingRead> reads = new(StringComparer.Ordinal);

    /// <summary>The component stack of <see cref="Resolve"/> (not re-entrant), reused.</summary>
    private readonly Stack<string> pending = new();

    /// <summary>The names <see cref="Prefetch"/> queues on the reader thread, reused.</summary>
    private readonly List<string> prefetchPaths = [];

    /// <summary>
    /// Open descriptors of real directories (see <see cref="OpenDirectories"/>): listings, link reads and
    /// <c>devices/</c> counts walk one component. Bounded; closed by <see cref="Dispose"/>.
    /// </summary>
    private readonly OpenDirectories handles;

    /// <summary>Recurring entry names, one string each.</summary>
    private readonly EntryNames entryNames = new();

    /// <summary>The <c>getdents64</c> buffer, reused.</summary>
    private byte[]? direntBuffer;

    /// <summary>The scan's attribute reads, on one dedicated thread; started on the first read, retired by <see cref="Dispose"/>.</summary>
    private AttributeReaderThread? reader;

    public SysfsTree(SysfsScanOptions options, ScanWarnings warnings)
    {
        this.options = options;
        this.warnings = warnings;
        displayRoot = options.SysfsRoot.Length > 1 ? options.SysfsRoot.TrimEnd('/') : options.SysfsRoot;
        root = Canonicalize(options.SysfsRoot);
        handles = new OpenDirectories(root, MaxOpenDirectories);
    }

    /// <summary>True when the root exists and is a directory.</summary>
    public bool RootExists => Directory.Exists(root);

    /// <summary>The path as shown in warnings: the root as the caller gave it, then the relative path.</summary>
    public string Display(string relativePath) =>
        relativePath.Length == 0 ? displayRoot : displayRoot.TrimEnd('/') + "/" + relativePath;

    /// <summary>The path of an entry as shown in warnings: <see cref="Display(string)"/> of <paramref name="directory"/>/<paramref name="name"/>, built once.</summary>
    public string Display(string directory, string name) => string.Concat([displayRoot.TrimEnd('/'), "/", directory, "/", name]);

    /// <summary>The absolute path of a resolved relative path.</summary>
    public string FullPath(string relativePath) => relativePath.Length == 0 ? root : root + "/" + relativePath;

    /// <summary>Lists a directory given by a root-relative path that may contain links; null (no warning) when absent.</summary>
    public SysfsDirectory? OpenDirectory(string relativePath)
    {
        var resolved = Resolve(string.Empty, relativePath, relativePath, warnIfMissing: false);
        return resolved is null ? null : List(resolved, relativePath, warnIfMissing: false);
    }

    /// <summary>
    /// Opens a child directory (a real directory or a link to one) of a listed directory; null when it
    /// is absent, not a directory, or its link is rejected (with a warning when something is wrong).
    /// </summary>
    public SysfsDirectory? OpenChild(SysfsDirectory parent, string name)
    {
        var physical = ResolveChild(parent, name);
        return physical is null ? null : List(physical, parent.ChildPath(name), warnIfMissing: true);
    }

    /// <summary>Resolves a child entry (following it when it is a link) to a root-relative physical path; null when absent or rejected.</summary>
    public string? ResolveChild(SysfsDirectory parent, string name)
    {
        var kind = parent.KindOf(name);
        if (kind is null)
        {
            return null;
        }

        return kind == SysfsEntryKind.Link ? Resolve(parent.Path, name, logicalPath: null, warnIfMissing: true) : parent.ChildPath(name);
    }

    /// <summary>
    /// The last component of a link's target, without following it (how sysfs names a bound
    /// <c>driver</c>, an <c>iommu_group</c>, a <c>physfn</c>). Null when the entry is absent or not a link.
    /// </summary>
    public string? LinkName(SysfsDirectory directory, string name)
    {
        if (directory.KindOf(name) != SysfsEntryKind.Link)
        {
            return null;
        }

        var target = directory.KnownLinkTarget(name) ?? ReadLink(directory.Path, name, null);
        if (target is null)
        {
            return null;
        }

        var trimmed = target.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        var last = slash < 0 ? trimmed : trimmed[(slash + 1)..];
        return last.Length == 0 || last is "." or ".." ? null : last;
    }

    /// <summary>
    /// Reads an attribute of a listed directory: at most <see cref="SysfsScanOptions.MaxAttributeBytes"/>,
    /// within <see cref="SysfsScanOptions.ReadTimeout"/>, trailing whitespace removed. Null (silently)
    /// when the attribute is absent or write-only (mode 0200); null with a warning when it cannot be read.
    /// </summary>
    public string? ReadText(SysfsDirectory directory, string name)
    {
        var kind = directory.KindOf(name);
        if (kind is null or SysfsEntryKind.Directory)
        {
            return null;
        }

        var physical = kind == SysfsEntryKind.Link ? ResolveChild(directory, name) : directory.ChildPath(name);
        if (physical is null)
        {
            return null;
        }

        var shown = Display(directory.ChildPath(name));
        if (stalledDirectories.Contains(directory.Path))
        {
            warnings.Add(SysfsWarningCodes.ReadTimedOut, shown, "not read: an earlier attribute in this directory did not answer in time, so the directory is treated as stalled");
            return null;
        }

        AttributeRead result;
        if (reads.TryGetValue(physical, out var known))
        {
            result = known.Batch is null ? known.Result : known.Batch.Wait(known.Index, options.ReadTimeout);
        }
        else
        {
            result = (reader ??= new AttributeReaderThread()).Read(FullPath(physical), options.MaxAttributeBytes, options.ReadTimeout);
        }

        if (result.Status == AttributeReadStatus.TimedOut)
        {
            reads.Remove(physical);
        }
        else if (known.Batch is not null || !reads.ContainsKey(physical))
        {
            reads[physical] = new PendingRead(null, 0, result);
        }

        switch (result.Status)
        {
            case AttributeReadStatus.Ok:
                return result.Text!.TrimEnd();
            case AttributeReadStatus.Missing:
                warnings.Add(SysfsWarningCodes.Vanished, shown, $"listed but gone when read ({result.Reason}); the device was probably removed during the scan");
                return null;
            case AttributeReadStatus.TooLarge:
                warnings.Add(SysfsWarningCodes.AttributeTooLarge, shown, $"skipped: {result.Reason} (the limit is MaxAttributeBytes = {options.MaxAttributeBytes}); a sysfs attribute this large is not a value this tool understands");
                return null;
            case AttributeReadStatus.WriteOnly:
                // An action (create, remove, assign_adapter), not a value: as if absent, no warning.
                return null;
            case AttributeReadStatus.Denied:
                warnings.Add(SysfsWarningCodes.PermissionDenied, shown, $"permission denied ({result.Reason}); run the scan as a user that can read it, or the value stays unknown");
                return null;
            case AttributeReadStatus.TimedOut:
                stalledDirectories.Add(directory.Path);
                warnings.Add(SysfsWarningCodes.ReadTimedOut, shown, $"read abandoned: {result.Reason}; the driver did not answer, the value stays unknown");
                return null;
            default:
                warnings.Add(SysfsWarningCodes.IoError, shown, $"read failed: {result.Reason}");
                return null;
        }
    }

    /// <summary>
    /// Hands the named attributes of a listed directory (those that are files in it, not links, not
    /// read yet) to the reader thread as one batch, in this order, so that the <see cref="ReadText"/> calls that follow cost
    /// one thread hand-off together instead of one each. Each still has its own
    /// <see cref="SysfsScanOptions.ReadTimeout"/>, warnings are given when the value is taken, and a name
    /// that is then never taken was read for nothing (reading a sysfs attribute changes nothing). List
    /// the names in the order the caller takes them: the reader reads in that order.
    /// </summary>
    public void Prefetch(SysfsDirectory directory, ReadOnlySpan<string> names)
    {
        if (stalledDirectories.Contains(directory.Path))
        {
            return;
        }

        prefetchPaths.Clear();
        foreach (var name in names)
        {
            if (directory.KindOf(name) == SysfsEntryKind.File)
            {
                var physical = directory.ChildPath(name);
                if (!reads.ContainsKey(physical))
                {
                    prefetchPaths.Add(physical);
                }
            }
        }

        if (prefetchPaths.Count == 0)
        {
            return;
        }

        var fullPaths = new string[prefetchPaths.Count];
        for (var i = 0; i < fullPaths.Length; i++)
        {
            fullPaths[i] = FullPath(prefetchPaths[i]);
        }

        var batch = (reader ??= new AttributeReaderThread()).Start(fullPaths, options.MaxAttributeBytes);
        for (var i = 0; i < fullPaths.Length; i++)
        {
            reads[prefetchPaths[i]] = new PendingRead(batch, i, default);
        }
    }

    /// <summary>
    /// Drops a listed directory and its finished reads from the scan's caches (an mdev instance, once
    /// read: nothing else resolves through it or reads it again), so they do not outlive it.
    /// </summary>
    public void Forget(SysfsDirectory directory)
    {
        listings.Remove(directory.Path);
        realDirectories.Remove(directory.Path);
        handles.Close(directory.Path);
        if (reads.Count == 0)
        {
            return;
        }

        // Keys built in a buffer: no string per entry.
        var lookup = reads.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<char> key = stackalloc char[256];
        foreach (var entry in directory.Entries)
        {
            if (entry.Kind != SysfsEntryKind.File)
            {
                continue;
            }

            var length = directory.Path.Length + 1 + entry.Name.Length;
            if (directory.Path.Length == 0 || length > key.Length)
            {
                reads.Remove(directory.ChildPath(entry.Name));
                continue;
            }

            directory.Path.CopyTo(key);
            key[directory.Path.Length] = '/';
            entry.Name.CopyTo(key[(directory.Path.Length + 1)..]);
            lookup.Remove(key[..length]);
        }
    }

    /// <summary>Reads an attribute that must be a decimal integer; null (with a warning when malformed) otherwise.</summary>
    public int? ReadInt(SysfsDirectory directory, string name)
    {
        var text = ReadText(directory, name);
        if (text is null)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        warnings.Add(SysfsWarningCodes.MalformedValue, Display(directory.ChildPath(name)), $"expected a decimal integer, found \"{Shorten(text)}\"; the value is treated as unknown");
        return null;
    }

    /// <summary>How many entries a child directory has (names only, nothing resolved); 0 when absent or unreadable (with a warning).</summary>
    public int CountEntries(SysfsDirectory parent, string name)
    {
        var physical = ResolveChild(parent, name);
        if (physical is null)
        {
            return 0;
        }

        if (NativeFs.AtSupported && CountAt(physical) is var counted and >= 0)
        {
            return counted;
        }

        if (NativeFs.IsSupported && NativeFs.Count(FullPath(physical), out _) is var count and >= 0)
        {
            return count;
        }

        // Native listing failed (or is not available): the managed listing reports why.
        try
        {
            return new System.IO.Enumeration.FileSystemEnumerable<bool>(
                FullPath(physical),
                static (ref System.IO.Enumeration.FileSystemEntry _) => true,
                new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false }).Count();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            warnings.Add(SysfsWarningCodes.IoError, Display(parent.ChildPath(name)), $"cannot list the directory: {ex.Message}");
            return 0;
        }
    }

    /// <summary>
    /// Lists a real directory (a root-relative physical path) when that works through descriptors, with
    /// no warning when it does not (null): for reading ahead; <see cref="List"/> then reports the failure.
    /// </summary>
    public SysfsDirectory? ListQuietly(string physicalPath) =>
        listings.TryGetValue(physicalPath, out var listed) ? listed
            : NativeFs.AtSupported && ListAt(physicalPath) is { } entries ? Listed(physicalPath, entries)
            : null;

    /// <summary>Lists a resolved directory; entries sorted by name (ordinal) so scans are deterministic.</summary>
    public SysfsDirectory? List(string physicalPath, string logicalPath, bool warnIfMissing)
    {
        if (listings.TryGetValue(physicalPath, out var listed))
        {
            return listed;
        }

        if (NativeFs.AtSupported && ListAt(physicalPath) is { } listedAt)
        {
            return Listed(physicalPath, listedAt);
        }

        if (NativeFs.IsSupported)
        {
            // Names and kinds straight from the directory entries (d_type): no stat per entry.
            var nativeEntries = new List<SysfsEntry>();
            if (NativeFs.List(FullPath(physicalPath), nativeEntries) == 0)
            {
                return Listed(physicalPath, nativeEntries);
            }

            // Failed: the managed listing below fails the same way and gives the system's message.
        }

        var shown = Display(logicalPath);
        try
        {
            var entries = new List<SysfsEntry>();
            var enumeration = new System.IO.Enumeration.FileSystemEnumerable<SysfsEntry>(
                FullPath(physicalPath),
                static (ref System.IO.Enumeration.FileSystemEntry entry) => new SysfsEntry(
                    entry.FileName.ToString(),
                    (entry.Attributes & FileAttributes.ReparsePoint) != 0 ? SysfsEntryKind.Link
                        : entry.IsDirectory ? SysfsEntryKind.Directory
                        : SysfsEntryKind.File),
                new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false, RecurseSubdirectories = false, ReturnSpecialDirectories = false });
            entries.AddRange(enumeration);
            return Listed(physicalPath, entries);
        }
        catch (DirectoryNotFoundException ex)
        {
            if (warnIfMissing)
            {
                warnings.Add(SysfsWarningCodes.Vanished, shown, $"directory gone when listed ({ex.Message}); the device was probably removed during the scan");
            }

            return null;
        }
        catch (UnauthorizedAccessException ex)
        {
            warnings.Add(SysfsWarningCodes.PermissionDenied, shown, $"cannot list the directory: {ex.Message}");
            return null;
        }
        catch (IOException ex)
        {
            // Listing a file as a directory lands here too (ENOTDIR).
            warnings.Add(SysfsWarningCodes.IoError, shown, $"cannot list the directory: {ex.Message}");
            return null;
        }
    }

    /// <summary>
    /// Starts reading ahead, on <see cref="SysfsScanOptions.ProbeThreads"/> background threads, the
    /// directories the entries of <paramref name="bus"/> lead to and the named links in them (see
    /// <see cref="LinkedDirectoryProbe"/>); take entry <c>i</c> with <see cref="LinkedDirectoryProbe.Take"/>
    /// before resolving it.
    /// </summary>
    public LinkedDirectoryProbe StartProbe(SysfsDirectory bus, string[] linkNames) =>
        LinkedDirectoryProbe.Start(this, bus, root, linkNames, options);

    /// <summary>What a probe found for entry <paramref name="index"/> of <paramref name="bus"/>: its link target, and the listing (with link targets) of the real directory it leads to.</summary>
    internal void Install(SysfsDirectory bus, int index, ProbedDirectory probed)
    {
        if (probed.LinkTarget is not null)
        {
            bus.RememberLinkTarget(index, probed.LinkTarget);
        }

        if (listings.ContainsKey(probed.PhysicalPath))
        {
            return;
        }

        var directory = Listed(probed.PhysicalPath, probed.SortedEntries, sorted: true);
        var linkNames = probed.LinkNames;
        for (var i = 0; i < linkNames.Count; i++)
        {
            if (probed.LinkTargets[i] is { } target)
            {
                directory.RememberLinkTarget(directory.IndexOf(linkNames[i]), target);
            }
        }
    }

    private SysfsDirectory Listed(string physicalPath, List<SysfsEntry> entries, bool sorted = false)
    {
        if (!sorted)
        {
            entries.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        }

        realDirectories.Add(physicalPath);
        var directory = new SysfsDirectory(physicalPath, entries);
        listings[physicalPath] = directory;
        options.AfterListing?.Invoke(physicalPath);
        return directory;
    }

    /// <summary>
    /// Resolves <paramref name="tail"/> (relative, or absolute under the root) starting in the physical
    /// directory <paramref name="basePath"/>; null with a warning when a link escapes, loops or dangles.
    /// </summary>
    private string? Resolve(string basePath, string tail, string? logicalPath, bool warnIfMissing)
    {
        // current: the physical path so far, every component a real directory or file (or absent).
        // state: whether current is known to exist (from its directory's listing), known absent, or unknown.
        var current = basePath;
        var state = PathState.Exists;
        pending.Clear();
        PushComponents(pending, tail);
        var hops = 0;
        while (pending.Count > 0)
        {
            var component = pending.Pop();
            if (component.Length == 0 || component == ".")
            {
                continue;
            }

            if (component == "..")
            {
                if (current.Length == 0)
                {
                    warnings.Add(SysfsWarningCodes.LinkEscapesRoot, Shown(), "a link climbs above the sysfs root; it was not followed");
                    return null;
                }

                var slash = current.LastIndexOf('/');
                current = slash < 0 ? string.Empty : current[..slash];
                state = PathState.Unknown;
                continue;
            }

            string? known = null;
            string? candidate = null;
            if (listings.TryGetValue(current, out var listing))
            {
                // The directory was listed: its entry says whether the component is a link, without a readlink.
                var kind = listing.KindOf(component);
                if (kind != SysfsEntryKind.Link)
                {
                    current = Join(current, component);
                    state = kind is null ? PathState.Absent : PathState.Exists;
                    continue;
                }

                known = listing.KnownLinkTarget(component);
            }
            else
            {
                candidate = Join(current, component);
                if (realDirectories.Contains(candidate))
                {
                    current = candidate;
                    state = PathState.Exists;
                    continue;
                }
            }

            var target = known ?? ReadLink(current, component, candidate);
            if (target is null)
            {
                current = candidate ?? Join(current, component);
                state = PathState.Unknown;
                continue;
            }

            if (++hops > options.MaxLinkHops)
            {
                warnings.Add(SysfsWarningCodes.LinkLoop, Shown(), $"more than {options.MaxLinkHops} links while resolving (a link loop?); it was not followed");
                return null;
            }

            if (pending.Count == 0 && KnownPlainTarget(current, target) is { } physical)
            {
                // The common case (a device's link to its directory, an mdev_type link): no components to walk.
                return physical;
            }

            if (target.StartsWith('/'))
            {
                var canonicalTarget = target.TrimEnd('/');
                if (canonicalTarget != root && !canonicalTarget.StartsWith(root + "/", StringComparison.Ordinal))
                {
                    warnings.Add(SysfsWarningCodes.LinkEscapesRoot, Shown(), $"a link points to \"{Shorten(target)}\", outside the sysfs root {root}; it was not followed");
                    return null;
                }

                current = string.Empty;
                state = PathState.Exists;
                PushComponents(pending, canonicalTarget[root.Length..]);
            }
            else
            {
                PushComponents(pending, target);
            }
        }

        if (state == PathState.Exists || realDirectories.Contains(current) || listings.ContainsKey(current))
        {
            return current;
        }

        if (state == PathState.Absent || !Path.Exists(FullPath(current)))
        {
            if (warnIfMissing)
            {
                warnings.Add(SysfsWarningCodes.DanglingLink, Shown(), "the link points to nothing (dangling, or its target was removed during the scan)");
            }

            return null;
        }

        // Every proper prefix of an existing path whose components are no links is a real directory.
        for (var slash = current.IndexOf('/'); slash >= 0; slash = current.IndexOf('/', slash + 1))
        {
            realDirectories.Add(current[..slash]);
        }

        return current;

        // The path as the caller named it (for warnings): null means base/tail, built only when a warning needs it.
        string Shown() => Display(logicalPath ?? Join(basePath, tail));
    }

    /// <summary>
    /// Where a link in the physical directory <paramref name="directory"/> leads, when its target is plain
    /// (see <see cref="LinkedDirectoryProbe.PlainTarget(string, string, string)"/>) and the path it names is already known to be
    /// physical and to exist: listed, a known real directory, or an entry (not a link) of a listed
    /// directory. Then following it component by component gives exactly that path. Null otherwise.
    /// </summary>
    private string? KnownPlainTarget(string directory, string target)
    {
        var needed = directory.Length + target.Length + 1;
        var buffer = needed <= 512 ? stackalloc char[512] : new char[needed];
        var length = LinkedDirectoryProbe.PlainTarget(directory, target, root, buffer);
        if (length < 0)
        {
            return null;
        }

        // The path's own string when the tree already holds one: nothing is allocated.
        var path = buffer[..length];
        if (listings.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(path, out var listedPath, out _)
            || realDirectories.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(path, out listedPath))
        {
            return listedPath;
        }

        var slash = path.LastIndexOf('/');
        return listings.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(slash < 0 ? [] : path[..slash], out var parent)
            && parent.KindOf(path[(slash + 1)..]) is SysfsEntryKind.File or SysfsEntryKind.Directory
            ? new string(path)
            : null;
    }

    private static string Join(string directory, string name) => directory.Length == 0 ? name : string.Concat(directory, "/", name);

    /// <summary>Pushes the components of <paramref name="path"/>, last first (so the first is popped first); empty ones and "." are skipped, no array is built.</summary>
    private static void PushComponents(Stack<string> pending, string path)
    {
        var end = path.Length;
        for (var i = path.Length - 1; i >= -1; i--)
        {
            if (i >= 0 && path[i] != '/')
            {
                continue;
            }

            var length = end - i - 1;
            if (length == 2 && path[i + 1] == '.' && path[i + 2] == '.')
            {
                pending.Push("..");
            }
            else if (length > 0 && !(length == 1 && path[i + 1] == '.'))
            {
                pending.Push(length == path.Length ? path : path.Substring(i + 1, length));
            }

            end = i;
        }
    }

    /// <summary>Closes every open directory descriptor and retires the reader thread. The tree is not used afterwards.</summary>
    public void Dispose()
    {
        handles.Dispose();
        reader?.Dispose();
    }

    /// <summary>
    /// The target text of the link <paramref name="name"/> in the real directory <paramref name="directoryPath"/>
    /// (<paramref name="relativePath"/> is the two joined, or null to join them here when needed), or null
    /// when it is not a link (or cannot be read). Relative to the directory's descriptor when one is open.
    /// </summary>
    private string? ReadLink(string directoryPath, string name, string? relativePath)
    {
        if (NativeFs.AtSupported && handles.Find(directoryPath) is { } handle)
        {
            return NativeFs.ReadLinkAt(handle.Fd, name);
        }

        return ReadLink(relativePath ?? (directoryPath.Length == 0 ? name : string.Concat(directoryPath, "/", name)));
    }

    /// <summary>Lists a real directory through its descriptor (opened and kept); null when that fails (the caller then lists by path, which reports why).</summary>
    private List<SysfsEntry>? ListAt(string physicalPath)
    {
        var handle = handles.Open(physicalPath);
        if (handle is null)
        {
            return null;
        }

        if (handle.Listed && !NativeFs.Rewind(handle.Fd))
        {
            return null;
        }

        handle.Listed = true;
        var entries = new List<SysfsEntry>();
        direntBuffer ??= new byte[32 * 1024];
        return NativeFs.ListAt(handle.Fd, root, physicalPath, entries, direntBuffer, entryNames, out _) >= 0 ? entries : null;
    }

    /// <summary>Counts the entries of a real directory, opened from its parent's descriptor and closed again (not kept); -1 when that fails.</summary>
    private int CountAt(string physicalPath)
    {
        var slash = physicalPath.LastIndexOf('/');
        var parent = handles.Open(slash < 0 ? string.Empty : physicalPath.AsSpan(0, slash));
        if (parent is null)
        {
            return -1;
        }

        var fd = NativeFs.OpenDirectoryAt(parent.Fd, physicalPath.AsSpan(slash + 1));
        if (fd < 0)
        {
            return -1;
        }

        try
        {
            direntBuffer ??= new byte[32 * 1024];
            return NativeFs.ListAt(fd, root, physicalPath, null, direntBuffer, null, out _);
        }
        finally
        {
            NativeFs.Close(fd);
        }
    }

    /// <summary>The target text of a link, or null when the path is not a link (or cannot be read).</summary>
    private string? ReadLink(string relativePath)
    {
        if (NativeFs.IsSupported)
        {
            return NativeFs.ReadLink(root, relativePath);
        }

        try
        {
            return new FileInfo(FullPath(relativePath)).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            warnings.Add(SysfsWarningCodes.IoError, Display(relativePath), $"cannot read the link: {ex.Message}");
            return null;
        }
    }

    private static string Canonicalize(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            var target = Directory.ResolveLinkTarget(full, returnFinalTarget: true);
            if (target is not null)
            {
                full = Path.GetFullPath(target.FullName);
            }
        }
        catch (IOException)
        {
            // A root that is not a link, or cannot be resolved: keep it as given; RootExists reports it.
        }

        return full.Length > 1 ? full.TrimEnd('/') : full;
    }

    internal static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");

    /// <summary>What <see cref="Resolve"/> knows about the path so far.</summary>
    private enum PathState
    {
        /// <summary>It exists (its directory's listing has it, or it is a known real directory).</summary>
        Exists,

        /// <summary>Its directory's listing does not have it.</summary>
        Absent,

        /// <summary>Not known: checked at the end.</summary>
        Unknown,
    }

    /// <summary>An attribute read: finished (<see cref="Batch"/> null, <see cref="Result"/>) or item <see cref="Index"/> of a reader batch.</summary>
    private readonly record struct PendingRead(AttributeBatch? Batch, int Index, AttributeRead Result);
}
