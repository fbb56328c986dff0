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

    /// <summary>The target text of a link; null when the path is not a link or cannot be read (like <see cref="FileSystemInfo.LinkTarget"/>).</summary>
    public static string? ReadLink(string fullPath)
    {
        Span<byte> stackPath = stackalloc byte[StackPathBytes];
        var path = Encode(fullPath, stackPath);
        Span<byte> target = stackalloc byte[4096];
        var length = ReadLinkNative(ref MemoryMarshal.GetReference(path), ref MemoryMarshal.GetReference(target), target.Length);
        return length < 0 || length >= target.Length ? null : Encoding.UTF8.GetString(target[..(int)length]);
    }

    /// <summary>
    /// Opens a file read-only (no <c>O_NONBLOCK</c>: a FIFO blocks here, on the reader's worker thread,
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
    private static Span<byte> Encode(string path, Span<byte> stack)
    {
        var needed = Encoding.UTF8.GetMaxByteCount(path.Length) + 1;
        var buffer = needed <= stack.Length ? stack : new byte[needed];
        var written = Encoding.UTF8.GetBytes(path, buffer);
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

    [DllImport("libc", EntryPoint = "close")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int CloseNative(int fd);
}
