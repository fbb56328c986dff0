using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MigCompat.Discovery.Inventory;

/// <summary>
/// Maps JSON paths (<c>$.devices[2].kind</c>) of a well-formed document to 1-based line and column,
/// so diagnostics about values found in a <see cref="JsonDocument"/> can point into the text.
/// Built once per document, only when a diagnostic needs a location.
/// </summary>
internal sealed class JsonLocationIndex
{
    private readonly Dictionary<string, long> offsets = new(StringComparer.Ordinal);
    private readonly byte[] utf8;
    private readonly List<int> lineStarts = [0];

    private JsonLocationIndex(byte[] utf8)
    {
        this.utf8 = utf8;
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                lineStarts.Add(i + 1);
            }
        }
    }

    /// <summary>Indexes a document that has already parsed successfully.</summary>
    public static JsonLocationIndex Build(byte[] utf8)
    {
        var index = new JsonLocationIndex(utf8);
        try
        {
            index.Walk();
        }
        catch (JsonException)
        {
            // The document parsed before; a failure here only means fewer locations.
        }

        return index;
    }

    /// <summary>The 1-based line and column of the path, or of its nearest indexed ancestor; (0, 0) when none.</summary>
    public (int Line, int Column) Locate(string path)
    {
        var current = path;
        while (true)
        {
            if (offsets.TryGetValue(current, out var offset))
            {
                return ToLineColumn(offset);
            }

            var parent = JsonPath.Parent(current);
            if (parent is null)
            {
                return (0, 0);
            }

            current = parent;
        }
    }

    private (int Line, int Column) ToLineColumn(long offset)
    {
        var lineIndex = lineStarts.BinarySearch((int)offset);
        if (lineIndex < 0)
        {
            lineIndex = ~lineIndex - 1;
        }

        var start = lineStarts[lineIndex];
        var column = Encoding.UTF8.GetCharCount(utf8, start, (int)offset - start) + 1;
        return (lineIndex + 1, column);
    }

    private void Walk()
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = InventoryJson.MaxDepth });
        var frames = new Stack<Frame>();
        string? propertyName = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    // Paths of properties point at their values: that is where a wrong value is.
                    propertyName = reader.GetString() ?? string.Empty;
                    break;
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    {
                        var path = ValuePath(frames, propertyName);
                        offsets.TryAdd(path, reader.TokenStartIndex);
                        frames.Push(new Frame(path, reader.TokenType == JsonTokenType.StartArray));
                        break;
                    }

                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    frames.Pop();
                    break;
                default:
                    offsets.TryAdd(ValuePath(frames, propertyName), reader.TokenStartIndex);
                    break;
            }
        }
    }

    private static string ValuePath(Stack<Frame> frames, string? propertyName)
    {
        if (frames.Count == 0)
        {
            return JsonPath.Root;
        }

        var top = frames.Peek();
        return top.IsArray ? JsonPath.Index(top.Path, top.NextIndex++) : JsonPath.Property(top.Path, propertyName ?? string.Empty);
    }

    private sealed class Frame(string path, bool isArray)
    {
        public string Path { get; } = path;

        public bool IsArray { get; } = isArray;

        public int NextIndex { get; set; }
    }
}

/// <summary>Builds and splits the JSON paths used in diagnostics: <c>$</c>, <c>$.name</c>, <c>$["odd name"]</c>, <c>$[3]</c>.</summary>
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

    /// <summary>The enclosing path, or null for the root.</summary>
    public static string? Parent(string path)
    {
        if (path.Length <= 1)
        {
            return null;
        }

        if (path[^1] == ']')
        {
            // Find the '[' that opens the last segment; a quoted name may itself contain '['.
            var inString = false;
            for (var i = path.Length - 2; i >= 0; i--)
            {
                var c = path[i];
                if (c == '"' && (i == 0 || path[i - 1] != '\\'))
                {
                    inString = !inString;
                }
                else if (c == '[' && !inString)
                {
                    return path[..i];
                }
            }

            return null;
        }

        var dot = path.LastIndexOf('.');
        return dot <= 0 ? null : path[..dot];
    }

    private static bool IsPlain(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-');
}
