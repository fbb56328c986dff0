using System.Globalization;
using System.IO.Enumeration;
using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Files;

namespace MigCompat.Discovery.Sysfs;

/// <summary>
/// Read-only access to a sysfs tree that never leaves its root, with plain .NET file I/O. Links are
/// resolved here, by hand (docs/discovery.md, "Link rules"): each target is read as text, taken
/// relative to the link's own (already resolved) directory, normalized component by component, and
/// rejected when it climbs above the root or is absolute and not under the root. At most
/// <see cref="SysfsScanOptions.MaxLinkHops"/> links are followed per path, so loops end. Every failure
/// becomes a warning; nothing here throws. Paths passed around are relative to the root with <c>/</c>
/// separators, every component a real directory or file (never a link).
/// </summary>
internal sealed class SysfsTree
{
    private static readonly EnumerationOptions ListingOptions = new()
    {
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    private readonly string root;
    private readonly string displayRoot;
    private readonly SysfsScanOptions options;
    private readonly ScanWarnings warnings;
    private readonly HashSet<string> stalledDirectories = new(StringComparer.Ordinal);

    /// <summary>Root-relative paths known to be real directories (not links): resolution reads no link there.</summary>
    private readonly HashSet<string> realDirectories = new(StringComparer.Ordinal) { string.Empty };

    /// <summary>Directories listed so far, by physical path: listed once per scan, and their entry kinds spare resolution a link read per component.</summary>
    private readonly Dictionary<string, SysfsDirectory> listings = new(StringComparer.Ordinal);

    /// <summary>Finished attribute reads by physical path: a type's attributes are read once, not once per instance.</summary>
    private readonly Dictionary<string, AttributeRead> reads = new(StringComparer.Ordinal);

    public SysfsTree(SysfsScanOptions options, ScanWarnings warnings)
    {
        this.options = options;
        this.warnings = warnings;
        displayRoot = options.SysfsRoot.Length > 1 ? options.SysfsRoot.TrimEnd('/') : options.SysfsRoot;
        root = Canonicalize(options.SysfsRoot);
    }

    /// <summary>True when the root exists and is a directory.</summary>
    public bool RootExists => Directory.Exists(root);

    /// <summary>The path as shown in warnings: the root as the caller gave it, then the relative path.</summary>
    public string Display(string relativePath) =>
        relativePath.Length == 0 ? displayRoot : displayRoot.TrimEnd('/') + "/" + relativePath;

    /// <summary>The path of an entry as shown in warnings: <see cref="Display(string)"/> of <paramref name="directory"/>/<paramref name="name"/>.</summary>
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
        if (directory.KindOf(name) != SysfsEntryKind.Link || ReadLink(directory.ChildPath(name)) is not { } target)
        {
            return null;
        }

        var trimmed = target.TrimEnd('/');
        var last = trimmed[(trimmed.LastIndexOf('/') + 1)..];
        return last.Length == 0 || last is "." or ".." ? null : last;
    }

    /// <summary>
    /// Reads an attribute of a listed directory: at most <see cref="SysfsScanOptions.MaxAttributeBytes"/>,
    /// within <see cref="SysfsScanOptions.ReadTimeout"/>, trailing whitespace removed. Null (silently)
    /// when the attribute is absent or write-only (mode 0200); null with a warning when it cannot be read.
    /// After a read times out, the rest of its directory is not read (one timeout per stalled device).
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

        if (!reads.TryGetValue(physical, out var result))
        {
            // Strict: two different non-UTF-8 values must never read as the same text (U+FFFD) and compare equal.
            result = AttributeReader.Read(FullPath(physical), options.MaxAttributeBytes, options.ReadTimeout, strictUtf8: true);
            if (result.Status != AttributeReadStatus.TimedOut)
            {
                reads[physical] = result;
            }
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
            case AttributeReadStatus.NotUtf8:
                warnings.Add(SysfsWarningCodes.MalformedValue, shown, $"not text: {result.Reason}; the value stays unknown");
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
    /// Drops a listed directory and its finished reads from the scan's caches (an mdev instance, once
    /// read: nothing else resolves through it or reads it again), so they do not outlive it.
    /// </summary>
    public void Forget(SysfsDirectory directory)
    {
        listings.Remove(directory.Path);
        realDirectories.Remove(directory.Path);
        foreach (var entry in directory.Entries)
        {
            if (entry.Kind == SysfsEntryKind.File)
            {
                reads.Remove(directory.ChildPath(entry.Name));
            }
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

        warnings.Add(SysfsWarningCodes.MalformedValue, Display(directory.ChildPath(name)), $"expected a decimal integer, found \"{ScanWarnings.Shorten(text)}\"; the value is treated as unknown");
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

        try
        {
            return Directory.EnumerateFileSystemEntries(FullPath(physical), "*", ListingOptions).Count();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            warnings.Add(SysfsWarningCodes.IoError, Display(parent.ChildPath(name)), $"cannot list the directory: {ex.Message}");
            return 0;
        }
    }

    /// <summary>
    /// Lists a resolved directory, entries sorted by name (ordinal) so scans are deterministic; each
    /// entry's kind is its own (a link is a link, whatever it points to). Null when it cannot be listed:
    /// with a warning, unless <paramref name="logicalPath"/> is null (a quiet look, e.g. for an instance's driver).
    /// </summary>
    public SysfsDirectory? List(string physicalPath, string? logicalPath, bool warnIfMissing)
    {
        if (listings.TryGetValue(physicalPath, out var listed))
        {
            return listed;
        }

        List<SysfsEntry> entries;
        try
        {
            entries = [.. new FileSystemEnumerable<SysfsEntry>(
                FullPath(physicalPath),
                static (ref FileSystemEntry entry) => new SysfsEntry(
                    entry.FileName.ToString(),
                    (entry.Attributes & FileAttributes.ReparsePoint) != 0 ? SysfsEntryKind.Link
                        : entry.IsDirectory ? SysfsEntryKind.Directory
                        : SysfsEntryKind.File),
                ListingOptions)];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (logicalPath is not null)
            {
                var shown = Display(logicalPath);
                if (ex is DirectoryNotFoundException)
                {
                    if (warnIfMissing)
                    {
                        warnings.Add(SysfsWarningCodes.Vanished, shown, $"directory gone when listed ({ex.Message}); the device was probably removed during the scan");
                    }
                }
                else
                {
                    // Listing a file as a directory is an I/O error too (ENOTDIR).
                    warnings.Add(ex is UnauthorizedAccessException ? SysfsWarningCodes.PermissionDenied : SysfsWarningCodes.IoError, shown, $"cannot list the directory: {ex.Message}");
                }
            }

            return null;
        }

        entries.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
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
        var pending = new Stack<string>();
        PushComponents(pending, tail);
        var hops = 0;
        while (pending.Count > 0)
        {
            var component = pending.Pop();
            if (component == ".")
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

                current = current[..Math.Max(current.LastIndexOf('/'), 0)];
                state = PathState.Unknown;
                continue;
            }

            var next = current.Length == 0 ? component : string.Concat(current, "/", component);
            if (listings.TryGetValue(current, out var listing) && listing.KindOf(component) is var kind && kind != SysfsEntryKind.Link)
            {
                // The directory was listed: its entry says whether the component is a link, with no link read.
                current = next;
                state = kind is null ? PathState.Absent : PathState.Exists;
                continue;
            }

            var target = realDirectories.Contains(next) ? null : ReadLink(next);
            if (target is null)
            {
                current = next;
                state = realDirectories.Contains(next) ? PathState.Exists : PathState.Unknown;
                continue;
            }

            if (++hops > options.MaxLinkHops)
            {
                warnings.Add(SysfsWarningCodes.LinkLoop, Shown(), $"more than {options.MaxLinkHops} links while resolving (a link loop?); it was not followed");
                return null;
            }

            if (target.StartsWith('/'))
            {
                var canonicalTarget = target.TrimEnd('/');
                if (canonicalTarget != root && !canonicalTarget.StartsWith(root + "/", StringComparison.Ordinal))
                {
                    warnings.Add(SysfsWarningCodes.LinkEscapesRoot, Shown(), $"a link points to \"{ScanWarnings.Shorten(target)}\", outside the sysfs root {root}; it was not followed");
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

        // The path as the caller named it (for warnings): null means base/tail.
        string Shown() => Display(logicalPath ?? (basePath.Length == 0 ? tail : basePath + "/" + tail));
    }

    /// <summary>Pushes the components of <paramref name="path"/>, last first (so the first is popped first); empty ones are skipped.</summary>
    private static void PushComponents(Stack<string> pending, string path)
    {
        var components = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = components.Length - 1; i >= 0; i--)
        {
            pending.Push(components[i]);
        }
    }

    /// <summary>The target text of a link (relative to the root), or null when the path is not a link or cannot be read.</summary>
    private string? ReadLink(string relativePath)
    {
        try
        {
            return new FileInfo(FullPath(relativePath)).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
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
}
