using System.Runtime.InteropServices;
using System.Text;

namespace MigCompat.Discovery.Sysfs;

/// <summary>
/// The few libc calls the scan needs, used on 64-bit Linux (where <c>struct dirent</c> has the same
/// layout under glibc and musl): <c>readdir</c> gives each entry's name and type from the directory
/// itself (<c>d_type</c>), where .NET's enumeration <c>lstat</c>s and <c>stat</c>s every link (two
/// system calls per entry, and the <c>stat</c> follows a link that has not been checked yet);
/// <c>readlink</c> and <c>open</c>/<c>read</c> skip the managed wrappers' extra work (path
/// normalization, <c>fstat</c>, advisory <c>flock</c>). Everything here is read-only. When libc
/// cannot be loaded, <see cref="IsSupported"/> is false and <see cref="SysfsTree"/> uses the managed APIs.
/// </summary>
internal static class NativeFs
{
    private const int DirentTypeOffset = 18;
    private const int DirentNameOffset = 19;
    private const byte DtUnknown = 0;
    private const byte DtDirectory = 4;
    private const byte DtLink = 10;
    private const int OpenReadOnly = 0;
    private const int OpenNoCtty = 0x100;
    private const int OpenCloseOnExec = 0x80000;
    private const int StackPathBytes = 512;
    private static readonly int OpenDirectoryFlag = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x4000 : 0x10000;
    private static readonly int OpenNoFollowFlag = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x8000 : 0x20000;

    /// <summary>True when the native calls work here (64-bit Linux with a loadable libc).</summary>
    public static bool IsSupported { get; } = Probe();

    /// <summary>
    /// Lists a directory (not following a link in its last component is the caller's job: the path is
    /// resolved). Entries <c>.</c> and <c>..</c> are left out; an entry whose type the file system does
    /// not report is <c>lstat</c>ed. Returns 0, or the <c>errno</c> of <c>opendir</c>/<c>readdir</c>.
    /// </summary>
    public static int List(string fullPath, List<SysfsEntry> entries)
    {
        var dir = OpenDirectory(fullPath);
        if (dir == 0)
        {
            return Marshal.GetLastPInvokeError();
        }

        try
        {
            while (true)
            {
                Marshal.SetLastSystemError(0);
                var entry = ReadDirectory(dir);
                if (entry == 0)
                {
                    return Marshal.GetLastSystemError();
                }

                if (IsDotOrDotDot(entry))
                {
                    continue;
                }

                var name = Marshal.PtrToStringUTF8(entry + DirentNameOffset) ?? string.Empty;
                var type = Marshal.ReadByte(entry, DirentTypeOffset);
                var kind = type switch
                {
                    DtDirectory => SysfsEntryKind.Directory,
                    DtLink => SysfsEntryKind.Link,
                    DtUnknown => KindByLstat(fullPath + "/" + name),
                    _ => SysfsEntryKind.File,
                };
                entries.Add(new SysfsEntry(name, kind));
            }
        }
        finally
        {
            _ = CloseDirectory(dir);
        }
    }

    /// <summary>Counts a directory's entries other than <c>.</c> and <c>..</c>; -1 with <paramref name="error"/> set when it cannot be listed.</summary>
    public static int Count(string fullPath, out int error)
    {
        var dir = OpenDirectory(fullPath);
        if (dir == 0)
        {
            error = Marshal.GetLastPInvokeError();
            return -1;
        }

        try
        {
            var count = 0;
            while (true)
            {
                Marshal.SetLastSystemError(0);
                var entry = ReadDirectory(dir);
                if (entry == 0)
                {
                    error = Marshal.GetLastSystemError();
                    return error == 0 ? count : -1;
                }

                if (!IsDotOrDotDot(entry))
                {
                    count++;
                }
            }
        }
        finally
        {
            _ = CloseDirectory(dir);
        }
    }

    /// <summary>The target text of the link <paramref name="root"/>/<paramref name="relative"/>; null when the path is not a link or cannot be read (like <see cref="FileSystemInfo.LinkTarget"/>).</summary>
    public static string? ReadLink(string root, string relative)
    {
        Span<byte> stackPath = stackalloc byte[StackPathBytes];
        var path = Encode(root, relative, stackPath);
        Span<byte> target = stackalloc byte[4096];
        var length = ReadLinkNative(ref MemoryMarshal.GetReference(path), ref MemoryMarshal.GetReference(target), target.Length);
        return length < 0 || length >= target.Length ? null : Encoding.UTF8.GetString(target[..(int)length]);
    }

    /// <summary>
    /// Opens a file read-only (no <c>O_NONBLOCK</c>: a FIFO blocks here, on the reader thread,
    /// just as a blocking attribute would). Returns the descriptor, or -1 (the caller then retries with
    /// the managed API to get the system's message).
    /// </summary>
    public static int OpenRead(string fullPath)
    {
        Span<byte> stackPath = stackalloc byte[StackPathBytes];
        var path = Encode(fullPath, stackPath);
        return OpenNative(ref MemoryMarshal.GetReference(path), OpenReadOnly | OpenNoCtty | OpenCloseOnExec);
    }

    /// <summary>Reads into <paramref name="buffer"/>; the byte count, 0 at the end, -1 on an error (after retrying <c>EINTR</c>).</summary>
    public static int Read(int fd, Span<byte> buffer)
    {
        while (true)
        {
            var read = ReadNative(fd, ref MemoryMarshal.GetReference(buffer), buffer.Length);
            if (read >= 0 || Marshal.GetLastPInvokeError() != 4)
            {
                return (int)read;
            }
        }
    }

    /// <summary>
    /// True when the descriptor-relative calls work here (<c>openat</c>, <c>readlinkat</c>, and the
    /// <c>getdents64</c> wrapper of glibc 2.30+ or musl, on x86-64 or arm64, whose <c>O_*</c> values are
    /// known). When false, everything goes through absolute paths as before.
    /// </summary>
    public static bool AtSupported { get; } = ProbeAt();

    /// <summary>
    /// Opens the sysfs root as a directory descriptor (the root is canonical: its links are already
    /// resolved); -1 on failure.
    /// </summary>
    public static int OpenDirectoryPath(string fullPath)
    {
        Span<byte> stackPath = stackalloc byte[StackPathBytes];
        var path = Encode(fullPath, stackPath);
        return OpenNative(ref MemoryMarshal.GetReference(path), OpenReadOnly | OpenDirectoryFlag | OpenCloseOnExec);
    }

    /// <summary>
    /// Opens the real directory <paramref name="name"/> (one component, no <c>/</c>) inside the open
    /// directory <paramref name="dirFd"/>: <c>O_NOFOLLOW|O_DIRECTORY</c>, so a component that is (or has
    /// become) a link or not a directory fails instead of being followed. -1 on failure.
    /// </summary>
    public static int OpenDirectoryAt(int dirFd, ReadOnlySpan<char> name)
    {
        Span<byte> stackPath = stackalloc byte[StackPathBytes];
        var path = Encode(name, stackPath);
        while (true)
        {
            var fd = OpenAtNative(dirFd, ref MemoryMarshal.GetReference(path), OpenReadOnly | OpenDirectoryFlag | OpenNoFollowFlag | OpenCloseOnExec);
            if (fd >= 0 || Marshal.GetLastPInvokeError() != 4)
            {
                return fd;
            }
        }
    }

    /// <summary>The target text of the link <paramref name="name"/> in the open directory <paramref name="dirFd"/>; null when it is not a link or cannot be read.</summary>
    public static string? ReadLinkAt(int dirFd, string name)
    {
        Span<byte> stackPath = stackalloc byte[StackPathBytes];
        var path = Encode(name, stackPath);
        Span<byte> target = stackalloc byte[4096];
        var length = ReadLinkAtNative(dirFd, ref MemoryMarshal.GetReference(path), ref MemoryMarshal.GetReference(target), target.Length);
        return length < 0 || length >= target.Length ? null : Encoding.UTF8.GetString(target[..(int)length]);
    }

    /// <summary>
    /// Lists the open directory <paramref name="fd"/> from its current offset with <c>getdents64</c> into
    /// <paramref name="entries"/> (null to count); <paramref name="root"/>/<paramref name="relativePath"/>
    /// names the directory, used only for the rare entry whose type the file system does not report;
    /// <paramref name="names"/>, when given, supplies recurring entry names without a new string each.
    /// Returns the number of entries other than <c>.</c> and <c>..</c> and 0 in <paramref name="error"/>,
    /// or -1 with the <c>errno</c>.
    /// </summary>
    public static int ListAt(int fd, string root, string relativePath, List<SysfsEntry>? entries, byte[] buffer, EntryNames? names, out int error)
    {
        var count = 0;
        while (true)
        {
            var read = GetDents64Native(fd, ref MemoryMarshal.GetArrayDataReference(buffer), buffer.Length);
            if (read < 0)
            {
                error = Marshal.GetLastPInvokeError();
                if (error == 4)
                {
                    continue;
                }

                return -1;
            }

            if (read == 0)
            {
                error = 0;
                return count;
            }

            var offset = 0;
            while (offset < read)
            {
                var record = buffer.AsSpan(offset, (int)read - offset);
                var length = BitConverter.ToUInt16(record[16..]);
                if (length == 0 || length > record.Length)
                {
                    error = 5;
                    return -1;
                }

                var nameBytes = record[DirentNameOffset..length];
                var end = nameBytes.IndexOf((byte)0);
                if (end >= 0)
                {
                    nameBytes = nameBytes[..end];
                }

                offset += length;
                if (nameBytes is [(byte)'.'] or [(byte)'.', (byte)'.'])
                {
                    continue;
                }

                count++;
                if (entries is null)
                {
                    continue;
                }

                var name = names is null ? Encoding.UTF8.GetString(nameBytes) : names.Get(nameBytes);
                var kind = record[DirentTypeOffset] switch
                {
                    DtDirectory => SysfsEntryKind.Directory,
                    DtLink => SysfsEntryKind.Link,
                    DtUnknown => KindByLstat(relativePath.Length == 0 ? root + "/" + name : string.Concat(root, "/", relativePath, "/", name)),
                    _ => SysfsEntryKind.File,
                };
                entries.Add(new SysfsEntry(name, kind));
            }
        }
    }

    /// <summary>Moves a directory descriptor back to its first entry (to list it again); false on failure.</summary>
    public static bool Rewind(int fd) => SeekNative(fd, 0, 0) == 0;

    /// <summary>Closes a descriptor from <see cref="OpenRead"/>.</summary>
    public static void Close(int fd) => _ = CloseNative(fd);

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux() || IntPtr.Size != 8)
        {
            return false;
        }

        try
        {
            var entries = new List<SysfsEntry>();
            return List("/", entries) == 0 && entries.Count > 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }

    private static bool ProbeAt()
    {
        if (!IsSupported || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))
        {
            return false;
        }

        try
        {
            var fd = OpenDirectoryPath("/");
            if (fd < 0)
            {
                return false;
            }

            try
            {
                var entries = new List<SysfsEntry>();
                return ListAt(fd, "/", string.Empty, entries, new byte[4096], null, out _) > 0 && entries.Count > 0;
            }
            finally
            {
                Close(fd);
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }

    private static nint OpenDirectory(string fullPath)
    {
        Span<byte> stackPath = stackalloc byte[StackPathBytes];
        var path = Encode(fullPath, stackPath);
        return OpenDirectoryNative(ref MemoryMarshal.GetReference(path));
    }

    private static bool IsDotOrDotDot(nint entry)
    {
        if (Marshal.ReadByte(entry, DirentNameOffset) != (byte)'.')
        {
            return false;
        }

        var second = Marshal.ReadByte(entry, DirentNameOffset + 1);
        return second == 0 || (second == (byte)'.' && Marshal.ReadByte(entry, DirentNameOffset + 2) == 0);
    }

    private static SysfsEntryKind KindByLstat(string fullPath)
    {
        try
        {
            var attributes = File.GetAttributes(fullPath);
            return (attributes & FileAttributes.ReparsePoint) != 0 ? SysfsEntryKind.Link
                : (attributes & FileAttributes.Directory) != 0 ? SysfsEntryKind.Directory
                : SysfsEntryKind.File;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone since it was listed: reading it reports that.
            return SysfsEntryKind.File;
        }
    }

    /// <summary>The path as NUL-terminated UTF-8, in <paramref name="stack"/> when it fits.</summary>
    private static Span<byte> Encode(ReadOnlySpan<char> path, Span<byte> stack) => Encode(path, [], stack);

    /// <summary><paramref name="root"/>/<paramref name="relative"/> (just the root when relative is empty) as NUL-terminated UTF-8, without building the string.</summary>
    private static Span<byte> Encode(ReadOnlySpan<char> root, ReadOnlySpan<char> relative, Span<byte> stack)
    {
        var needed = Encoding.UTF8.GetMaxByteCount(root.Length + relative.Length + 1) + 1;
        var buffer = needed <= stack.Length ? stack : new byte[needed];
        var written = Encoding.UTF8.GetBytes(root, buffer);
        if (relative.Length > 0)
        {
            buffer[written++] = (byte)'/';
            written += Encoding.UTF8.GetBytes(relative, buffer[written..]);
        }

        buffer[written] = 0;
        return buffer[..(written + 1)];
    }

    [DllImport("libc", EntryPoint = "opendir", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint OpenDirectoryNative(ref byte path);

    [DllImport("libc", EntryPoint = "readdir")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint ReadDirectory(nint dir);

    [DllImport("libc", EntryPoint = "closedir")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int CloseDirectory(nint dir);

    [DllImport("libc", EntryPoint = "readlink", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint ReadLinkNative(ref byte path, ref byte buffer, nint size);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int OpenNative(ref byte path, int flags);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint ReadNative(int fd, ref byte buffer, nint count);

    [DllImport("libc", EntryPoint = "openat", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int OpenAtNative(int dirFd, ref byte path, int flags);

    [DllImport("libc", EntryPoint = "readlinkat", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint ReadLinkAtNative(int dirFd, ref byte path, ref byte buffer, nint size);

    [DllImport("libc", EntryPoint = "getdents64", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint GetDents64Native(int fd, ref byte buffer, nint count);

    [DllImport("libc", EntryPoint = "lseek", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern long SeekNative(int fd, long offset, int whence);

    [DllImport("libc", EntryPoint = "close")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int CloseNative(int fd);
}
