namespace MigCompat.Discovery.Sysfs;

/// <summary>
/// The timed attribute reads of one scan, on one dedicated background thread with a first-in,
/// first-out queue of batches. <see cref="Start"/> queues a batch and returns at once, so a caller
/// can queue several batches ahead and collect them later (the thread reads ahead, in order); when
/// the queue is empty the thread sleeps in <see cref="Monitor.Wait(object)"/>, it does not spin.
/// <para>
/// A caller waiting for a file gives up when the thread has finished no file for the timeout. The
/// thread is then stuck on one file, of the awaited batch or of an earlier one that has not been
/// collected yet; it is retired: that batch is abandoned at the stuck file (it and every later file
/// of the batch report <see cref="AttributeReadStatus.TimedOut"/>), and the batches queued after it
/// go to a new thread. When the stuck batch is the awaited one the wait times out; otherwise the
/// caller waits again, with a fresh timeout, for the new thread. A retired thread whose read returns
/// (if ever) exits without touching any batch or the queue, so a blocking <c>show</c> or a FIFO
/// costs one parked background thread, never a thread-pool thread. At most one thread is live (not
/// retired) at a time.
/// </para>
/// <para>
/// Thread-safe, though a scan uses it from one thread. <see cref="Dispose"/> retires the live thread
/// without waiting for it (an idle one exits at once, a reading one when its read returns) and
/// abandons the batches not read yet.
/// </para>
/// </summary>
internal sealed class AttributeReaderThread : IDisposable
{
    /// <summary>The name of every reader thread (seen in debuggers and <c>/proc/PID/task/*/comm</c>).</summary>
    public const string ThreadName = "migcompat-sysfs-reader";

    /// <summary>Guards everything below and every batch's progress; waited on by idle threads and by callers.</summary>
    private readonly object gate = new();

    /// <summary>Batches queued and not yet taken by the live thread, oldest first.</summary>
    private readonly Queue<AttributeBatch> queue = new();

    /// <summary>The batch the live thread is reading (its file <see cref="AttributeBatch.Completed"/>), or null when the thread is idle or not started.</summary>
    private AttributeBatch? current;

    /// <summary>Which thread is live: a thread started for generation <c>g</c> is retired once this is no longer <c>g</c>.</summary>
    private long generation;

    /// <summary>Whether a thread of the current generation exists.</summary>
    private bool running;

    /// <summary>Whether the live thread sleeps waiting for a batch (a <see cref="Start"/> must wake it).</summary>
    private bool idle;

    /// <summary>Files finished by live threads so far; a waiting caller sees progress as a change.</summary>
    private long progress;

    private bool disposed;

    private int threadsStarted;

    private int threadsAlive;

    /// <summary>Threads started so far (the first, and one after each retirement with batches left).</summary>
    internal int ThreadsStarted => Volatile.Read(ref threadsStarted);

    /// <summary>Threads that have not exited yet: the live one and retired ones still stuck in a read.</summary>
    internal int ThreadsAlive => Volatile.Read(ref threadsAlive);

    /// <summary>Reads one file: a batch of one, collected at once.</summary>
    public AttributeRead Read(string fullPath, int maxBytes, TimeSpan timeout) => Start([fullPath], maxBytes).Wait(0, timeout);

    /// <summary>
    /// Queues the files, to be read in this order after the batches queued before, each with at most
    /// <paramref name="maxBytes"/> bytes; returns at once. <see cref="AttributeBatch.Wait"/> collects each.
    /// </summary>
    public AttributeBatch Start(string[] fullPaths, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(fullPaths);
        var batch = new AttributeBatch(this, fullPaths, maxBytes);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            queue.Enqueue(batch);
            if (!running)
            {
                StartThread();
            }
            else if (idle)
            {
                Monitor.PulseAll(gate);
            }
        }

        return batch;
    }

    /// <summary>Retires the live thread without waiting for it and abandons every batch not read yet.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            current?.Abandon();
            current = null;
            foreach (var batch in queue)
            {
                batch.Abandon();
            }

            queue.Clear();
            generation++;
            running = false;
            Monitor.PulseAll(gate);
        }
    }

    /// <summary>Waits for file <paramref name="index"/> of <paramref name="batch"/> (one of this reader's); see <see cref="AttributeBatch.Wait"/>.</summary>
    internal AttributeRead Wait(AttributeBatch batch, int index, TimeSpan timeout)
    {
        var limit = (long)timeout.TotalMilliseconds;
        lock (gate)
        {
            var seen = progress;
            var started = Environment.TickCount64;
            while (batch.Completed <= index && !batch.Abandoned)
            {
                var left = limit - (Environment.TickCount64 - started);
                if (left <= 0)
                {
                    if (current is null)
                    {
                        // The thread is not in a read (not scheduled yet): nothing to retire, the batch is given up.
                        batch.Abandon();
                        break;
                    }

                    // Stuck on a file of this batch (which ends the wait) or of an earlier one (then the rest
                    // of the queue, this batch included, moves to a new thread and the wait starts afresh).
                    Retire();
                    seen = progress;
                    started = Environment.TickCount64;
                    continue;
                }

                Monitor.Wait(gate, (int)Math.Min(left, int.MaxValue));
                if (progress != seen)
                {
                    // Progress: each file gets its own full timeout, as if read alone.
                    seen = progress;
                    started = Environment.TickCount64;
                }
            }

            return batch.Completed > index
                ? batch.Result(index)
                : new AttributeRead(AttributeReadStatus.TimedOut, null, $"no answer within {timeout.TotalMilliseconds:0} ms");
        }
    }

    /// <summary>Under the gate: abandons the batch the live thread is stuck in and hands the queue to a new thread.</summary>
    private void Retire()
    {
        current!.Abandon();
        current = null;
        generation++;
        running = false;
        if (queue.Count > 0)
        {
            StartThread();
        }

        Monitor.PulseAll(gate);
    }

    /// <summary>Under the gate: starts the thread of the current generation.</summary>
    private void StartThread()
    {
        var me = generation;
        var thread = new Thread(() => Run(me)) { IsBackground = true, Name = ThreadName };
        running = true;
        idle = false;
        Interlocked.Increment(ref threadsStarted);
        Interlocked.Increment(ref threadsAlive);
        try
        {
            thread.UnsafeStart();
        }
        catch
        {
            running = false;
            Interlocked.Decrement(ref threadsAlive);
            throw;
        }
    }

    /// <summary>The thread of generation <paramref name="me"/>: reads the queue in order until retired.</summary>
    private void Run(long me)
    {
        try
        {
            var scratch = Array.Empty<byte>();
            AttributeBatch? batch = null;
            var index = 0;
            var result = default(AttributeRead);
            while (true)
            {
                lock (gate)
                {
                    if (generation != me)
                    {
                        // Retired while reading (or before starting): the batch and the queue belong to others now.
                        return;
                    }

                    if (batch is not null)
                    {
                        batch.Complete(index, result);
                        progress++;
                        Monitor.PulseAll(gate);
                    }

                    while (true)
                    {
                        if (current is { Abandoned: false } next && next.Completed < next.Count)
                        {
                            batch = next;
                            index = next.Completed;
                            break;
                        }

                        if (queue.TryDequeue(out current))
                        {
                            continue;
                        }

                        idle = true;
                        Monitor.Wait(gate);
                        if (generation != me)
                        {
                            return;
                        }

                        idle = false;
                    }
                }

                var size = batch.MaxBytes >= 4096 ? 4096 : batch.MaxBytes + 1;
                if (scratch.Length != size)
                {
                    scratch = new byte[size];
                }

                result = AttributeReader.ReadNow(batch.Path(index), batch.MaxBytes, scratch);
            }
        }
        finally
        {
            Interlocked.Decrement(ref threadsAlive);
        }
    }
}

/// <summary>
/// Files queued together on an <see cref="AttributeReaderThread"/>, read in order. The caller collects
/// result <c>i</c> with <see cref="Wait"/>, in any order and at any time after <see cref="AttributeReaderThread.Start"/>.
/// Once abandoned (a file did not answer in time, or the reader was disposed), the files not read by
/// then are never read and report <see cref="AttributeReadStatus.TimedOut"/>.
/// </summary>
internal sealed class AttributeBatch
{
    private readonly AttributeReaderThread owner;
    private readonly string[] fullPaths;
    private readonly AttributeRead[] results;

    /// <summary>Files read so far (written under the owner's gate, after the result).</summary>
    private int completed;

    internal AttributeBatch(AttributeReaderThread owner, string[] fullPaths, int maxBytes)
    {
        this.owner = owner;
        this.fullPaths = fullPaths;
        MaxBytes = maxBytes;
        results = new AttributeRead[fullPaths.Length];
    }

    /// <summary>How many files the batch reads.</summary>
    public int Count => fullPaths.Length;

    /// <summary>The byte limit of every file of the batch.</summary>
    public int MaxBytes { get; }

    /// <summary>Files read so far, in order.</summary>
    internal int Completed => Volatile.Read(ref completed);

    /// <summary>Whether the files not read yet will never be read (under the owner's gate).</summary>
    internal bool Abandoned { get; private set; }

    /// <summary>
    /// The result of file <paramref name="index"/>; waits while the reader makes progress (on this batch
    /// or the ones queued before it) and gives <see cref="AttributeReadStatus.TimedOut"/> when it finished
    /// no file within <paramref name="timeout"/> while stuck on this batch (a file before
    /// <paramref name="index"/>, or that file). Stuck on an earlier batch, the reader is replaced and the
    /// wait goes on (see <see cref="AttributeReaderThread"/>).
    /// </summary>
    public AttributeRead Wait(int index, TimeSpan timeout)
    {
        if (index < Completed)
        {
            return results[index];
        }

        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return owner.Wait(this, index, timeout);
    }

    internal string Path(int index) => fullPaths[index];

    internal AttributeRead Result(int index) => results[index];

    /// <summary>Under the owner's gate, by the live thread: file <paramref name="index"/> (the next one) is read.</summary>
    internal void Complete(int index, AttributeRead result)
    {
        results[index] = result;
        Volatile.Write(ref completed, index + 1);
    }

    /// <summary>Under the owner's gate: the files not read yet never will be.</summary>
    internal void Abandon() => Abandoned = true;
}
