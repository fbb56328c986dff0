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
/// Reads one file with a byte limit and a deadline. The read runs on a thread-pool worker; the
/// caller waits at most the timeout, so an attribute whose <c>show</c> blocks (or a FIFO) stalls one
/// abandoned worker, never the scan. Never reads more than limit + 1 bytes, never writes.
/// </summary>
internal static class AttributeReader
{
    public static AttributeRead Read(string fullPath, int maxBytes, TimeSpan timeout)
    {
        var pending = new PendingRead(fullPath, maxBytes);
        ThreadPool.UnsafeQueueUserWorkItem(static p => p.Run(), pending, preferLocal: false);
        if (!pending.Done.Wait(timeout))
        {
            // The worker keeps the event and sets it if the read ever returns; it is not disposed here.
            return new AttributeRead(AttributeReadStatus.TimedOut, null, $"no answer within {timeout.TotalMilliseconds:0} ms");
        }

        pending.Done.Dispose();
        return pending.Result;
    }

    private static AttributeRead ReadNow(string fullPath, int maxBytes)
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

    private sealed class PendingRead(string fullPath, int maxBytes)
    {
        public ManualResetEventSlim Done { get; } = new(false);

        public AttributeRead Result { get; private set; }

        public void Run()
        {
            Result = ReadNow(fullPath, maxBytes);
            Done.Set();
        }
    }
}
