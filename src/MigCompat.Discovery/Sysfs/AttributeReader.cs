using System.Text;

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
}

/// <summary>The outcome of one attribute read.</summary>
/// <param name="Status">How the read ended.</param>
/// <param name="Text">The text (UTF-8, invalid bytes replaced), when <see cref="AttributeReadStatus.Ok"/>.</param>
/// <param name="Reason">The system's reason for a failure.</param>
internal readonly record struct AttributeRead(AttributeReadStatus Status, string? Text, string? Reason);

/// <summary>
/// Reads files with a byte limit and a deadline. Reads run on a thread-pool worker; the caller waits
/// at most the timeout, so an attribute whose <c>show</c> blocks (or a FIFO) stalls one abandoned
/// worker, never the scan. Never reads more than limit + 1 bytes, never writes. The attributes of one
/// directory can be handed to one worker together (<see cref="Start"/>): one hand-off instead of one
/// per file, with the same per-file deadline (the caller waits at most the timeout for the worker to
/// make progress).
/// </summary>
internal static class AttributeReader
{
    public static AttributeRead Read(string fullPath, int maxBytes, TimeSpan timeout)
    {
        var batch = Start([fullPath], maxBytes);
        return batch.Wait(0, timeout);
    }

    /// <summary>Hands the files to one worker, which reads them in order; <see cref="AttributeBatch.Wait"/> collects each.</summary>
    public static AttributeBatch Start(string[] fullPaths, int maxBytes)
    {
        var batch = new AttributeBatch(fullPaths, maxBytes);
        ThreadPool.UnsafeQueueUserWorkItem(static b => b.Run(), batch, preferLocal: false);
        return batch;
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
            return new AttributeRead(AttributeReadStatus.Denied, null, ex.Message);
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

/// <summary>
/// Files read in order by one worker. The caller collects result <c>i</c> with <see cref="Wait"/>; it
/// waits while the worker makes progress, and gives up after the timeout passes without any file
/// finishing. After a timeout the worker, once (if ever) its read returns, reads nothing more.
/// </summary>
internal sealed class AttributeBatch(string[] fullPaths, int maxBytes)
{
    private readonly AttributeRead[] results = new AttributeRead[fullPaths.Length];
    private readonly object gate = new();
    private int completed;
    private bool abandoned;

    /// <summary>How many files the batch reads.</summary>
    public int Count => fullPaths.Length;

    /// <summary>The result of file <paramref name="index"/>, or <see cref="AttributeReadStatus.TimedOut"/> when the worker made no progress within <paramref name="timeout"/>.</summary>
    public AttributeRead Wait(int index, TimeSpan timeout)
    {
        lock (gate)
        {
            var seen = completed;
            var started = Environment.TickCount64;
            while (completed <= index && !abandoned)
            {
                var left = (long)timeout.TotalMilliseconds - (Environment.TickCount64 - started);
                if (left <= 0)
                {
                    abandoned = true;
                    break;
                }

                Monitor.Wait(gate, TimeSpan.FromMilliseconds(left));
                if (completed != seen)
                {
                    // Progress: each file gets its own full timeout, as if read alone.
                    seen = completed;
                    started = Environment.TickCount64;
                }
            }

            return completed > index
                ? results[index]
                : new AttributeRead(AttributeReadStatus.TimedOut, null, $"no answer within {timeout.TotalMilliseconds:0} ms");
        }
    }

    /// <summary>The worker: reads each file unless the caller has given up.</summary>
    public void Run()
    {
        var scratch = new byte[Math.Min(maxBytes + 1, 4096)];
        for (var i = 0; i < fullPaths.Length; i++)
        {
            var result = AttributeReader.ReadNow(fullPaths[i], maxBytes, scratch);
            lock (gate)
            {
                if (abandoned)
                {
                    return;
                }

                results[i] = result;
                completed = i + 1;
                Monitor.PulseAll(gate);
            }
        }
    }
}
