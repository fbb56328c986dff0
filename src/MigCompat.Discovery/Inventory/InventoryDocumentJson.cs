using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MigCompat.Discovery.Inventory;

// The inventory's wire contract (docs/inventory.md), read and written only through InventoryJsonContext:
// one class per JSON object, properties in the order they are written, names from the snake_case
// policy. Every member is nullable so that a missing or null value reaches InventoryJsonValidation,
// which reports it with its JSON path; a value of the wrong JSON type fails deserialization instead.
// Properties the schema does not define are kept in Unknown and reported as warnings (MCI009).

/// <summary>The root object.</summary>
internal sealed class InventoryDocumentJson : JsonObjectWithUnknown
{
    public int? SchemaVersion { get; set; }
    public string? Host { get; set; }

    [JsonConverter(typeof(TimestampJsonConverter))]
    public DateTimeOffset? TakenAt { get; set; }

    /// <summary>Written only when the host has labels (key to string, read like <c>self</c>: a key given twice is refused).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ImmutableArray<KeyValuePair<string, string>> Labels { get; set; }
    public List<DeviceJson?>? Devices { get; set; }
    public List<CreatableTypeJson?>? CreatableTypes { get; set; }

    /// <summary>Written only when the inventory knows a VM (older readers never see the property).</summary>
    public List<GuestJson?>? Guests { get; set; }
    public List<WarningJson?>? Warnings { get; set; }
}

/// <summary>An element of <c>guests</c>.</summary>
internal sealed class GuestJson : JsonObjectWithUnknown
{
    public string? Name { get; set; }
    public string? Uuid { get; set; }
    public List<string?>? Devices { get; set; }
}

/// <summary>An element of <c>devices</c>.</summary>
internal sealed class DeviceJson : DescribedJson
{
    public string? Id { get; set; }
    public string? Kind { get; set; }
    public string? DeviceApi { get; set; }
    public string? MdevType { get; set; }
    public string? Parent { get; set; }
    public string? Driver { get; set; }
    public string? DriverVersion { get; set; }
    public PciJson? Pci { get; set; }
    public int? IommuGroup { get; set; }
    public int? NumaNode { get; set; }
    public bool? InUse { get; set; }
}

/// <summary>An element of <c>creatable_types</c>.</summary>
internal sealed class CreatableTypeJson : DescribedJson
{
    public string? Parent { get; set; }
    public string? TypeId { get; set; }
    public string? Name { get; set; }
    public string? Description { get; set; }
    public string? DeviceApi { get; set; }
    public int? AvailableInstances { get; set; }
    public int? ExistingInstances { get; set; }
    public string? Driver { get; set; }
    public string? DriverVersion { get; set; }
}

/// <summary>The descriptor members devices and creatable types end with.</summary>
internal abstract class DescribedJson : JsonObjectWithUnknown
{
    /// <summary>The self fields in order; default when absent or null.</summary>
    [JsonPropertyOrder(1)]
    public ImmutableArray<KeyValuePair<string, string>> Self { get; set; }

    /// <summary>The compatible blocks; an element is default when it is null.</summary>
    [JsonPropertyOrder(2)]
    public ImmutableArray<ImmutableArray<KeyValuePair<string, string>>>? Compatible { get; set; }

    [JsonPropertyOrder(3)]
    public ImmutableArray<string>? DynamicResources { get; set; }

    [JsonPropertyOrder(4)]
    public SourceJson? Source { get; set; }
}

/// <summary><c>pci</c>.</summary>
internal sealed class PciJson : JsonObjectWithUnknown
{
    public string? Vendor { get; set; }
    public string? Device { get; set; }
    public string? SubsystemVendor { get; set; }
    public string? SubsystemDevice { get; set; }
    public string? Class { get; set; }
}

/// <summary><c>source</c>.</summary>
internal sealed class SourceJson : JsonObjectWithUnknown
{
    public string? Origin { get; set; }
    public string? Detail { get; set; }
}

/// <summary>An element of <c>warnings</c>.</summary>
internal sealed class WarningJson : JsonObjectWithUnknown
{
    public string? Code { get; set; }
    public string? Path { get; set; }
    public string? Message { get; set; }
}

/// <summary>Keeps the properties an object has beyond the schema's, to be reported (never written).</summary>
internal abstract class JsonObjectWithUnknown
{
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

/// <summary>
/// The source-generated serializer of the contract: snake_case names, nulls left out, a property given
/// twice refused, at most <see cref="InventoryJson.MaxDepth"/> levels (the layout of the text is
/// <see cref="InventoryJson"/>'s writer options).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowDuplicateProperties = false,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    MaxDepth = InventoryJson.MaxDepth,
    Converters = [typeof(FieldsJsonConverter), typeof(PooledStringJsonConverter)])]
[JsonSerializable(typeof(InventoryDocumentJson))]
internal sealed partial class InventoryJsonContext : JsonSerializerContext;

/// <summary>
/// A descriptor's fields as a JSON object of strings, in order. A repeated name or a value that is not
/// a string fails the read (the caller then says which and where); null reads as default.
/// </summary>
internal sealed class FieldsJsonConverter : JsonConverter<ImmutableArray<KeyValuePair<string, string>>>
{
    [ThreadStatic]
    private static ImmutableArray<KeyValuePair<string, string>>.Builder? builder;

    /// <inheritdoc />
    public override bool HandleNull => true;

    /// <inheritdoc />
    public override ImmutableArray<KeyValuePair<string, string>> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return default;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException();
        }

        var fields = builder ??= ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        fields.Clear();
        HashSet<string>? names = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = PooledStringJsonConverter.Get(ref reader);
            if (!reader.Read() || reader.TokenType != JsonTokenType.String || IsRepeated(fields, ref names, name))
            {
                throw new JsonException();
            }

            fields.Add(new KeyValuePair<string, string>(name, PooledStringJsonConverter.Get(ref reader)));
        }

        return fields.ToImmutable();
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, ImmutableArray<KeyValuePair<string, string>> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (name, text) in value.IsDefault ? [] : value)
        {
            writer.WriteString(name, text);
        }

        writer.WriteEndObject();
    }

    private static bool IsRepeated(ImmutableArray<KeyValuePair<string, string>>.Builder fields, ref HashSet<string>? names, string name)
    {
        const int LinearSearchLimit = 16;
        if (fields.Count < LinearSearchLimit)
        {
            for (var i = 0; i < fields.Count; i++)
            {
                if (string.Equals(fields[i].Key, name, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        names ??= new HashSet<string>(fields.Select(f => f.Key), StringComparer.Ordinal);
        return !names.Add(name);
    }
}

/// <summary><c>taken_at</c>: ISO 8601 with an explicit offset (<c>Z</c> or <c>±hh:mm</c>); anything else fails the read.</summary>
internal sealed class TimestampJsonConverter : JsonConverter<DateTimeOffset?>
{
    /// <inheritdoc />
    public override bool HandleNull => true;

    /// <inheritdoc />
    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        var text = reader.TokenType == JsonTokenType.String ? reader.GetString()! : string.Empty;
        var hasOffset = text.EndsWith('Z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        return hasOffset && reader.TryGetDateTimeOffset(out var value) ? value : throw new JsonException();
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value!.Value);
}

/// <summary>
/// Strings read through a small per-thread cache keyed by their UTF-8 bytes: the names and values that
/// repeat within a document (<c>vfio-pci</c>, <c>device_api</c>, a driver build) become one string each
/// instead of one per occurrence, which keeps a store load's allocations and a loaded fleet small.
/// Escaped, long and non-ASCII strings are read as usual. <see cref="Clear"/> after each document, so
/// the cache keeps nothing alive (a long-lived table pointing at young strings would promote them).
/// </summary>
internal sealed class PooledStringJsonConverter : JsonConverter<string>
{
    private const int MaxPooledBytes = 64;
    private const int Slots = 1024;

    /// <summary>
    /// Names from the schema and the domain that most inventories contain, shared by every document
    /// (a loaded fleet would otherwise hold one copy of each per host), in the slot their bytes hash
    /// to. These strings live as long as the process, so sharing them promotes nothing.
    /// </summary>
    private static readonly string?[] WellKnown = CreateWellKnown(
        "vfio-pci", "vfio-platform", "vfio-amba", "vfio-ccw", "vfio-ap", "vfio-cdx",
        "device_api", "mdev_type", "pci_id", "subsystem_id", "driver", "driver_build", "software_version", "interface_version",
        "aggregator", "pv_mode", "type", "subchannel_type", "vendor",
        "i915", "nvidia", "mlx5_vfio_pci", "hisi_acc_vfio_pci", "nvgrace_gpu_vfio_pci", "vfio_ccw", "vfio_ap", "matrix",
        "mdevctl types", "mdevctl list", "virsh nodedev-dumpxml");

    [ThreadStatic]
    private static string?[]? cache;

    /// <summary>Forgets this thread's strings.</summary>
    public static void Clear()
    {
        if (cache is not null)
        {
            Array.Clear(cache);
        }
    }

    /// <summary>The string the reader is at, from the cache when it is there.</summary>
    public static string Get(ref Utf8JsonReader reader)
    {
        var utf8 = reader.ValueSpan;
        if (reader.ValueIsEscaped || reader.HasValueSequence || utf8.Length > MaxPooledBytes)
        {
            return reader.GetString()!;
        }

        var index = Slot(utf8);
        ref var slot = ref (cache ??= new string?[Slots])[index];
        if (slot is { } hit && Ascii.Equals(utf8, hit))
        {
            return hit;
        }

        return slot = WellKnown[index] is { } known && Ascii.Equals(utf8, known) ? known : reader.GetString()!;
    }

    /// <inheritdoc />
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String ? Get(ref reader) : throw new JsonException();

    private static int Slot(ReadOnlySpan<byte> utf8)
    {
        var hash = default(HashCode);
        hash.AddBytes(utf8);
        return hash.ToHashCode() & (Slots - 1);
    }

    private static string?[] CreateWellKnown(params string[] names)
    {
        var table = new string?[Slots];
        foreach (var name in names)
        {
            table[Slot(Encoding.UTF8.GetBytes(name))] ??= name;
        }

        return table;
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
