using System.Text;
using System.Text.Json;

namespace MigCompat.Discovery.Json;

/// <summary>
/// The one forward pass over JSON text that says what is wrong with it and where, for every reader that
/// must report on text (the inventory reader, the importers, the server's strict request bodies): is it
/// well-formed within a nesting limit, is every string (value or property name) Unicode text, is any
/// property given twice in one object, where do given JSON paths start, and which value starts last
/// before a byte offset. It finds; each caller words its own message.
/// </summary>
public static class JsonTextScanner
{
    /// <summary>The message for a string that is not text: a lone UTF-16 surrogate escape, or bytes that are not UTF-8.</summary>
    public const string NotTextMessage = "a string that escapes a lone UTF-16 surrogate (such as \\ud800 without a low surrogate after it) or is not valid UTF-8; JSON text must be valid Unicode: write the character itself or a surrogate pair";

    /// <summary>Scans <paramref name="utf8"/>.</summary>
    /// <param name="utf8">The document, UTF-8 encoded.</param>
    /// <param name="maxDepth">The nesting limit; deeper is <see cref="JsonProblemKind.Malformed"/>.</param>
    /// <param name="paths">JSON paths (<see cref="JsonPath"/>) to locate, each at the start of its value; none when null.</param>
    /// <param name="before">A byte offset: <see cref="JsonScan.Before"/> is the last value that starts before it; -1 for none.</param>
    /// <returns>What the pass found.</returns>
    public static JsonScan Scan(ReadOnlySpan<byte> utf8, int maxDepth, IReadOnlyCollection<string>? paths = null, long before = -1)
    {
        var result = new JsonScan(utf8.ToArray());
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = maxDepth });
        var frames = new List<Frame>();
        try
        {
            while (reader.Read())
            {
                var token = reader.TokenType;
                var top = frames.Count == 0 ? null : frames[^1];
                if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    frames.RemoveAt(frames.Count - 1);
                    continue;
                }

                if (token == JsonTokenType.PropertyName)
                {
                    var name = TryGetString(ref reader);
                    if (name is null)
                    {
                        result.Add(new JsonProblem(JsonProblemKind.NotTextPropertyName, top!.Path, reader.TokenStartIndex));
                        name = "\uFFFD";
                    }

                    top!.Property = name;
                    if (!(top.Names ??= new HashSet<string>(StringComparer.Ordinal)).Add(name))
                    {
                        result.Add(new JsonProblem(JsonProblemKind.DuplicateProperty, JsonPath.Property(top.Path, name), reader.TokenStartIndex, name));
                    }

                    continue;
                }

                var path = Here(top);
                if (top is { IsArray: true })
                {
                    top.NextIndex++;
                }

                var text = token == JsonTokenType.String ? TryGetString(ref reader) : string.Empty;
                if (text is null)
                {
                    result.Add(new JsonProblem(JsonProblemKind.NotTextString, path, reader.TokenStartIndex));
                    text = "\uFFFD";
                }

                if (paths is not null && paths.Contains(path))
                {
                    result.Offsets.TryAdd(path, reader.TokenStartIndex);
                }

                if (reader.TokenStartIndex < before)
                {
                    result.Before = (path, token, reader.TokenStartIndex, token == JsonTokenType.Number ? Encoding.UTF8.GetString(reader.ValueSpan) : "\"" + text + "\"");
                }

                if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    frames.Add(new Frame(path, token == JsonTokenType.StartArray));
                }
            }
        }
        catch (JsonException ex)
        {
            var offset = ex is { LineNumber: { } line, BytePositionInLine: { } position } ? Offset(utf8, line, position) : utf8.Length;
            result.Add(new JsonProblem(JsonProblemKind.Malformed, Here(frames.Count == 0 ? null : frames[^1]), offset, Exception: ex));
        }

        return result;
    }

    /// <summary>The byte offset of a 0-based line and byte position, as <see cref="JsonException"/> gives them.</summary>
    public static long Offset(ReadOnlySpan<byte> utf8, long line, long bytePositionInLine)
    {
        var start = 0;
        for (var i = 0; i < line && start < utf8.Length; i++)
        {
            var newline = utf8[start..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                return utf8.Length;
            }

            start += newline + 1;
        }

        return start + bytePositionInLine;
    }

    /// <summary>
    /// The parser's message without its own 0-based "LineNumber: 0 | BytePositionInLine: 32." suffix,
    /// which would contradict the 1-based line and column a diagnostic carries.
    /// </summary>
    public static string ParserMessage(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var message = exception.Message;
        var at = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        return at < 0 ? message : message[..at].TrimEnd();
    }

    /// <summary>A human word for a token (<see cref="JsonScan.Before"/>): "a string", "a number", "an object"...</summary>
    public static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => "nothing",
    };

    /// <summary>The path of the value the reader is at (or stopped at) in <paramref name="top"/>: its current index or property.</summary>
    private static string Here(Frame? top) => top switch
    {
        null => JsonPath.Root,
        { IsArray: true } => JsonPath.Index(top.Path, top.NextIndex),
        { Property: { } name } => JsonPath.Property(top.Path, name),
        _ => top.Path,
    };

    private static string? TryGetString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>An open object or array: its path, the next index (arrays) or the last property name and all names so far (objects).</summary>
    private sealed class Frame(string path, bool isArray)
    {
        public string Path { get; } = path;

        public bool IsArray { get; } = isArray;

        public int NextIndex { get; set; }

        public string? Property { get; set; }

        public HashSet<string>? Names { get; set; }
    }
}
