using System.Text;
using System.Text.Json;

namespace MigCompat.Discovery.Json;

/// <summary>What <see cref="JsonTextScanner.Scan"/> found; offsets convert to 1-based line and column (in characters).</summary>
public sealed class JsonScan
{
    private readonly byte[] utf8;
    private readonly List<JsonProblem> problems = [];

    internal JsonScan(byte[] utf8) => this.utf8 = utf8;

    /// <summary>The first problem, whatever its kind; null when the text is well-formed, Unicode and without a repeated property.</summary>
    public JsonProblem? First => problems.Count > 0 ? problems[0] : null;

    /// <summary>Where the text stops being well-formed JSON (or nests too deep); the parser's exception is <see cref="JsonProblem.Exception"/>.</summary>
    public JsonProblem? Malformed => problems.Find(p => p.Kind == JsonProblemKind.Malformed);

    /// <summary>The first string (value or property name) that is not Unicode text.</summary>
    public JsonProblem? NotText => problems.Find(p => p.NotText);

    /// <summary>The first property given a second time in its object, at the second one.</summary>
    public JsonProblem? Duplicate => problems.Find(p => p.Kind == JsonProblemKind.DuplicateProperty);

    /// <summary>The last value that starts before the offset asked for: its path, token, where it starts and its text (strings quoted, numbers as written).</summary>
    public (string Path, JsonTokenType Token, long Offset, string Text)? Before { get; internal set; }

    /// <summary>Where each path asked for (and found) starts.</summary>
    internal Dictionary<string, long> Offsets { get; } = new(StringComparer.Ordinal);

    /// <summary>The 1-based line and column of a path asked for; (0, 0) when the document has no such path.</summary>
    public (int Line, int Column) Locate(string path) => Offsets.TryGetValue(path, out var offset) ? LineAndColumn(offset) : (0, 0);

    /// <summary>The 1-based line and column (in characters) of a byte offset into the scanned text.</summary>
    public (int Line, int Column) LineAndColumn(long offset)
    {
        var before = utf8.AsSpan(0, (int)Math.Min(offset, utf8.Length));
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        return (before.Count((byte)'\n') + 1, Encoding.UTF8.GetCharCount(before[lineStart..]) + 1);
    }

    internal void Add(JsonProblem problem) => problems.Add(problem);
}

/// <summary>What kind of problem <see cref="JsonTextScanner.Scan"/> found.</summary>
public enum JsonProblemKind
{
    /// <summary>Not well-formed JSON, or nested deeper than the limit.</summary>
    Malformed,

    /// <summary>A string value that is not Unicode text (a lone surrogate escape, or bytes that are not UTF-8).</summary>
    NotTextString,

    /// <summary>A property name that is not Unicode text; the path is that of its object.</summary>
    NotTextPropertyName,

    /// <summary>A property given twice in one object.</summary>
    DuplicateProperty,
}

/// <summary>One problem in JSON text and where it is.</summary>
/// <param name="Kind">What is wrong.</param>
/// <param name="Path">The JSON path (<see cref="JsonPath"/>): of the value, of the object for a property name that is not text, where the parser stopped for malformed text.</param>
/// <param name="Offset">The byte offset: of the value or property name (the second one for a duplicate), where the parser stopped.</param>
/// <param name="Name">The property's name, for <see cref="JsonProblemKind.DuplicateProperty"/>.</param>
/// <param name="Exception">The parser's exception, for <see cref="JsonProblemKind.Malformed"/>.</param>
public sealed record JsonProblem(JsonProblemKind Kind, string Path, long Offset, string? Name = null, JsonException? Exception = null)
{
    /// <summary>True when the problem is a string or property name that is not Unicode text.</summary>
    public bool NotText => Kind is JsonProblemKind.NotTextString or JsonProblemKind.NotTextPropertyName;
}
