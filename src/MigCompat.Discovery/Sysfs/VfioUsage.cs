using System.Collections.Immutable;
using System.Globalization;
using System.IO.Enumeration;
using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Sysfs;

/// <summary>
/// Which of the scanned devices VMs use now: a device is in use when some process holds its VFIO file
/// open. Read-only, from procfs: the open file numbers of every process of <see cref="SysfsScanOptions.ProcRoot"/>
/// are listed (<c>&lt;pid&gt;/fdinfo/</c>, or <c>&lt;pid&gt;/fd/</c> where that cannot be listed) and each
/// <c>&lt;pid&gt;/fd/&lt;n&gt;</c> target read with <c>readlink</c> (never followed, never opened). A legacy
/// group file <c>/dev/vfio/N</c> (or <c>/dev/vfio/noiommu-N</c>) marks every device of IOMMU group N; an
/// iommufd-era device file <c>/dev/vfio/devices/vfioM</c> marks the device sysfs names for it
/// (<c>class/vfio-dev/vfioM/device</c>, resolved with the scan's link rules). A device found open is in
/// use; one not found is free only when every process could be read, otherwise unknown with one
/// <see cref="SysfsWarningCodes.InUseUnknown"/> warning per cause (docs/discovery.md). The processes found
/// holding VFIO files are then asked, through <see cref="QemuGuests"/>, which VM they are.
/// </summary>
internal static class VfioUsage
{
    /// <summary>The <c>errno</c> of a process that exited while it was read (its files then count as read).</summary>
    private const int ESRCH = 3;
    private const string VfioDirectory = "/dev/vfio/";
    private const string NoIommuPrefix = "noiommu-";
    private const string DeviceFilePrefix = "devices/vfio";

    /// <summary>The link text of the initial (host) PID namespace: its inode number is fixed (<c>PROC_PID_INIT_INO</c>, Linux 3.8 and later).</summary>
    private const string HostPidNamespace = "pid:[4026531836]";

    private const string Advice =
        "run the scan as root (or with CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE), and in a container with the host's PID namespace (docker run --pid=host, Kubernetes hostPID: true)";

    /// <summary>
    /// The devices with <see cref="InventoryDevice.InUse"/> set from the open VFIO files under
    /// <see cref="SysfsScanOptions.ProcRoot"/>, and the VMs (QEMU processes) that hold them
    /// (<see cref="QemuGuests"/>); unchanged and none when that is null. Never throws.
    /// </summary>
    public static (ImmutableArray<InventoryDevice> Devices, ImmutableArray<InventoryGuest> Guests) Mark(ImmutableArray<InventoryDevice> devices, SysfsTree tree, SysfsScanOptions options, ScanWarnings warnings)
    {
        if (options.ProcRoot is not { } procRoot)
        {
            return (devices, []);
        }

        var shown = procRoot.Length > 1 ? procRoot.TrimEnd('/') : procRoot;
        var isDefault = shown == SysfsScanOptions.DefaultProcRoot;
        if (devices.IsEmpty)
        {
            // Nothing to mark: /proc is not read. A root the caller named must still exist.
            if (!isDefault && !Directory.Exists(procRoot))
            {
                warnings.Add(SysfsWarningCodes.InUseUnknown, shown, "the proc root does not exist or is not a directory; which devices are in use could not be looked up");
            }

            return (devices, []);
        }

        string fullRoot;
        try
        {
            fullRoot = Path.GetFullPath(procRoot);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or NotSupportedException)
        {
            warnings.Add(SysfsWarningCodes.InUseUnknown, shown, $"the proc root is not a usable path ({ex.Message}); {Unknown(devices.Length)}");
            return (devices, []);
        }

        if (!Directory.Exists(fullRoot))
        {
            // No procfs (not Linux, a chroot without /proc): unknown. Only a root the caller named is worth a warning.
            if (!isDefault)
            {
                warnings.Add(SysfsWarningCodes.InUseUnknown, shown, $"the proc root does not exist or is not a directory; {Unknown(devices.Length)}");
            }

            return (devices, []);
        }

        var found = new OpenFiles(fullRoot.Length > 1 ? fullRoot.TrimEnd('/') : fullRoot, shown, options.MaxOpenFilesExamined);
        if (found.Read() is { } rootError)
        {
            warnings.Add(SysfsWarningCodes.InUseUnknown, shown, $"cannot list the proc root ({Describe(rootError)}); {Unknown(devices.Length)}");
            return (devices, []);
        }

        // Device files: which device each is, from sysfs (only the ones actually open).
        var openDevices = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var deviceOfFile = new Dictionary<string, string>(StringComparer.Ordinal);
        var unresolved = new List<string>();
        foreach (var name in found.DeviceFiles)
        {
            var directory = tree.OpenDirectory("class/vfio-dev/" + name);
            var physical = directory is null ? null : tree.ResolveChild(directory, "device");
            var id = physical is null ? null : physical[(physical.LastIndexOf('/') + 1)..];
            if (string.IsNullOrEmpty(id))
            {
                unresolved.Add(name);
            }
            else
            {
                openDevices.Add(id);
                deviceOfFile[name] = id;
            }
        }

        var otherNamespace = OtherPidNamespace(found);
        var complete = found.SawInit && otherNamespace is null && found.Unreadable == 0 && !found.LimitReached && unresolved.Count == 0;

        // An open group no device of the inventory has might be that of a device whose group is unknown.
        var knownGroups = new HashSet<int>();
        foreach (var device in devices)
        {
            if (device.IommuGroup is { } group)
            {
                knownGroups.Add(group);
            }
        }

        var strayGroup = found.Groups.Where(group => !knownGroups.Contains(group)).Order().FirstOrDefault(-1);

        // DMA ownership is per IOMMU group: a device opened through its device file takes its whole
        // group with it (no other process or VM can use a device of that group), as a group file does.
        var ownedGroups = new HashSet<int>(found.Groups);
        foreach (var device in devices)
        {
            if (device.IommuGroup is { } group && openDevices.Contains(device.Id))
            {
                ownedGroups.Add(group);
            }
        }

        var builder = ImmutableArray.CreateBuilder<InventoryDevice>(devices.Length);
        var unknown = 0;
        var unknownGroup = 0;
        foreach (var device in devices)
        {
            bool? inUse = (device.IommuGroup is { } group && ownedGroups.Contains(group)) || openDevices.Contains(device.Id) ? true
                : complete && !(device.IommuGroup is null && strayGroup >= 0) ? false
                : null;
            unknown += inUse is null ? 1 : 0;
            unknownGroup += inUse is null && device.IommuGroup is null ? 1 : 0;
            builder.Add(device.InUse == inUse ? device : device with { InUse = inUse });
        }

        if (unknown > 0)
        {
            Report(found, otherNamespace, unresolved, tree, warnings, unknown);
        }

        if (complete && unknownGroup > 0)
        {
            warnings.Add(
                SysfsWarningCodes.InUseUnknown,
                VfioDirectory + strayGroup.ToString(CultureInfo.InvariantCulture),
                $"a process holds the file of IOMMU group {strayGroup} open, a group no scanned device is known to be in; {(unknownGroup == 1 ? "the device whose IOMMU group is unknown is left unknown (no in_use)" : $"the {unknownGroup} devices whose IOMMU group is unknown are left unknown (no in_use)")}");
        }

        var marked = builder.MoveToImmutable();
        var guests = QemuGuests.Find(
            [.. found.Holders.Select(h => (h.Key, (IReadOnlySet<int>)h.Value.Groups, (IReadOnlySet<string>)h.Value.DeviceFiles.Where(deviceOfFile.ContainsKey).Select(f => deviceOfFile[f]).ToHashSet(StringComparer.OrdinalIgnoreCase)))],
            marked,
            found.Root,
            shown,
            options.ReadTimeout,
            warnings);
        return (marked, guests);
    }

    /// <summary>One warning per reason the lookup is incomplete (called only when a device is left unknown).</summary>
    private static void Report(OpenFiles found, string? otherNamespace, List<string> unresolved, SysfsTree tree, ScanWarnings warnings, int unknown)
    {
        if (!found.SawInit)
        {
            warnings.Add(
                SysfsWarningCodes.InUseUnknown,
                found.Shown,
                found.Processes == 0
                    ? $"the proc root lists no process directories (is it a procfs mount?); {Unknown(unknown)}"
                    : $"the proc root does not list process 1, so it does not list every process (mounted with hidepid=, which hides other users' processes, or not a procfs mount); {Unknown(unknown)}; {Advice}");
        }

        if (otherNamespace is not null)
        {
            warnings.Add(
                SysfsWarningCodes.InUseUnknown,
                found.Shown + "/1/ns/pid",
                $"the proc root shows a PID namespace other than the host's ({otherNamespace}): processes outside it, VMs among them, are not listed; {Unknown(unknown)}; {Advice}, or name the host's procfs as the proc root");
        }

        if (found.Unreadable > 0)
        {
            var advice = found.PermissionDenied ? "; " + Advice : string.Empty;
            warnings.Add(
                SysfsWarningCodes.InUseUnknown,
                found.FirstUnreadable!,
                $"cannot read the open files of {Count(found.Unreadable, "process", "processes")} of {found.Processes} ({found.FirstReason}); {Unknown(unknown)}{advice}");
        }

        if (found.LimitReached)
        {
            warnings.Add(SysfsWarningCodes.InUseUnknown, found.Shown, $"stopped after examining {found.Limit} open files (the limit); {Unknown(unknown)}");
        }

        if (unresolved.Count > 0)
        {
            warnings.Add(
                SysfsWarningCodes.InUseUnknown,
                tree.Display("class/vfio-dev/" + unresolved[0]),
                $"a process holds /dev/vfio/devices/{unresolved[0]} open, but sysfs does not say which device it is (no usable class/vfio-dev/{unresolved[0]}/device link{(unresolved.Count > 1 ? $"; {unresolved.Count - 1} more such files" : string.Empty)}); {Unknown(unknown)}");
        }
    }

    /// <summary>
    /// The PID namespace link of process 1 when it names a namespace other than the host's (a container's
    /// own /proc); null when it is the host's, or cannot be read (a fake tree, no permission: nothing to conclude).
    /// </summary>
    private static string? OtherPidNamespace(OpenFiles found)
    {
        if (!found.SawInit)
        {
            return null;
        }

        string? link;
        try
        {
            link = new FileInfo(found.Root + "/1/ns/pid").LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            link = null;
        }

        return link is not null && link.StartsWith("pid:[", StringComparison.Ordinal) && link != HostPidNamespace ? link : null;
    }

    private static string Unknown(int devices) =>
        devices == 1 ? "the device not found open is left unknown (no in_use)" : $"the {devices} devices not found open are left unknown (no in_use)";

    private static string Count(int n, string one, string many) => n == 1 ? "1 " + one : $"{n} {many}";

    /// <summary>Why a read failed, for a warning: "permission denied", or the system's message.</summary>
    private static string Describe(Exception error) => error is UnauthorizedAccessException ? "permission denied" : error.Message;

    /// <summary>
    /// Parses a target: <c>/dev/vfio/N</c> and <c>/dev/vfio/noiommu-N</c> are group N; <c>/dev/vfio/devices/vfioM</c>
    /// is the device file <c>vfioM</c>. Anything else (the container <c>/dev/vfio/vfio</c>, anonymous inodes,
    /// a deleted file's <c>… (deleted)</c>) is no VFIO file of a device.
    /// </summary>
    internal static (int? Group, string? DeviceFile) Classify(string target)
    {
        if (!target.StartsWith(VfioDirectory, StringComparison.Ordinal))
        {
            return default;
        }

        var rest = target.AsSpan(VfioDirectory.Length);
        if (rest.StartsWith(DeviceFilePrefix, StringComparison.Ordinal))
        {
            var index = rest[DeviceFilePrefix.Length..];
            return IsCanonicalNumber(index) ? (null, string.Concat("vfio", index)) : default;
        }

        if (rest.StartsWith(NoIommuPrefix, StringComparison.Ordinal))
        {
            rest = rest[NoIommuPrefix.Length..];
        }

        return IsCanonicalNumber(rest) && int.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out var group) ? (group, null) : default;
    }

    /// <summary>Decimal digits as the kernel writes them: at least one, no sign, no leading zero (except <c>0</c>), fits an int.</summary>
    private static bool IsCanonicalNumber(ReadOnlySpan<char> text) =>
        text.Length is > 0 and <= 10
        && !text.ContainsAnyExceptInRange('0', '9')
        && (text.Length == 1 || text[0] != '0')
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _);

    /// <summary>What one walk over the proc root found.</summary>
    private sealed class OpenFiles(string root, string shown, int limit)
    {
        private static readonly EnumerationOptions ListingOptions = new() { AttributesToSkip = 0, IgnoreInaccessible = false };

        private long examined;

        /// <summary>The proc root's full path.</summary>
        public string Root { get; } = root;

        /// <summary>The proc root as the caller named it (for warnings).</summary>
        public string Shown { get; } = shown;

        /// <summary>The most fd entries examined in all.</summary>
        public int Limit { get; } = limit;

        /// <summary>IOMMU groups whose group file some process holds open.</summary>
        public HashSet<int> Groups { get; } = [];

        /// <summary>Device files (<c>vfioM</c>) some process holds open, in name order.</summary>
        public SortedSet<string> DeviceFiles { get; } = new(StringComparer.Ordinal);

        /// <summary>The processes that hold VFIO files open, in process-id order, with their groups and device files.</summary>
        public List<KeyValuePair<string, (HashSet<int> Groups, HashSet<string> DeviceFiles)>> Holders { get; } = [];

        /// <summary>Process directories seen.</summary>
        public int Processes { get; private set; }

        /// <summary>True when process 1 is listed: every procfs lists its namespace's init unless <c>hidepid=</c> hides it.</summary>
        public bool SawInit { get; private set; }

        /// <summary>Processes whose open files could not be (fully) read.</summary>
        public int Unreadable { get; private set; }

        /// <summary>The <c>fd</c> directory of the first of them (as shown in warnings).</summary>
        public string? FirstUnreadable { get; private set; }

        /// <summary>Why the first unreadable process could not be read.</summary>
        public string? FirstReason { get; private set; }

        /// <summary>True when some process could not be read for lack of permission.</summary>
        public bool PermissionDenied { get; private set; }

        /// <summary>True when the walk stopped at <see cref="Limit"/>.</summary>
        public bool LimitReached { get; private set; }

        /// <summary>
        /// Lists every process's open file numbers and reads each <c>fd</c> entry's link target (never following it).
        /// Null, or what listing the root threw.
        /// </summary>
        public Exception? Read()
        {
            List<string> processes;
            try
            {
                processes = ProcessNames();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return ex;
            }

            foreach (var pid in processes)
            {
                if (LimitReached)
                {
                    break;
                }

                Processes++;
                SawInit |= pid == "1";
                var fd = string.Concat(Root, "/", pid, "/fd");
                List<string> names;
                try
                {
                    names = FdNumbers(fd);
                }
                catch (DirectoryNotFoundException) when (File.Exists(fd))
                {
                    // ENOTDIR, which .NET reports as a directory not found: not a process that exited.
                    Failed(pid, "not a directory", permissionDenied: false);
                    continue;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Failed(pid, ex);
                    continue;
                }

                Examine(pid, fd, names);
            }

            return null;
        }

        /// <summary>
        /// The names of the entries of a process's <c>fd</c> directory (its open file numbers), in numeric order.
        /// Listed from its sibling <c>fdinfo</c> where that can be listed: procfs lists the same open files
        /// there, as regular files, which .NET's listing takes as they are, where it <c>lstat</c>s and then
        /// <c>stat</c>s every entry of <c>fd</c> (a link: does it name a directory?), two calls per open file
        /// for nothing this lookup needs. Where <c>fdinfo</c> cannot be listed (a tree without it, no
        /// ptrace access: Linux 5.14 and later check it there but not on <c>fd</c>), <c>fd</c> is listed,
        /// and what that throws is why the process cannot be read.
        /// </summary>
        private static List<string> FdNumbers(string fd)
        {
            List<string> names;
            try
            {
                names = ListNames(fd + "info");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                names = ListNames(fd);
            }

            names.Sort(NumericOrder);
            return names;
        }

        /// <summary>The names of a directory's entries, nothing read about them (beyond what .NET's listing reads).</summary>
        private static List<string> ListNames(string directory) =>
            new FileSystemEnumerable<string>(directory, static (ref FileSystemEntry entry) => entry.FileName.ToString(), ListingOptions).ToList();

        /// <summary>Reads the link target of every listed entry of <paramref name="fd"/> (<paramref name="pid"/>'s) and notes the VFIO files.</summary>
        private void Examine(string pid, string fd, List<string> names)
        {
            foreach (var name in names)
            {
                if (++examined > Limit)
                {
                    LimitReached = true;
                    return;
                }

                var entry = string.Concat(fd, "/", name);
                string? target;
                try
                {
                    // Null: not a link. The second read happens only when the first gave nothing, to learn why.
                    target = new FileInfo(entry).LinkTarget;
                    if (target is null)
                    {
                        File.ResolveLinkTarget(entry, returnFinalTarget: false);
                        continue;
                    }
                }
                catch (UnauthorizedAccessException ex)
                {
                    Failed(pid, ex);
                    return;
                }
                catch (IOException)
                {
                    // The file was closed (or the process exited) since the listing.
                    continue;
                }

                var (group, deviceFile) = Classify(target);
                if (group is null && deviceFile is null)
                {
                    continue;
                }

                if (Holders.Count == 0 || Holders[^1].Key != pid)
                {
                    Holders.Add(new(pid, ([], new HashSet<string>(StringComparer.Ordinal))));
                }

                if (group is { } number)
                {
                    Groups.Add(number);
                    Holders[^1].Value.Groups.Add(number);
                }
                else if (deviceFile is not null)
                {
                    DeviceFiles.Add(deviceFile);
                    Holders[^1].Value.DeviceFiles.Add(deviceFile);
                }
            }
        }

        /// <summary>A process could not be read: one that exited meanwhile (ENOENT, ESRCH) counts as read.</summary>
        private void Failed(string pid, Exception error)
        {
            if (error is not (DirectoryNotFoundException or FileNotFoundException) && error.HResult != ESRCH)
            {
                Failed(pid, Describe(error), error is UnauthorizedAccessException);
            }
        }

        /// <summary>A process could not be read, for <paramref name="reason"/>.</summary>
        private void Failed(string pid, string reason, bool permissionDenied)
        {
            PermissionDenied |= permissionDenied;
            if (Unreadable++ == 0)
            {
                FirstUnreadable = string.Concat(Shown == "/" ? string.Empty : Shown, "/", pid, "/fd");
                FirstReason = reason;
            }
        }

        /// <summary>The process directories of the root (numeric names, real directories, not links), in numeric order.</summary>
        private List<string> ProcessNames()
        {
            var names = new FileSystemEnumerable<string>(Root, static (ref FileSystemEntry entry) => entry.FileName.ToString(), ListingOptions)
            {
                ShouldIncludePredicate = static (ref FileSystemEntry entry) =>
                    IsCanonicalNumber(entry.FileName) && entry.IsDirectory && (entry.Attributes & FileAttributes.ReparsePoint) == 0,
            }.ToList();
            names.Sort(NumericOrder);
            return names;
        }

        /// <summary>Orders names that end in decimal numbers (process ids, fd numbers under one directory) by number.</summary>
        private static int NumericOrder(string a, string b) => a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
    }
}
