using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace MigCompat.Discovery.Files;

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

    /// <summary>The file is not UTF-8 text (read with <c>strictUtf8</c>); nothing is returned, the reason says where.</summary>
    NotUtf8,
}

/// <summary>The outcome of one attribute read.</summary>
/// <param name="Status">How the read ended.</param>
/// <param name="Text">The text (UTF-8, invalid bytes replaced), when <see cref="AttributeReadStatus.Ok"/>.</param>
/// <param name="Reason">The system's reason for a failure.</param>
internal readonly record struct AttributeRead(AttributeReadStatus Status, string? Text, string? Reason);

/// <summary>
/// Reads a file (a sysfs attribute, a profile, a rule pack) with a byte limit and a deadline. Never
/// reads more than limit + 1 bytes, never writes. The read runs on a thread-pool thread and the caller
/// waits at most the timeout once it has started: an attribute whose driver's <c>show</c> blocks (or a
/// FIFO) leaves that one pool thread blocked until the read returns, if ever, and never the caller.
/// </summary>
internal static class AttributeReader
{
    private const UnixFileMode ReadBits = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode WriteBits = UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    private static readonly AttributeRead WriteOnlyRead = new(AttributeReadStatus.WriteOnly, null, "write-only (no read permission bits)");

    /// <summary>
    /// Reads the file, waiting at most <paramref name="timeout"/> from the moment the read starts (a read
    /// still queued for a busy thread pool does not time out); <see cref="AttributeReadStatus.TimedOut"/> after that.
    /// </summary>
    /// <param name="fullPath">The file.</param>
    /// <param name="maxBytes">The most bytes read.</param>
    /// <param name="timeout">How long the read may take once started.</param>
    /// <param name="strictUtf8">When true, bytes that are not UTF-8 make the read <see cref="AttributeReadStatus.NotUtf8"/> instead of being replaced by U+FFFD.</param>
    public static AttributeRead Read(string fullPath, int maxBytes, TimeSpan timeout, bool strictUtf8 = false)
    {
        var started = new StrongBox<long>();
        var read = Task.Run(() =>
        {
            Volatile.Write(ref started.Value, Environment.TickCount64);
            return ReadNow(fullPath, maxBytes, strictUtf8);
        });
        // A read not started yet is waited for in steps of at least a millisecond (no spinning on a zero timeout).
        var step = timeout > TimeSpan.FromMilliseconds(1) ? timeout : TimeSpan.FromMilliseconds(1);
        var wait = step;
        while (!read.Wait(wait))
        {
            var at = Volatile.Read(ref started.Value);
            var elapsed = at == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Environment.TickCount64 - at);
            if (at != 0 && elapsed >= timeout)
            {
                return new AttributeRead(AttributeReadStatus.TimedOut, null, $"no answer within {timeout.TotalMilliseconds:0} ms");
            }

            wait = at == 0 ? step : timeout - elapsed;
        }

        return read.Result;
    }

    /// <summary>Where the first byte that is not UTF-8 is: <c>invalid UTF-8 at byte N (0xXX)</c>, N counting from 0.</summary>
    private static string NotUtf8Reason(ReadOnlySpan<byte> bytes)
    {
        var bad = Utf8Text.FirstInvalidByte(bytes);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"invalid UTF-8 at byte {bad} (0x{bytes[bad]:X2}); the file must be UTF-8 text");
    }

    /// <summary>True when the mode has write bits and no read bits (see <see cref="AttributeReadStatus.WriteOnly"/>); a mode-000 file is not write-only.</summary>
    internal static bool IsWriteOnly(UnixFileMode mode) => (mode & ReadBits) == 0 && (mode & WriteBits) != 0;

    /// <summary>Reads the file now, on this thread.</summary>
    private static AttributeRead ReadNow(string fullPath, int maxBytes, bool strictUtf8)
    {
        try
        {
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0, FileOptions.None);
            if (IsWriteOnly(stream.SafeFileHandle, fullPath))
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
                    return strictUtf8 && !System.Text.Unicode.Utf8.IsValid(buffer.AsSpan(0, total))
                        ? new AttributeRead(AttributeReadStatus.NotUtf8, null, NotUtf8Reason(buffer.AsSpan(0, total)))
                        : new AttributeRead(AttributeReadStatus.Ok, Encoding.UTF8.GetString(buffer, 0, total), null);
                }

                total += read;
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return new AttributeRead(AttributeReadStatus.Missing, null, ex.Message);
        }
        catch (UnauthorizedAccessException ex)
        {
            return IsWriteOnly(null, fullPath) ? WriteOnlyRead : new AttributeRead(AttributeReadStatus.Denied, null, ex.Message);
        }
        catch (IOException ex)
        {
            return new AttributeRead(AttributeReadStatus.IoError, null, ex.Message);
        }
        catch (Exception ex)
        {
            return new AttributeRead(AttributeReadStatus.IoError, null, ex.Message);
        }
    }

    /// <summary>Whether the open file (else the file at <paramref name="fullPath"/>) is write-only; false when its mode cannot be read.</summary>
    private static bool IsWriteOnly(SafeFileHandle? handle, string fullPath)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        try
        {
            return IsWriteOnly(handle is null ? File.GetUnixFileMode(fullPath) : File.GetUnixFileMode(handle));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
