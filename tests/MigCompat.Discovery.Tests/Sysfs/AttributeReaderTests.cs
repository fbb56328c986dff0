using MigCompat.Discovery.Files;

namespace MigCompat.Discovery.Tests.Sysfs;

/// <summary>
/// Timed, size-limited file reads (sysfs attributes, profiles, rule packs): the byte limit, write-only
/// files, and what a file that never answers (a FIFO nobody writes) costs. Every FIFO is unblocked in <c>finally</c>.
/// </summary>
public class AttributeReaderTests
{
    /// <summary>For waits that should succeed: never reached unless something is broken.</summary>
    private static readonly TimeSpan Answered = TimeSpan.FromSeconds(5);

    /// <summary>For waits that should time out.</summary>
    private static readonly TimeSpan Stuck = TimeSpan.FromMilliseconds(300);

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
        var read = AttributeReader.Read(fixture.Full("a/attr"), 4096, Answered);

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

        var read = AttributeReader.Read(fixture.Full("a/attr"), maxBytes, Answered);

        Assert.Equal(Enum.Parse<AttributeReadStatus>(expected), read.Status);
        Assert.Equal(read.Status == AttributeReadStatus.Ok ? new string('x', length) : null, read.Text);
        Assert.Equal(read.Status == AttributeReadStatus.Ok, read.Reason is null);
    }

    [Fact]
    public void A_read_gives_the_text_or_gives_up_after_the_timeout_on_a_file_that_never_answers()
    {
        using var fixture = new SysfsFixture();
        fixture.File("p/profile", "x\n").Fifo("p/blocking");
        try
        {
            Assert.Equal(new AttributeRead(AttributeReadStatus.Ok, "x\n", null), AttributeReader.Read(fixture.Full("p/profile"), 4096, Answered));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal(AttributeReadStatus.TimedOut, AttributeReader.Read(fixture.Full("p/blocking"), 4096, Stuck).Status);
            Assert.True(clock.Elapsed < Answered, $"the read took {clock.Elapsed}");

            // The abandoned read does not hold up the next one.
            Assert.Equal("x\n", AttributeReader.Read(fixture.Full("p/profile"), 4096, Answered).Text);
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
}
