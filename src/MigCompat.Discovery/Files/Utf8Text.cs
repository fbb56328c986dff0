namespace MigCompat.Discovery.Files;

/// <summary>Where text that must be UTF-8 is not: the one place files and attributes are checked, never read with U+FFFD.</summary>
public static class Utf8Text
{
    /// <summary>The offset of the first byte that does not start a valid UTF-8 sequence, or -1 when all of it is valid.</summary>
    /// <param name="bytes">The text's bytes.</param>
    /// <returns>The offset, from 0; -1 for valid UTF-8.</returns>
    public static int FirstInvalidByte(ReadOnlySpan<byte> bytes)
    {
        var valid = 0;
        while (valid < bytes.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[valid..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return valid;
            }

            valid += consumed;
        }

        return -1;
    }
}
