using System.Text;
using System.Text.Json;

namespace MigCompat.Discovery.Inventory;

/// <summary>
/// Finds the first JSON string (a value or a property name) that is well-formed JSON but not text:
/// an escape of a lone UTF-16 surrogate (<c>"h\ud800"</c>), which no .NET string read from it can
/// hold. The readers report it as a positioned diagnostic instead of failing when they read it.
/// </summary>
internal static partial class JsonTextCheck
{
    /// <summary>The line and column (1-based, in characters) of the first string that is not valid Unicode text, or null.</summary>
    /// <param name="utf8">Well-formed JSON, UTF-8 encoded.</param>
    /// <param name="maxDepth">The nesting limit the document was parsed with.</param>
    /// <returns>Where the string starts (its opening quote), or null when every string is text.</returns>
    public static (int Line, int Column)? FindInvalidString(ReadOnlySpan<byte> utf8, int maxDepth)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = maxDepth });
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName) || !reader.ValueIsEscaped)
            {
                continue;
            }

            try
            {
                _ = reader.GetString();
            }
            catch (InvalidOperationException)
            {
                return Position(utf8, (int)reader.TokenStartIndex);
            }
        }

        return null;
    }

    /// <summary>The message the readers give for such a string.</summary>
    public const string Message = "a string that escapes a lone UTF-16 surrogate (such as \\ud800 without a low surrogate after it); JSON text must be valid Unicode: write the character itself or a surrogate pair";

    /// <summary>
    /// The parser's message without its own 0-based "LineNumber: 0 | BytePositionInLine: 32." suffix,
    /// which would contradict the 1-based line and column the diagnostic carries.
    /// </summary>
    /// <param name="exception">The parser's exception.</param>
    /// <returns>The message.</returns>
    public static string ParserMessage(JsonException exception) =>
        ParserPosition().Replace(exception.Message, string.Empty);

    [System.Text.RegularExpressions.GeneratedRegex(@"\s*LineNumber: \d+ \| BytePositionInLine: \d+\.\s*$")]
    private static partial System.Text.RegularExpressions.Regex ParserPosition();

    private static (int Line, int Column) Position(ReadOnlySpan<byte> utf8, int offset)
    {
        var before = utf8[..offset];
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        return (before.Count((byte)'\n') + 1, Encoding.UTF8.GetCharCount(before[lineStart..]) + 1);
    }
}
