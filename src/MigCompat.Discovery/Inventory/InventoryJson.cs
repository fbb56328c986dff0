using System.Buffers;
using System.Collections.Immutable;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MigCompat.Core.Diagnostics;
using MigCompat.Core.Model;
using MigCompat.Discovery.Json;

namespace MigCompat.Discovery.Inventory;

/// <summary>
/// The JSON form of a <see cref="HostInventory"/> (schema in <c>docs/inventory.md</c>): snake_case
/// names in a fixed order, nulls omitted, non-ASCII text written as UTF-8, <c>\n</c> line ends.
/// Both directions go through one contract (<see cref="InventoryDocumentJson"/> and its source-generated
/// <see cref="InventoryJsonContext"/>). <see cref="Read(string, string?)"/> validates everything and reports
/// problems as diagnostics with codes <c>MCI001</c>..<c>MCI012</c> (see <see cref="InventoryJsonCodes"/>);
/// it never throws on bad input.
/// </summary>
public static class InventoryJson
{
    /// <summary>The largest input <see cref="Read(string, string?)"/> accepts, in UTF-8 bytes (16 MiB).</summary>
    public const int MaxInputBytes = 16 * 1024 * 1024;

    /// <summary>The deepest nesting <see cref="Read(string, string?)"/> accepts.</summary>
    public const int MaxDepth = 32;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NewLine = "\n",
    };

    private static InventoryJsonContext Context => InventoryJsonContext.Default;

    /// <summary>The inventory's name for a device kind: <c>mdev</c>, <c>pci</c> or <c>sriov_vf</c>.</summary>
    /// <param name="kind">A defined kind.</param>
    /// <returns>Its name in the JSON form.</returns>
    public static string KindName(DeviceKind kind) => InventoryNames.Name(kind);

    /// <summary>The inventory's name for a descriptor origin: <c>driver</c>, <c>profile</c>, <c>derived</c> or <c>imported</c>.</summary>
    /// <param name="origin">A defined origin.</param>
    /// <returns>Its name in the JSON form.</returns>
    public static string OriginName(DescriptorOrigin origin) => InventoryNames.Name(origin);

    /// <summary>Writes the inventory as indented JSON text ending in a newline.</summary>
    /// <param name="inventory">The inventory to write; default (uninitialized) arrays are written as empty.</param>
    /// <returns>The JSON text.</returns>
    public static string Serialize(HostInventory inventory)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            JsonSerializer.Serialize(writer, InventoryJsonValidation.ToJson(inventory), Context.InventoryDocumentJson);
        }

        buffer.Write("\n"u8);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Reads and validates an inventory. On any error the inventory is null and the diagnostics say
    /// what to fix; warnings (e.g. unknown properties) do not stop the read.
    /// </summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="fileName">The file name diagnostics should carry, when known.</param>
    /// <returns>The inventory (null on errors) and all diagnostics.</returns>
    public static InventoryReadResult Read(string json, string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        var byteCount = json.Length > MaxInputBytes ? int.MaxValue : Encoding.UTF8.GetByteCount(json);
        if (byteCount > MaxInputBytes)
        {
            return TooLarge(fileName);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(byteCount);
        try
        {
            return Read(buffer.AsSpan(0, Encoding.UTF8.GetBytes(json, buffer)), fileName);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads and validates an inventory given as UTF-8 bytes (for example straight from a database
    /// column), exactly as <see cref="Read(string, string?)"/> reads the same text, without first
    /// making a string of it. Bytes that are not UTF-8 are refused.
    /// </summary>
    /// <param name="utf8Json">The JSON text, UTF-8 encoded, without a byte order mark.</param>
    /// <param name="fileName">The file name diagnostics should carry, when known.</param>
    /// <returns>The inventory (null on errors) and all diagnostics.</returns>
    public static InventoryReadResult Read(ReadOnlySpan<byte> utf8Json, string? fileName = null)
    {
        if (utf8Json.Length > MaxInputBytes)
        {
            return TooLarge(fileName);
        }

        InventoryDocumentJson? document;
        try
        {
            document = JsonSerializer.Deserialize(utf8Json, Context.InventoryDocumentJson);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            return Refused(utf8Json, fileName, e);
        }
        finally
        {
            PooledStringJsonConverter.Clear();
        }

        if (document is null)
        {
            return Failed(Diagnostic.Error(InventoryJsonCodes.WrongType, "$: Expected an object, found null.", fileName, 1, 1));
        }

        var check = new InventoryJsonValidation(withPaths: false);
        var inventory = check.ToInventory(document);
        if (!check.Found)
        {
            return new InventoryReadResult(inventory, []);
        }

        // Something to report: the same checks again, now with the JSON paths.
        var validation = new InventoryJsonValidation(withPaths: true);
        return Report(utf8Json, fileName, validation.ToInventory(document), validation.Issues!);
    }

    /// <summary>
    /// A document that deserialized, with something to report: each issue located at its path, in
    /// input order. A string that is not text (in a property the contract does not read) refuses it.
    /// </summary>
    private static InventoryReadResult Report(ReadOnlySpan<byte> utf8, string? fileName, HostInventory? inventory, IReadOnlyList<InventoryJsonValidation.Issue> issues)
    {
        var scan = JsonTextScanner.Scan(utf8, MaxDepth, issues.Select(issue => issue.Path).ToHashSet(StringComparer.Ordinal));
        if (scan.NotText is { } notText)
        {
            return NotText(scan, notText.Offset, fileName);
        }

        var diagnostics = issues
            .Select(issue => (Issue: issue, At: scan.Locate(issue.Path)))
            .OrderBy(located => located.At)
            .Select(located => new Diagnostic(located.Issue.Severity, located.Issue.Code, $"{located.Issue.Path}: {located.Issue.Message}", fileName, located.At.Line, located.At.Column))
            .ToImmutableArray();
        return new InventoryReadResult(diagnostics.Any(d => d.IsError) ? null : inventory, diagnostics);
    }

    /// <summary>
    /// A document that did not deserialize: a second pass over the text says why and where, in this
    /// order: not well-formed JSON, a string that is not text, a property given twice, a value of the
    /// wrong type (or of the right type, but not a valid value: a fraction, a timestamp without offset).
    /// </summary>
    private static InventoryReadResult Refused(ReadOnlySpan<byte> utf8, string? fileName, Exception exception)
    {
        var failedAt = exception is JsonException { LineNumber: { } failedLine, BytePositionInLine: { } failedPosition } ? JsonTextScanner.Offset(utf8, failedLine, failedPosition) : -1;
        var scan = JsonTextScanner.Scan(utf8, MaxDepth, before: failedAt);
        if (scan.Malformed?.Exception is { } malformed)
        {
            return Failed(Diagnostic.Error(
                InventoryJsonCodes.MalformedJson,
                $"The inventory is not well-formed JSON: {JsonTextScanner.ParserMessage(malformed)}",
                fileName,
                (int)(malformed.LineNumber ?? -1) + 1,
                (int)(malformed.BytePositionInLine ?? -1) + 1));
        }

        if (scan.NotText is { } notText)
        {
            return NotText(scan, notText.Offset, fileName);
        }

        if (scan.Duplicate is { } duplicate)
        {
            var (line, column) = scan.LineAndColumn(duplicate.Offset);
            return Failed(Diagnostic.Error(InventoryJsonCodes.DuplicateProperty, $"{duplicate.Path}: \"{duplicate.Name}\" appears twice in the same object; give each property (and each descriptor field) once.", fileName, line, column));
        }

        if (scan.Before is var (path, token, offset, text))
        {
            var (line, column) = scan.LineAndColumn(offset);
            var (expected, expectedToken) = Expected(path);
            return Failed(token == expectedToken
                ? Diagnostic.Error(InventoryJsonCodes.InvalidValue, $"{path}: {text} is not {expected}.", fileName, line, column)
                : Diagnostic.Error(InventoryJsonCodes.WrongType, $"{path}: Expected {expected}, found {JsonTextScanner.Describe(token)}.", fileName, line, column));
        }

        return Failed(Diagnostic.Error(InventoryJsonCodes.WrongType, $"The inventory could not be read: {exception.Message}", fileName, 1, 1));
    }

    /// <summary>
    /// What the contract expects at a path, in JSON's words, and the token such a value has when only its
    /// content can be wrong (a number for an integer, a string for a timestamp); found from the
    /// source-generated metadata, so the schema is stated once.
    /// </summary>
    private static (string Expected, JsonTokenType Token) Expected(string path)
    {
        JsonTypeInfo? info = Context.InventoryDocumentJson;
        foreach (var segment in Segments(path))
        {
            info = info switch
            {
                null => null,
                _ when info.Type == typeof(ImmutableArray<KeyValuePair<string, string>>) => Context.String,
                { Kind: JsonTypeInfoKind.Object } => info.Properties.FirstOrDefault(p => p.Name == segment) is { } property ? TypeInfo(property.PropertyType) : null,
                { Kind: JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary, ElementType: { } element } => TypeInfo(element),
                _ => null,
            };
        }

        return info switch
        {
            null => ("another JSON type", JsonTokenType.None),
            _ when info.Type == typeof(string) => ("a string", JsonTokenType.None),
            _ when info.Type == typeof(int) => ($"a whole number between {int.MinValue} and {int.MaxValue}", JsonTokenType.Number),
            _ when info.Type == typeof(bool) => ("true or false", JsonTokenType.None),
            _ when info.Type == typeof(DateTimeOffset) => ("an ISO 8601 timestamp with an offset (e.g. 2025-03-01T12:00:00Z)", JsonTokenType.String),
            _ when info.Type == typeof(ImmutableArray<KeyValuePair<string, string>>) => ("an object of string values (descriptor values are text, e.g. \"1\" not 1)", JsonTokenType.None),
            { Kind: JsonTypeInfoKind.Enumerable } => ("an array", JsonTokenType.None),
            _ => ("an object", JsonTokenType.None),
        };
    }

    /// <summary>The metadata of a contract type; of the underlying type for a nullable value type.</summary>
    private static JsonTypeInfo? TypeInfo(Type type) => Context.GetTypeInfo(Nullable.GetUnderlyingType(type) ?? type);

    /// <summary>The property names and indexes of a <see cref="JsonPath"/>; a quoted name (never one of the contract's) as "".</summary>
    private static IEnumerable<string> Segments(string path)
    {
        for (var i = 1; i < path.Length;)
        {
            var end = path[i] == '.'
                ? path.IndexOfAny(['.', '['], i + 1)
                : path[i + 1] == '"' ? path.IndexOf("\"]", i + 2, StringComparison.Ordinal) + 2 : path.IndexOf(']', i) + 1;
            end = end <= i ? path.Length : end;
            yield return path[i] == '.' ? path[(i + 1)..end] : string.Empty;
            i = end;
        }
    }

    private static InventoryReadResult NotText(JsonScan scan, long offset, string? fileName)
    {
        var (line, column) = scan.LineAndColumn(offset);
        return Failed(Diagnostic.Error(InventoryJsonCodes.InvalidValue, "The inventory has " + JsonTextScanner.NotTextMessage + ".", fileName, line, column));
    }

    private static InventoryReadResult TooLarge(string? fileName) => Failed(Diagnostic.Error(
        InventoryJsonCodes.InputTooLarge,
        $"The inventory is larger than {MaxInputBytes / (1024 * 1024)} MiB and was not read; split the host's data or check that the right file was given.",
        fileName,
        0,
        0));

    private static InventoryReadResult Failed(Diagnostic diagnostic) => new(null, [diagnostic]);
}

/// <summary>The result of <see cref="InventoryJson.Read(string, string?)"/>.</summary>
/// <param name="Inventory">The inventory, or null when the input had errors.</param>
/// <param name="Diagnostics">Errors and warnings, in input order.</param>
public sealed record InventoryReadResult(HostInventory? Inventory, ImmutableArray<Diagnostic> Diagnostics)
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(InventoryReadResult? other) =>
        other is not null && Equals(Inventory, other.Inventory) && ArrayEquality.Equal(Diagnostics, other.Diagnostics);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Inventory, ArrayEquality.Hash(Diagnostics));
}

/// <summary>The diagnostic codes of <see cref="InventoryJson.Read(string, string?)"/>; documented in <c>docs/inventory.md</c>.</summary>
public static class InventoryJsonCodes
{
    /// <summary>Error: the input exceeds <see cref="InventoryJson.MaxInputBytes"/> and was refused unread.</summary>
    public const string InputTooLarge = "MCI001";

    /// <summary>Error: the input is not well-formed JSON (or nests deeper than <see cref="InventoryJson.MaxDepth"/>).</summary>
    public const string MalformedJson = "MCI002";

    /// <summary>Error: a value has the wrong JSON type (e.g. a number where a string is required).</summary>
    public const string WrongType = "MCI003";

    /// <summary>Error: a required property is missing.</summary>
    public const string MissingProperty = "MCI004";

    /// <summary>Error: <c>schema_version</c> is not one this code reads.</summary>
    public const string UnsupportedSchemaVersion = "MCI005";

    /// <summary>Error: an enumerated value (<c>kind</c>, <c>source.origin</c>) is not one of the allowed names.</summary>
    public const string UnknownEnumValue = "MCI006";

    /// <summary>Error: two devices have the same <c>id</c>.</summary>
    public const string DuplicateDeviceId = "MCI007";

    /// <summary>Error: <c>available_instances</c> or <c>existing_instances</c> is negative.</summary>
    public const string NegativeCapacity = "MCI008";

    /// <summary>Warning: a property this schema version does not define; it is ignored.</summary>
    public const string UnknownProperty = "MCI009";

    /// <summary>Error: a value has the right type but is not valid (empty host, bad timestamp, out-of-range number).</summary>
    public const string InvalidValue = "MCI010";

    /// <summary>Error: two creatable types have the same <c>parent</c> and <c>type_id</c>.</summary>
    public const string DuplicateCreatableType = "MCI011";

    /// <summary>Error: an object has the same property name twice (including a repeated field in <c>self</c> or a <c>compatible</c> block).</summary>
    public const string DuplicateProperty = "MCI012";

    /// <summary>Error: a guest names a device the inventory does not list.</summary>
    public const string UnknownGuestDevice = "MCI013";

    /// <summary>Error: two guests have the same name or the same UUID.</summary>
    public const string DuplicateGuest = "MCI014";

    /// <summary>Error: a device is listed in two guests.</summary>
    public const string DeviceInTwoGuests = "MCI015";
}
