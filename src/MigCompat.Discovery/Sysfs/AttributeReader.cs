using System.Text;
using Microsoft.Win32.SafeHandles;

namespace MigCompat.Discovery.Sysfs;

/// <summary>How one attribute read ended.</summary>
internal enum AttributeReadStatus
{
    /// <summary>The text was read whole.</summary>
    Ok,

    /// <summary>The file does not exist (any more).</summary>
    Missing,

    /// <summary>The file is larger than the limit; nothing is returned.</summary>
    TooLarge,

    /// <summary>Permission denied.</summary>
    Denied,

    /// <summary>Another I/O error (EIO, ENODEV, ...).</summary>
    IoError,

    /// <summary>The read did not finish within the timeout and was abandoned.</summary>
    TimedOut,

    /// <summary>
    /// The file has write permission bits and no read bits (mode 0200: an mdev type's <c>create</c>, an
    /// instance's <c>remove</c>, vfio_ap's <c>assign_adapter</c>): an action, not a value. sysfs refuses
    /// to open such a file for reading even for root; the reader treats it the same way on any file
    /// system, so a scan of a copy or a test tree as root says what a scan of the kernel's says.
    /// </summary>
    WriteOnly,
}

/// <summary>The outcome of one attribute read.</summary>
/// <param name="Status">How the read ended.</param>
/// <param name="Text">The text (UTF-8, invalid bytes replaced), when <see cref="AttributeReadStatus.Ok"/>.</param>
/// <param name="Reason">The system's reason for a failure.</param>
internal readonly record struct AttributeRead(AttributeReadStatus Status, string? Text, string? Reason);

/// <summary>
/// Reads files with a byte limit and a deadline. Never reads more than limit + 1 bytes, never writes.
/// Timed reads run on a dedicated background thread (<see cref="AttributeReaderThread"/>: one per
/// scan, owned by the scan's <see cref="SysfsTree"/>); the caller waits at most the timeout for it to
/// make progress, so an attribute whose <c>show</c> blocks (or a FIFO) retires that one thread, never
/// a thread-pool thread, and never stalls the scan.
/// </summary>
internal static class AttributeReader
{
    private const UnixFileMode ReadBits = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode WriteBits = UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    private static readonly AttributeRead WriteOnlyRead = new(AttributeReadStatus.WriteOnly, null, "write-only (no read permission bits)");

    /// <summary>
    /// Reads one file outside a scan (profiles) on a reader thread of its own, which exits after the
    /// read (or, when the read does not answer within <paramref name="timeout"/>, once it returns, if ever).
    /// A scan reads through its tree's <see cref="AttributeReaderThread"/> instead.
    /// </summary>
    public static AttributeRead Read(string fullPath, int maxBytes, TimeSpan timeout)
    {
        using var reader = new AttributeReaderThread();
        return reader.Read(fullPath, maxBytes, timeout);
    }

    /// <summary>Reads one file now, on this thread; <paramref name="scratch"/> (min(limit + 1, 4096) bytes) is reused between files.</summary>
    internal static AttributeRead ReadNow(string fullPath, int maxBytes, byte[] scratch)
    {
        if (NativeFs.IsSupported)
        {
            var fd = NativeFs.OpenRead(fullPath);
            if (fd >= 0)
            {
                try
                {
                    if (IsWriteOnly(new SafeFileHandle(fd, ownsHandle: false)))
                    {
                        return WriteOnlyRead;
                    }

                    var native = ReadDescriptor(fd, maxBytes, scratch);
                    if (native is not null)
                    {
                        return native.Value;
                    }
                }
                finally
                {
                    NativeFs.Close(fd);
                }
            }

            // Failed to open or read: the managed read below gives the same outcome with the system's message.
        }

        return ReadManaged(fullPath, maxBytes);
    }

    /// <summary>True when the mode has write bits and no read bits (see <see cref="AttributeReadStatus.WriteOnly"/>); a mode-000 file is not write-only.</summary>
    internal static bool IsWriteOnly(UnixFileMode mode) => (mode & ReadBits) == 0 && (mode & WriteBits) != 0;

    private static bool IsWriteOnly(SafeFileHandle handle)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        try
        {
            return IsWriteOnly(File.GetUnixFileMode(handle));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool IsWriteOnly(string fullPath)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        try
        {
            return IsWriteOnly(File.GetUnixFileMode(fullPath));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static AttributeRead? ReadDescriptor(int fd, int maxBytes, byte[] scratch)
    {
        var buffer = scratch;
        var total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                if (buffer.Length > maxBytes)
                {
                    return new AttributeRead(AttributeReadStatus.TooLarge, null, $"more than {maxBytes} bytes");
                }

                var larger = new byte[Math.Min(buffer.Length * 4, maxBytes + 1)];
                buffer.AsSpan(0, total).CopyTo(larger);
                buffer = larger;
            }

            var read = NativeFs.Read(fd, buffer.AsSpan(total));
            if (read < 0)
            {
                return null;
            }

            if (read == 0)
            {
                return new AttributeRead(AttributeReadStatus.Ok, Encoding.UTF8.GetString(buffer, 0, total), null);
            }

            total += read;
        }
    }

    private static AttributeRead ReadManaged(string fullPath, int maxBytes)
    {
        try
        {
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0, FileOptions.None);
            if (IsWriteOnly(stream.SafeFileHandle))
            {
                return WriteOnlyRead;
            }

            var buffer = new byte[Math.Min(maxBytes + 1, 4096)];
            var total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    if (buffer.Length > maxBytes)
                    {
                        return new AttributeRead(AttributeReadStatus.TooLarge, null, $"more than {maxBytes} bytes");
                    }

                    Array.Resize(ref buffer, Math.Min(buffer.Length * 4, maxBytes + 1));
                }

                var read = stream.Read(buffer, total, buffer.Length - total);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            return new AttributeRead(AttributeReadStatus.Ok, Encoding.UTF8.GetString(buffer, 0, total), null);
        }
        catch (FileNotFoundException ex)
        {
            return new AttributeRead(AttributeReadStatus.Missing, null, ex.Message);
        }
        catch (DirectoryNotFoundException ex)
        {
            return new AttributeRead(AttributeReadStatus.Missing, null, ex.Message);
        }
        catch (UnauthorizedAccessException ex)
        {
            return IsWriteOnly(fullPath) ? WriteOnlyRead : new AttributeRead(AttributeReadStatus.Denied, null, ex.Message);
        }
        catch (IOException ex)
        {
            return new AttributeRead(AttributeReadStatus.IoError, null, ex.Message);
        }
        catch (Exception ex)
        {
            return new AttributeRead(AttributeReadStatus.IoError, null, ex.GetType().Name + ": " + ex.Message);
        }
    }
}
