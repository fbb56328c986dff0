using System.Globalization;
using System.Text;
using MigCompat.Core.Diagnostics;

namespace MigCompat.Cli.Input;

/// <summary>
/// Reads a text file with a size limit and a deadline: never more than the limit + 1 bytes, and a
/// read that blocks (a FIFO, a stuck sysfs attribute) is abandoned after the timeout. Never throws
/// for I/O problems; they come back as a diagnostic naming the file.
/// </summary>
internal static class BoundedFile
{
    /// <summary>How long one file read may take.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Reads <paramref name="path"/> as UTF-8, at most <paramref name="maxBytes"/> bytes. Invalid UTF-8
    /// is never replaced by U+FFFD: it is an error (<see cref="CliDiagnosticCodes.InvalidUtf8"/>) at the
    /// line and column of the first bad byte, whose 0-based offset the message names.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The largest file accepted.</param>
    /// <param name="text">The text, when read.</param>
    /// <param name="problem">Why it was not read, as an error diagnostic located at the file.</param>
    /// <returns>True when the text was read.</returns>
    public static bool TryRead(string path, int maxBytes, out string text, out Diagnostic? problem)
    {
        text = string.Empty;
        problem = null;
        if (Directory.Exists(path))
        {
            problem = Error(CliDiagnosticCodes.Unreadable, path, "is a directory, not a file");
            return false;
        }

        if (!File.Exists(path))
        {
            problem = Error(CliDiagnosticCodes.NotFound, path, "no such file");
            return false;
        }

        var read = Task.Run(() => ReadBytes(path, maxBytes));
        return Decode(path, maxBytes, read, out text, out problem);
    }

    /// <summary>
    /// Reads standard input like <see cref="TryRead"/> reads a file (size limit, strict UTF-8, byte order mark dropped;
    /// no time limit: a pipe ends when its writer closes it). Input past the limit is not read.
    /// </summary>
    /// <param name="name">What diagnostics call the input (e.g. <c>stdin</c>).</param>
    /// <param name="maxBytes">The largest input accepted.</param>
    /// <param name="text">The text, when read.</param>
    /// <param name="problem">Why it was not read.</param>
    /// <returns>True when the text was read.</returns>
    public static bool TryReadStandardInput(string name, int maxBytes, out string text, out Diagnostic? problem)
    {
        using var stdin = Console.OpenStandardInput();
        var read = Task.FromResult(ReadBytes(stdin, maxBytes));
        return Decode(name, maxBytes, read, out text, out problem, Timeout.InfiniteTimeSpan);
    }

    private static bool Decode(string path, int maxBytes, Task<(byte[]? Bytes, string? Failure)> read, out string text, out Diagnostic? problem, TimeSpan? timeout = null)
    {
        text = string.Empty;
        problem = null;
        if (!read.Wait(timeout ?? ReadTimeout))
        {
            problem = Error(CliDiagnosticCodes.Unreadable, path, string.Create(CultureInfo.InvariantCulture, $"the read did not finish within {ReadTimeout.TotalSeconds:0} s and was abandoned"));
            return false;
        }

        var (bytes, failure) = read.Result;
        if (failure is not null)
        {
            problem = Error(CliDiagnosticCodes.Unreadable, path, "cannot be read: " + failure);
            return false;
        }

        if (bytes!.Length > maxBytes)
        {
            problem = Error(CliDiagnosticCodes.TooLarge, path, string.Create(CultureInfo.InvariantCulture, $"is larger than {maxBytes} bytes and was not read; check that the right file was given"));
            return false;
        }

        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            problem = InvalidUtf8(path, bytes);
            text = string.Empty;
            return false;
        }

        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        return true;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The error for the first invalid UTF-8 sequence in <paramref name="bytes"/>, at its line and column (in characters).</summary>
    /// <param name="path">The file.</param>
    /// <param name="bytes">Its content, known not to be valid UTF-8.</param>
    /// <returns>The diagnostic.</returns>
    internal static Diagnostic InvalidUtf8(string path, ReadOnlySpan<byte> bytes)
    {
        var invalid = MigCompat.Discovery.Files.Utf8Text.FirstInvalidByte(bytes);
        var valid = invalid < 0 ? bytes.Length : invalid;

        var lineStart = bytes[..valid].LastIndexOf((byte)'\n') + 1;
        var line = bytes[..lineStart].Count((byte)'\n') + 1;
        var before = bytes[lineStart..valid];
        if (line == 1 && before.StartsWith("\uFEFF"u8))
        {
            before = before[3..]; // the byte order mark is not content
        }

        var column = Encoding.UTF8.GetCharCount(before) + 1;
        var badByte = valid < bytes.Length ? bytes[valid] : (byte)0;
        var message = string.Create(CultureInfo.InvariantCulture, $"invalid UTF-8 at byte {valid} (0x{badByte:X2}); the file must be UTF-8 text, check its encoding");
        return Diagnostic.Error(CliDiagnosticCodes.InvalidUtf8, message, path, line, column);
    }

    private static (byte[]? Bytes, string? Failure) ReadBytes(string path, int maxBytes)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.None);
            return ReadBytes(stream, maxBytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return (null, ex.Message);
        }
    }

    private static (byte[]? Bytes, string? Failure) ReadBytes(Stream stream, int maxBytes)
    {
        try
        {
            var buffer = new byte[Math.Min(maxBytes + 1, 64 * 1024)];
            using var collected = new MemoryStream();
            while (collected.Length <= maxBytes)
            {
                var wanted = (int)Math.Min(buffer.Length, maxBytes + 1 - collected.Length);
                var count = stream.Read(buffer, 0, wanted);
                if (count == 0)
                {
                    break;
                }

                collected.Write(buffer, 0, count);
            }

            return (collected.ToArray(), null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return (null, ex.Message);
        }
    }

    private static Diagnostic Error(string code, string path, string message) => Diagnostic.Error(code, message, path, 0, 0);
}
