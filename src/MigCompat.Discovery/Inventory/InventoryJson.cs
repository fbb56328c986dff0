using System.Buffers;
using System.Collections.Immutable;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MigCompat.Core.Diagnostics;
using MigCompat.Core.Model;

namespace MigCompat.Discovery.Inventory;

/// <summary>
/// The JSON form of a <see cref="HostInventory"/> (schema in <c>docs/inventory.md</c>): snake_case
/// names in a fixed order, nulls omitted, non-ASCII text written as UTF-8, <c>\n</c> line ends.
/// <see cref="Read(string, string?)"/> validates everything and reports problems as diagnostics with codes
/// <c>MCI001</c>..<c>MCI012</c> (see <see cref="InventoryJsonCodes"/>); it never throws on bad input.
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

    /// <summary>Writes the inventory as indented JSON text ending in a newline.</summary>
    /// <param name="inventory">The inventory to write; default (uninitialized) arrays are written as empty.</param>
    /// <returns>The JSON text.</returns>
    public static string Serialize(HostInventory inventory)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            InventoryJsonWriter.WriteInventory(writer, inventory);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) + "\n";
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
        byte[] utf8;
        try
        {
            var length = Encoding.UTF8.GetBytes(json, buffer);
            if (InventoryJsonFastReader.TryRead(buffer.AsSpan(0, length)) is { } inventory)
            {
                return new InventoryReadResult(inventory, []);
            }

            utf8 = buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return ReadValidating(utf8, fileName);
    }

    /// <summary>
    /// Reads and validates an inventory given as UTF-8 bytes (for example straight from a database
    /// column), exactly as <see cref="Read(string, string?)"/> reads the same text, without first
    /// making a string of it.
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

        return InventoryJsonFastReader.TryRead(utf8Json) is { } inventory
            ? new InventoryReadResult(inventory, [])
            : ReadValidating(utf8Json.ToArray(), fileName);
    }

    /// <summary>
    /// The validating reader: parses into a <see cref="JsonDocument"/> and checks everything,
    /// collecting every diagnostic with its location. Used when the fast path found something to report.
    /// </summary>
    internal static InventoryReadResult ReadValidating(byte[] utf8, string? fileName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException ex)
        {
            var line = (int)(ex.LineNumber ?? -1) + 1;
            var column = (int)(ex.BytePositionInLine ?? -1) + 1;
            return Failed(Diagnostic.Error(
                InventoryJsonCodes.MalformedJson,
                $"The inventory is not well-formed JSON: {JsonTextCheck.ParserMessage(ex)}",
                fileName,
                line,
                column));
        }

        using (document)
        {
            if (JsonTextCheck.FindInvalidString(utf8, MaxDepth) is var (badLine, badColumn))
            {
                return Failed(Diagnostic.Error(InventoryJsonCodes.InvalidValue, "The inventory has " + JsonTextCheck.Message + ".", fileName, badLine, badColumn));
            }

            var reader = new InventoryJsonReader(utf8, fileName);
            var inventory = reader.ReadInventory(document.RootElement);
            var diagnostics = reader.Diagnostics;
            return new InventoryReadResult(diagnostics.Any(d => d.IsError) ? null : inventory, diagnostics);
        }
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
}
