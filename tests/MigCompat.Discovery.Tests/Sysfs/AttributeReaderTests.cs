using MigCompat.Discovery.Sysfs;

namespace MigCompat.Discovery.Tests.Sysfs;

/// <summary>
/// Timed attribute reads on a scan's dedicated reader thread: order, byte limit, and what a file that
/// never answers (a FIFO nobody writes) costs. Every FIFO is unblocked in <c>finally</c>.
/// </summary>
public class AttributeReaderTests
{
    /// <summary>For waits that should succeed: never reached unless something is broken.</summary>
    private static readonly TimeSpan Answered = TimeSpan.FromSeconds(5);

    /// <summary>For waits that should time out.</summary>
    private static readonly TimeSpan Stuck = TimeSpan.FromMilliseconds(300);

    /// <summary>For waits that time out once on an earlier batch, then succeed on a new thread.</summary>
    private static readonly TimeSpan Retiring = TimeSpan.FromMilliseconds(500);

    [Fact]
    public void Batches_are_read_in_the_order_they_were_queued_and_each_can_be_collected_after_later_ones()
    {
        using var fixture = new SysfsFixture();
        fixture.File("a/1", "a1\n").File("a/2", "a2\n").File("a/3", "a3\n").File("b/1", "b1\n").File("b/2", "b2\n").File("c/1", "c1\n");
        using var reader = new AttributeReaderThread();

        var a = reader.Start([fixture.Full("a/1"), fixture.Full("a/2"), fixture.Full("a/3")], 4096);
        var b = reader.Start([fixture.Full("b/1"), fixture.Full("b/2")], 4096);
        var c = reader.Start([fixture.Full("c/1")], 4096);

        Assert.Equal(new AttributeRead(AttributeReadStatus.Ok, "c1\n", null), c.Wait(0, Answered));
        // The last batch is read, so every earlier one is too: collecting them needs no waiting.
        Assert.Equal(["a1\n", "a2\n", "a3\n"], Enumerable.Range(0, a.Count).Select(i => a.Wait(i, TimeSpan.Zero).Text));
        Assert.Equal(["b1\n", "b2\n"], Enumerable.Range(0, b.Count).Select(i => b.Wait(i, TimeSpan.Zero).Text));
        Assert.Equal(1, reader.ThreadsStarted);
    }

    [Theory]
    [InlineData(UnixFileMode.UserWrite, "WriteOnly")]
    [InlineData(UnixFileMode.UserWrite | UnixFileMode.GroupWrite, "WriteOnly")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite, "Ok")]
    [InlineData(UnixFileMode.UserRead, "Ok")]
    [InlineData(UnixFileMode.OtherRead | UnixFileMode.UserWrite, "Ok")]
    public void A_file_with_write_bits_and_no_read_bits_reads_as_write_only_whoever_reads_it(UnixFileMode mode, string expected)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes");
            return;
        }

        using var fixture = new SysfsFixture();
        fixture.File("a/attr", "1\n");
        File.SetUnixFileMode(fixture.Full("a/attr"), mode);
        using var reader = new AttributeReaderThread();

        var read = reader.Read(fixture.Full("a/attr"), 4096, Answered);

        Assert.Equal(expected, read.Status.ToString());
        Assert.Equal(expected == "Ok" ? "1\n" : null, read.Text);
    }

    [Theory]
    [InlineData(0, 4096, "Ok")]
    [InlineData(4, 4096, "Ok")]
    [InlineData(4096, 4096, "Ok")]
    [InlineData(4097, 4096, "TooLarge")]
    [InlineData(5000, 4096, "TooLarge")]
    [InlineData(4, 4, "Ok")]
    [InlineData(5, 4, "TooLarge")]
    [InlineData(20000, 65536, "Ok")]
    [InlineData(70000, 65536, "TooLarge")]
    [InlineData(-1, 4096, "Missing")]
    public void A_file_is_read_whole_up_to_the_byte_limit_refused_above_it_and_reported_missing_when_absent(int length, int maxBytes, string expected)
    {
        using var fixture = new SysfsFixture();
        if (length >= 0)
        {
            fixture.File("a/attr", new string('x', length));
        }

        using var reader = new AttributeReaderThread();

        var read = reader.Read(fixture.Full("a/attr"), maxBytes, Answered);

        Assert.Equal(Enum.Parse<AttributeReadStatus>(expected), read.Status);
        Assert.Equal(read.Status == AttributeReadStatus.Ok ? new string('x', length) : null, read.Text);
        Assert.Equal(read.Status == AttributeReadStatus.Ok, read.Reason is null);
    }

    [Fact]
    public void Batches_with_different_limits_on_one_thread_each_keep_their_own_limit()
    {
        using var fixture = new SysfsFixture();
        fixture.File("a/long", "abcdefgh").File("a/short", "abc");
        using var reader = new AttributeReaderThread();

        var tight = reader.Start([fixture.Full("a/long"), fixture.Full("a/short")], 4);
        var wide = reader.Start([fixture.Full("a/long")], 4096);
        var tightAgain = reader.Start([fixture.Full("a/long"), fixture.Full("a/gone")], 4);

        Assert.Equal(AttributeReadStatus.TooLarge, tight.Wait(0, Answered).Status);
        Assert.Equal("abc", tight.Wait(1, Answered).Text);
        Assert.Equal("abcdefgh", wide.Wait(0, Answered).Text);
        Assert.Equal(AttributeReadStatus.TooLarge, tightAgain.Wait(0, Answered).Status);
        Assert.Equal(AttributeReadStatus.Missing, tightAgain.Wait(1, Answered).Status);
    }

    [Fact]
    public void A_blocking_file_in_the_awaited_batch_times_out_alone_and_nothing_after_it_in_that_batch_is_read()
    {
        using var fixture = new SysfsFixture();
        fixture.File("a/first", "1\n").Fifo("a/blocking").File("a/last", "3\n").File("b/next", "4\n");
        var reader = new AttributeReaderThread();
        try
        {
            var a = reader.Start([fixture.Full("a/first"), fixture.Full("a/blocking"), fixture.Full("a/last")], 4096);
            var b = reader.Start([fixture.Full("b/next")], 4096);

            Assert.Equal(new AttributeRead(AttributeReadStatus.Ok, "1\n", null), a.Wait(0, Answered));
            Assert.Equal(AttributeReadStatus.TimedOut, a.Wait(1, Stuck).Status);
            Assert.Equal(AttributeReadStatus.TimedOut, a.Wait(2, Answered).Status);
            // The batch queued after it goes to a new thread.
            Assert.Equal("4\n", b.Wait(0, Answered).Text);
            Assert.Equal(2, reader.ThreadsStarted);
        }
        finally
        {
            reader.Dispose();
            Assert.True(UnblockUntilExited(reader, fixture.Full("a/blocking")));
        }
    }

    [Fact]
    public void A_blocking_file_in_an_earlier_uncollected_batch_costs_a_later_wait_one_timeout_and_its_own_batch_reports_it()
    {
        using var fixture = new SysfsFixture();
        fixture.File("a/first", "1\n").Fifo("a/blocking").File("a/after", "3\n").File("b/one", "4\n").File("b/two", "5\n");
        var reader = new AttributeReaderThread();
        try
        {
            var a = reader.Start([fixture.Full("a/first"), fixture.Full("a/blocking"), fixture.Full("a/after")], 4096);
            var b = reader.Start([fixture.Full("b/one"), fixture.Full("b/two")], 4096);
            Assert.Equal("1\n", a.Wait(0, Answered).Text);

            // Waiting on b while the reader is stuck in a: one timeout, then a new thread reads b.
            Assert.Equal(new AttributeRead(AttributeReadStatus.Ok, "4\n", null), b.Wait(0, Retiring));
            Assert.Equal("5\n", b.Wait(1, Answered).Text);
            Assert.Equal(2, reader.ThreadsStarted);

            Assert.Equal(AttributeReadStatus.TimedOut, a.Wait(1, Answered).Status);
            Assert.Equal(AttributeReadStatus.TimedOut, a.Wait(2, Answered).Status);
            Assert.Equal("1\n", a.Wait(0, Answered).Text);

            // The retired thread's read returns (EOF) once the FIFO is unblocked: it exits and changes nothing.
            Assert.True(UnblockUntilExited(reader, fixture.Full("a/blocking"), alive: 1));
            Assert.Equal(AttributeReadStatus.TimedOut, a.Wait(1, Answered).Status);
            Assert.Equal(2, reader.ThreadsStarted);
        }
        finally
        {
            reader.Dispose();
            Assert.True(UnblockUntilExited(reader, fixture.Full("a/blocking")));
        }
    }

    [Fact]
    public void Each_retirement_hands_the_later_batches_to_one_new_thread_and_only_one_thread_reads_at_a_time()
    {
        using var fixture = new SysfsFixture();
        fixture.File("a/first", "1\n").Fifo("a/blocking").File("b/first", "2\n").Fifo("b/blocking").File("c/only", "3\n").File("d/only", "4\n");
        var reader = new AttributeReaderThread();
        try
        {
            var a = reader.Start([fixture.Full("a/first"), fixture.Full("a/blocking")], 4096);
            var b = reader.Start([fixture.Full("b/first"), fixture.Full("b/blocking")], 4096);
            var c = reader.Start([fixture.Full("c/only")], 4096);
            Assert.Equal("1\n", a.Wait(0, Answered).Text);

            Assert.Equal("3\n", c.Wait(0, Retiring).Text);

            Assert.Equal(3, reader.ThreadsStarted);
            Assert.Equal(3, reader.ThreadsAlive);
            Assert.Equal("2\n", b.Wait(0, Answered).Text);
            Assert.Equal(AttributeReadStatus.TimedOut, a.Wait(1, Answered).Status);
            Assert.Equal(AttributeReadStatus.TimedOut, b.Wait(1, Answered).Status);

            // The third thread stays the reader: no thread per batch.
            Assert.Equal("4\n", reader.Start([fixture.Full("d/only")], 4096).Wait(0, Answered).Text);
            Assert.Equal(3, reader.ThreadsStarted);
        }
        finally
        {
            reader.Dispose();
            Assert.True(UnblockUntilExited(reader, fixture.Full("a/blocking"), fixture.Full("b/blocking")));
        }
    }

    [Fact]
    public void Dispose_returns_at_once_with_a_stuck_thread_and_abandons_what_was_not_read()
    {
        using var fixture = new SysfsFixture();
        fixture.File("a/first", "1\n").Fifo("a/blocking").File("b/next", "2\n");
        var reader = new AttributeReaderThread();
        try
        {
            var a = reader.Start([fixture.Full("a/first"), fixture.Full("a/blocking")], 4096);
            var b = reader.Start([fixture.Full("b/next")], 4096);
            Assert.Equal("1\n", a.Wait(0, Answered).Text);

            var disposing = new Thread(reader.Dispose);
            disposing.Start();
            Assert.True(disposing.Join(Answered));

            Assert.Equal("1\n", a.Wait(0, Answered).Text);
            Assert.Equal(AttributeReadStatus.TimedOut, a.Wait(1, Answered).Status);
            Assert.Equal(AttributeReadStatus.TimedOut, b.Wait(0, Answered).Status);
            Assert.Throws<ObjectDisposedException>(() => reader.Start([fixture.Full("b/next")], 4096));
        }
        finally
        {
            reader.Dispose();
            Assert.True(UnblockUntilExited(reader, fixture.Full("a/blocking")));
        }
    }

    [Fact]
    public void An_idle_reader_thread_exits_when_disposed_and_none_is_started_before_the_first_batch()
    {
        using var fixture = new SysfsFixture();
        fixture.File("a/attr", "1\n");
        var reader = new AttributeReaderThread();
        Assert.Equal(0, reader.ThreadsStarted);

        Assert.Equal("1\n", reader.Read(fixture.Full("a/attr"), 4096, Answered).Text);
        reader.Dispose();

        Assert.True(SpinWait.SpinUntil(() => reader.ThreadsAlive == 0, Answered));
        Assert.Equal(1, reader.ThreadsStarted);
    }

    [Fact]
    public void A_one_file_read_outside_a_scan_gives_the_text_or_times_out_on_a_file_that_never_answers()
    {
        using var fixture = new SysfsFixture();
        fixture.File("p/profile", "x\n").Fifo("p/blocking");
        try
        {
            Assert.Equal(new AttributeRead(AttributeReadStatus.Ok, "x\n", null), AttributeReader.Read(fixture.Full("p/profile"), 4096, Answered));
            Assert.Equal(AttributeReadStatus.TimedOut, AttributeReader.Read(fixture.Full("p/blocking"), 4096, Stuck).Status);
        }
        finally
        {
            Unblock(fixture.Full("p/blocking"));
        }
    }

    /// <summary>
    /// Opens the FIFO for reading and writing and closes it: a reader blocked in its open or read gets
    /// end-of-file. Never blocks, whether or not a reader has it open.
    /// </summary>
    private static void Unblock(string fifo)
    {
        using var stream = new FileStream(fifo, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
    }

    /// <summary>
    /// Unblocks the FIFOs until <paramref name="alive"/> reader threads are left (a thread may reach a
    /// FIFO only after an unblock); false when that does not happen within a few seconds.
    /// </summary>
    private static bool UnblockUntilExited(AttributeReaderThread reader, string fifo, string? secondFifo = null, int alive = 0)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            Unblock(fifo);
            if (secondFifo is not null)
            {
                Unblock(secondFifo);
            }

            if (SpinWait.SpinUntil(() => reader.ThreadsAlive == alive, TimeSpan.FromMilliseconds(100)))
            {
                return true;
            }
        }

        return false;
    }
}
