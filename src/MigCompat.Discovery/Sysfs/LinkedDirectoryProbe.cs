namespace MigCompat.Discovery.Sysfs;

/// <summary>
/// What a probe found for one entry of a bus directory: the entry's link target (null when the entry
/// is a real directory), the physical path it leads to, that directory's sorted listing and the
/// targets of the named links in it (null where absent or unread).
/// </summary>
internal sealed record ProbedDirectory(string? LinkTarget, string PhysicalPath, List<SysfsEntry> SortedEntries, IReadOnlyList<string> LinkNames, string?[] LinkTargets);

/// <summary>
/// Reads ahead, on background threads, the directories that the entries of one listed bus directory
/// (<c>bus/mdev/devices</c>, <c>bus/pci/devices</c>) lead to: each entry's link, the listing of its
/// target and the targets of a few named links in it (<c>mdev_type</c>, <c>iommu_group</c>, <c>driver</c>).
/// Only system calls that never reach a driver's <c>show</c> (<c>readlinkat</c>, <c>openat</c> of a
/// directory, <c>getdents64</c>), never an attribute read, and never a warning: a probe takes only the
/// plain path (a relative link of the form <c>../../x/y</c> whose every component it opens with
/// <c>O_NOFOLLOW|O_DIRECTORY</c> from the root), and gives up on anything else. The scanning thread
/// takes entry <c>i</c> with <see cref="Take"/> before it resolves it: the probed facts go into the
/// <see cref="SysfsTree"/>'s caches, so the scan then runs exactly as without a probe (same results,
/// same warnings), minus the system calls.
/// <para>
/// Scheduling: the probe threads take entries from the front; the scanning thread consumes them in
/// order right behind. When it reaches an entry no probe has started, it does that one itself (the
/// plain way); when it reaches one still being probed, it probes an entry from the back meanwhile
/// instead of waiting, so every thread has work until the end.
/// </para>
/// </summary>
internal sealed class LinkedDirectoryProbe : IDisposable
{
    private const int Pending = 0;
    private const int Claimed = 1;
    private const int Done = 2;
    private const int TakenByScanner = 3;

    /// <summary>A probe that does nothing: <see cref="Take"/> leaves every entry to the scanner.</summary>
    public static readonly LinkedDirectoryProbe None = new();

    private readonly SysfsTree? tree;
    private readonly SysfsDirectory? bus;
    private readonly string root = string.Empty;
    private readonly string[] linkNames = [];
    private readonly int[] states = [];
    private readonly ProbedDirectory?[] results = [];

    /// <summary>The scanning thread's own descriptors, buffer and names for the entries it probes from the back.</summary>
    private readonly ProbeWorkspace? scannerWorkspace;

    /// <summary>The next entry from the front for a probe thread.</summary>
    private int front;

    /// <summary>One past the next entry from the back for the scanning thread (only it moves this).</summary>
    private int back;

    private LinkedDirectoryProbe()
    {
    }

    private LinkedDirectoryProbe(SysfsTree tree, SysfsDirectory bus, string root, string[] linkNames, int threads, bool waitForAll)
    {
        this.tree = tree;
        this.bus = bus;
        this.root = root;
        this.linkNames = linkNames;
        states = new int[bus.Entries.Count];
        results = new ProbedDirectory?[bus.Entries.Count];
        back = states.Length;
        scannerWorkspace = new ProbeWorkspace(root);
        var started = new Thread[threads];
        for (var i = 0; i < threads; i++)
        {
            started[i] = new Thread(static state => ((LinkedDirectoryProbe)state!).Run())
            {
                IsBackground = true,
                Name = "migcompat-sysfs-probe",
            };
            started[i].Start(this);
        }

        if (waitForAll)
        {
            foreach (var thread in started)
            {
                thread.Join();
            }
        }
    }

    /// <summary>
    /// Starts probing the entries of <paramref name="bus"/> with <see cref="SysfsScanOptions.ProbeThreads"/>
    /// threads, or returns <see cref="None"/> when there are fewer than <see cref="SysfsScanOptions.ProbeMinimumEntries"/>
    /// entries, no threads, or no descriptor-relative system calls on this platform.
    /// </summary>
    public static LinkedDirectoryProbe Start(SysfsTree tree, SysfsDirectory bus, string root, string[] linkNames, SysfsScanOptions options) =>
        options.ProbeThreads <= 0 || bus.Entries.Count == 0 || bus.Entries.Count < options.ProbeMinimumEntries || !NativeFs.AtSupported
            ? None
            : new LinkedDirectoryProbe(tree, bus, root, linkNames, options.ProbeThreads, options.ProbeBeforeScanning);

    /// <summary>
    /// Before the scanner resolves entry <paramref name="index"/> (in order): hands what a probe found
    /// to the tree, probing entries from the back while a probe thread is still on this one; when no
    /// probe has started it, nothing is done (the scanner reads it the plain way).
    /// </summary>
    public void Take(int index)
    {
        if (tree is null || Interlocked.CompareExchange(ref states[index], TakenByScanner, Pending) == Pending)
        {
            return;
        }

        var wait = default(SpinWait);
        while (Volatile.Read(ref states[index]) != Done)
        {
            if (!ProbeFromBack(index))
            {
                wait.SpinOnce(sleep1Threshold: -1);
            }
        }

        var probed = results[index];
        results[index] = null;
        if (probed is not null)
        {
            tree.Install(bus!, index, probed);
        }
    }

    /// <summary>Stops the probe threads after their current entry (they close their own descriptors) and closes the scanner's.</summary>
    public void Dispose()
    {
        if (tree is not null)
        {
            Interlocked.Exchange(ref front, states.Length);
            scannerWorkspace!.Dispose();
        }
    }

    /// <summary>The scanning thread probes the last entry nobody has taken (after <paramref name="current"/>); false when there is none.</summary>
    private bool ProbeFromBack(int current)
    {
        while (back - 1 > current)
        {
            var index = --back;
            if (Interlocked.CompareExchange(ref states[index], Claimed, Pending) == Pending)
            {
                ProbeInto(index, scannerWorkspace!);
                return true;
            }
        }

        return false;
    }

    private void Run()
    {
        using var workspace = new ProbeWorkspace(root);
        while (true)
        {
            var index = Interlocked.Increment(ref front) - 1;
            if (index >= states.Length)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref states[index], Claimed, Pending) == Pending)
            {
                ProbeInto(index, workspace);
            }
        }
    }

    private void ProbeInto(int index, ProbeWorkspace workspace)
    {
        try
        {
            results[index] = Probe(bus!.Entries[index], workspace);
        }
        catch (Exception)
        {
            // Whatever went wrong, the scanner reads the entry itself and reports it.
            results[index] = null;
        }
        finally
        {
            Volatile.Write(ref states[index], Done);
        }
    }

    private ProbedDirectory? Probe(SysfsEntry entry, ProbeWorkspace workspace)
    {
        var directories = workspace.Directories;
        string? target = null;
        string? physical;
        if (entry.Kind == SysfsEntryKind.Link)
        {
            var busFd = directories.Open(bus!.Path)?.Fd ?? -1;
            target = busFd < 0 ? null : NativeFs.ReadLinkAt(busFd, entry.Name);
            physical = target is null ? null : PlainTarget(bus.Path, target, root);
        }
        else
        {
            physical = entry.Kind == SysfsEntryKind.Directory ? bus!.ChildPath(entry.Name) : null;
        }

        if (physical is null)
        {
            return null;
        }

        var slash = physical.LastIndexOf('/');
        var parentFd = directories.Open(slash < 0 ? [] : physical.AsSpan(0, slash))?.Fd ?? -1;
        if (parentFd < 0)
        {
            return null;
        }

        var fd = NativeFs.OpenDirectoryAt(parentFd, physical.AsSpan(slash + 1));
        if (fd < 0)
        {
            return null;
        }

        try
        {
            var entries = new List<SysfsEntry>();
            if (NativeFs.ListAt(fd, root, physical, entries, workspace.Buffer, workspace.Names, out _) < 0)
            {
                return null;
            }

            entries.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            var linkTargets = new string?[linkNames.Length];
            var listed = new SysfsDirectory(physical, entries);
            for (var i = 0; i < linkNames.Length; i++)
            {
                if (listed.KindOf(linkNames[i]) == SysfsEntryKind.Link)
                {
                    linkTargets[i] = NativeFs.ReadLinkAt(fd, linkNames[i]);
                }
            }

            return new ProbedDirectory(target, physical, entries, linkNames, linkTargets);
        }
        finally
        {
            NativeFs.Close(fd);
        }
    }

    /// <summary>
    /// The physical root-relative path a link target names when it is plain: relative, any <c>..</c>
    /// before the first named component, none after it (so taking it lexically from the physical
    /// <paramref name="basePath"/> is what following it does, provided each named component is a real
    /// directory, which the probe checks by opening it), or absolute under the root with no <c>..</c>.
    /// Null otherwise: the scanner resolves it by hand and reports what is wrong with it.
    /// </summary>
    internal static string? PlainTarget(string basePath, string target, string root)
    {
        var needed = basePath.Length + target.Length + 1;
        var buffer = needed <= 512 ? stackalloc char[512] : new char[needed];
        var length = PlainTarget(basePath, target, root, buffer);
        return length < 0 ? null : new string(buffer[..length]);
    }

    /// <summary>
    /// <see cref="PlainTarget(string, string, string)"/> written into <paramref name="destination"/>
    /// (at least <c>basePath.Length + target.Length + 1</c> long); the length written, or -1 when not plain.
    /// </summary>
    internal static int PlainTarget(ReadOnlySpan<char> basePath, ReadOnlySpan<char> target, string root, Span<char> destination)
    {
        var rest = target;
        var length = 0;
        if (rest.StartsWith('/'))
        {
            if (!rest.StartsWith(root, StringComparison.Ordinal) || rest.Length <= root.Length || rest[root.Length] != '/')
            {
                return -1;
            }

            rest = rest[(root.Length + 1)..];
        }
        else
        {
            basePath.CopyTo(destination);
            length = basePath.Length;
        }

        var named = false;
        while (rest.Length > 0)
        {
            var slash = rest.IndexOf('/');
            var component = slash < 0 ? rest : rest[..slash];
            rest = slash < 0 ? [] : rest[(slash + 1)..];
            if (component.Length == 0 || component is ".")
            {
                continue;
            }

            if (component is "..")
            {
                if (named || length == 0)
                {
                    return -1;
                }

                length = Math.Max(destination[..length].LastIndexOf('/'), 0);
                continue;
            }

            named = true;
            if (length > 0)
            {
                destination[length++] = '/';
            }

            component.CopyTo(destination[length..]);
            length += component.Length;
        }

        return named ? length : -1;
    }

    /// <summary>What one probing thread owns: its open directories, its <c>getdents64</c> buffer, its entry names.</summary>
    private sealed class ProbeWorkspace(string root) : IDisposable
    {
        public OpenDirectories Directories { get; } = new(root, 64);

        public byte[] Buffer { get; } = new byte[16 * 1024];

        public EntryNames Names { get; } = new();

        public void Dispose() => Directories.Dispose();
    }
}
