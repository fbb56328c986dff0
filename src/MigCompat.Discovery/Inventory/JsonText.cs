using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MigCompat.Discovery.Inventory;

/// <summary>
/// One forward pass over JSON text, run only when something is to be reported: is it well-formed,
/// is every string (value or property name) Unicode text, is any property given twice in one object,
/// where (line and column) are the given JSON paths, and which value starts last before a byte offset.
/// </summary>
internal static class JsonText
{
    /// <summary>The message for a string that is not text: a lone UTF-16 surrogate escape, or bytes that are not UTF-8.</summary>
    public const string NotTextMessage = "a string that escapes a lone UTF-16 surrogate (such as \\ud800 without a low surrogate after it) or is not valid UTF-8; JSON text must be valid Unicode: write the character itself or a surrogate pair";

    /// <summary>Scans <paramref name="utf8"/>.</summary>
    /// <param name="utf8">The document, UTF-8 encoded.</param>
    /// <param name="maxDepth">The nesting limit.</param>
    /// <param name="paths">JSON paths (<see cref="JsonPath"/>) to locate; each at the start of its value.</param>
    /// <param name="before">A byte offset: <see cref="ScanResult.Before"/> is the last value that starts before it; -1 for none.</param>
    /// <returns>What the pass found.</returns>
    public static ScanResult Scan(ReadOnlySpan<byte> utf8, int maxDepth, IReadOnlyCollection<string> paths, long before = -1)
    {
        var result = new ScanResult(utf8.ToArray());
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = maxDepth });
        var frames = new List<Frame>();
        try
        {
            while (reader.Read())
            {
                var token = reader.TokenType;
                if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    frames.RemoveAt(frames.Count - 1);
                    continue;
                }

                var text = token is JsonTokenType.String or JsonTokenType.PropertyName ? TryGetString(ref reader) : string.Empty;
                if (text is null)
                {
                    result.NotText ??= reader.TokenStartIndex;
                    text = "\uFFFD";
                }

                var top = frames.Count == 0 ? null : frames[^1];
                if (token == JsonTokenType.PropertyName)
                {
                    top!.Property = text;
                    top.Names ??= new HashSet<string>(StringComparer.Ordinal);
                    if (!top.Names.Add(text))
                    {
                        result.Duplicate ??= (JsonPath.Property(top.Path, text), text, reader.TokenStartIndex);
                    }

                    continue;
                }

                var path = top is null ? JsonPath.Root : top.IsArray ? JsonPath.Index(top.Path, top.NextIndex++) : JsonPath.Property(top.Path, top.Property!);
                if (paths.Contains(path))
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
            result.Malformed = ex;
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
    /// which would contradict the 1-based line and column the diagnostic carries.
    /// </summary>
    public static string ParserMessage(JsonException exception)
    {
        var message = exception.Message;
        var at = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        return at < 0 ? message : message[..at].TrimEnd();
    }

    /// <summary>A human word for a token: "a string", "a number", "an object"...</summary>
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

    private sealed class Frame(string path, bool isArray)
    {
        public string Path { get; } = path;

        public bool IsArray { get; } = isArray;

        public int NextIndex { get; set; }

        public string? Property { get; set; }

        public HashSet<string>? Names { get; set; }
    }
}

/// <summary>What <see cref="JsonText.Scan"/> found; offsets convert to 1-based line and column (in characters).</summary>
internal sealed class ScanResult(byte[] utf8)
{
    /// <summary>The parser's exception when the text is not well-formed JSON (or nests too deep).</summary>
    public JsonException? Malformed { get; set; }

    /// <summary>The offset of the first string that is not Unicode text.</summary>
    public long? NotText { get; set; }

    /// <summary>The first property given a second time in its object: its path, name and where the second one starts.</summary>
    public (string Path, string Name, long Offset)? Duplicate { get; set; }

    /// <summary>The last value that starts before the offset asked for: its path, token, where it starts and its text (strings quoted, numbers as written).</summary>
    public (string Path, JsonTokenType Token, long Offset, string Text)? Before { get; set; }

    /// <summary>Where each path asked for (and found) starts.</summary>
    public Dictionary<string, long> Offsets { get; } = new(StringComparer.Ordinal);

    /// <summary>The line and column of a path asked for; (0, 0) when the document has no such path.</summary>
    public (int Line, int Column) Locate(string path) => Offsets.TryGetValue(path, out var offset) ? LineAndColumn(offset) : (0, 0);

    /// <summary>The 1-based line and column (in characters) of a byte offset.</summary>
    public (int Line, int Column) LineAndColumn(long offset)
    {
        var before = utf8.AsSpan(0, (int)Math.Min(offset, utf8.Length));
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        return (before.Count((byte)'\n') + 1, Encoding.UTF8.GetCharCount(before[lineStart..]) + 1);
    }
}

/// <summary>Builds the JSON paths used in diagnostics: <c>$</c>, <c>$.name</c>, <c>$["odd name"]</c>, <c>$[3]</c>.</summary>
internal static class JsonPath
{
    /// <summary>The document root.</summary>
    public const string Root = "$";

    /// <summary>The path of a property of the object at <paramref name="parent"/>.</summary>
    public static string Property(string parent, string name) =>
        IsPlain(name) ? parent + "." + name : parent + "[" + JsonSerializer.Serialize(name) + "]";

    /// <summary>The path of an element of the array at <paramref name="parent"/>.</summary>
    public static string Index(string parent, int index) =>
        parent + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";

    private static bool IsPlain(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-');
}
