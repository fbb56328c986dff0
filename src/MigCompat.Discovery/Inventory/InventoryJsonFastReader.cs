using System.Collections.Immutable;
using System.Text.Json;

namespace MigCompat.Discovery.Inventory;

/// <summary>
/// The fast path of <see cref="InventoryJson.Read(string, string?)"/>: one forward <see cref="Utf8JsonReader"/> pass
/// that builds the model straight from the UTF-8 text, without a <see cref="JsonDocument"/>, paths,
/// per-object dictionaries or location maps. It only accepts documents the validating
/// <see cref="InventoryJsonReader"/> would accept with no diagnostic at all (not even a warning):
/// at the first thing that reader would report, or anything it is unsure of, it gives up and
/// returns null, and the caller runs the validating reader, which reports exactly as before. So the
/// two agree by construction on everything but clean input, where this one must build the same
/// model (the round-trip and golden tests check that).
/// </summary>
/// <remarks>
/// Strings are interned within one read (field names, device APIs, drivers, type ids and versions
/// repeat across a host's devices and types), and a few schema-defined names across reads.
/// </remarks>
internal ref struct InventoryJsonFastReader
{
    private const int EndOfObject = -1;
    private const int GiveUp = -2;

    private static readonly byte[][] RootNames = Utf8Names("schema_version", "host", "taken_at", "devices", "creatable_types", "warnings");

    private static readonly byte[][] DeviceNames = Utf8Names(
        "id", "kind", "device_api", "mdev_type", "parent", "driver", "driver_version", "pci", "iommu_group", "numa_node", "in_use",
        "self", "compatible", "dynamic_resources", "source");

    private static readonly byte[][] TypeNames = Utf8Names(
        "parent", "type_id", "name", "description", "device_api", "available_instances", "existing_instances", "driver", "driver_version",
        "self", "compatible", "dynamic_resources", "source");

    private static readonly byte[][] PciNames = Utf8Names("vendor", "device", "subsystem_vendor", "subsystem_device", "class");
    private static readonly byte[][] SourceNames = Utf8Names("origin", "detail");
    private static readonly byte[][] WarningNames = Utf8Names("code", "path", "message");

    private Utf8JsonReader reader;
    private InventoryJsonStringPool strings;

    private InventoryJsonFastReader(ReadOnlySpan<byte> utf8)
    {
        reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = InventoryJson.MaxDepth });
        strings = InventoryJsonStringPool.Rent(utf8);
    }

    /// <summary>Reads a document that has nothing to report; null when it has (or may have) something.</summary>
    /// <param name="utf8">The whole document, UTF-8 encoded, at most <see cref="InventoryJson.MaxInputBytes"/>.</param>
    public static HostInventory? TryRead(ReadOnlySpan<byte> utf8)
    {
        var fast = new InventoryJsonFastReader(utf8);
        try
        {
            var inventory = fast.ReadInventory();

            // Only whitespace may follow the root; anything else makes the reader throw.
            return inventory is not null && !fast.reader.Read() ? inventory : null;
        }
        catch (JsonException)
        {
            // Not well-formed: the validating reader reports where.
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // A string that cannot be transcoded (DecoderFallbackException is an ArgumentException):
            // the validating reader decides what happens.
            return null;
        }
        finally
        {
            fast.strings.Return();
        }
    }

    private HostInventory? ReadInventory()
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        int? schemaVersion = null;
        string? host = null;
        DateTimeOffset? takenAt = null;
        ImmutableArray<InventoryDevice> devices = [];
        ImmutableArray<CreatableType> types = [];
        ImmutableArray<InventoryWarning> warnings = [];
        var seen = 0;
        var last = -1;
        int property;
        while ((property = NextProperty(RootNames, ref seen, ref last)) >= 0)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue; // null reads as absent; missing required values are checked below
            }

            var ok = property switch
            {
                0 => TryReadInt(out var version) && (schemaVersion = version) == HostInventory.CurrentSchemaVersion,
                1 => (host = ReadString()) is not null && !string.IsNullOrWhiteSpace(host),
                2 => TryReadTimestamp(out takenAt),
                3 => TryReadDevices(out devices),
                4 => TryReadTypes(out types),
                _ => TryReadWarnings(out warnings),
            };
            if (!ok)
            {
                return null;
            }
        }

        return property == GiveUp || schemaVersion is null || host is null || takenAt is null
            ? null
            : new HostInventory(schemaVersion.Value, host, takenAt.Value, devices, types, warnings);
    }

    private bool TryReadTimestamp(out DateTimeOffset? value)
    {
        value = null;
        var text = ReadString();
        if (text is null)
        {
            return false;
        }

        // The same test as InventoryJsonReader.ReadTimestamp, then the same parser (the document's and the reader's share it).
        var hasOffset = text.EndsWith('Z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        if (!hasOffset || !reader.TryGetDateTimeOffset(out var parsed))
        {
            return false;
        }

        value = parsed;
        return true;
    }

    private bool TryReadDevices(out ImmutableArray<InventoryDevice> devices)
    {
        devices = [];
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        ImmutableArray<InventoryDevice>.Builder? items = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (ReadDevice() is not { } device)
            {
                return false;
            }

            items ??= ImmutableArray.CreateBuilder<InventoryDevice>(16);
            for (var i = 0; i < items.Count; i++)
            {
                if (string.Equals(items[i].Id, device.Id, StringComparison.Ordinal))
                {
                    return false; // MCI007
                }
            }

            items.Add(device);
        }

        devices = items?.DrainToImmutable() ?? [];
        return true;
    }

    private bool TryReadTypes(out ImmutableArray<CreatableType> types)
    {
        types = [];
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        ImmutableArray<CreatableType>.Builder? items = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (ReadCreatableType() is not { } type)
            {
                return false;
            }

            items ??= ImmutableArray.CreateBuilder<CreatableType>(16);
            for (var i = 0; i < items.Count; i++)
            {
                if (string.Equals(items[i].Parent, type.Parent, StringComparison.Ordinal) && string.Equals(items[i].TypeId, type.TypeId, StringComparison.Ordinal))
                {
                    return false; // MCI011
                }
            }

            items.Add(type);
        }

        types = items?.DrainToImmutable() ?? [];
        return true;
    }

    private bool TryReadWarnings(out ImmutableArray<InventoryWarning> warnings)
    {
        warnings = [];
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        ImmutableArray<InventoryWarning>.Builder? items = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (ReadWarning() is not { } warning)
            {
                return false;
            }

            items ??= ImmutableArray.CreateBuilder<InventoryWarning>();
            items.Add(warning);
        }

        warnings = items?.DrainToImmutable() ?? [];
        return true;
    }

    private InventoryDevice? ReadDevice()
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        string? id = null, deviceApi = null, mdevType = null, parent = null, driver = null, driverVersion = null;
        DeviceKind? kind = null;
        PciIds? pci = null;
        int? iommuGroup = null, numaNode = null;
        bool? inUse = null;
        var descriptor = default(DescriptorParts);
        var seen = 0;
        var last = -1;
        int property;
        while ((property = NextProperty(DeviceNames, ref seen, ref last)) >= 0)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            var ok = property switch
            {
                0 => (id = ReadString()) is not null && !string.IsNullOrWhiteSpace(id),
                1 => (kind = ReadKind()) is not null,
                2 => (deviceApi = ReadString()) is not null,
                3 => (mdevType = ReadString()) is not null,
                4 => (parent = ReadString()) is not null,
                5 => (driver = ReadString()) is not null,
                6 => (driverVersion = ReadString()) is not null,
                7 => (pci = ReadPci()) is not null,
                8 => TryReadInt(out var group) && (iommuGroup = group) >= 0,
                9 => TryReadInt(out var node) && (numaNode = node) >= -1,
                10 => TryReadBool(out inUse),
                _ => TryReadDescriptorPart(property - 11, ref descriptor),
            };
            if (!ok)
            {
                return null;
            }
        }

        return property == GiveUp || id is null || kind is null || descriptor.Complete() is not { } fields
            ? null
            : new InventoryDevice(id, kind.Value, deviceApi, mdevType, parent, driver, driverVersion, pci, iommuGroup, numaNode, inUse, fields);
    }

    private CreatableType? ReadCreatableType()
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        string? parent = null, typeId = null, name = null, description = null, deviceApi = null, driver = null, driverVersion = null;
        int? available = null;
        var existing = 0;
        var descriptor = default(DescriptorParts);
        var seen = 0;
        var last = -1;
        int property;
        while ((property = NextProperty(TypeNames, ref seen, ref last)) >= 0)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            var ok = property switch
            {
                0 => (parent = ReadString()) is not null,
                1 => (typeId = ReadString()) is not null,
                2 => (name = ReadString()) is not null,
                3 => (description = ReadString()) is not null,
                4 => (deviceApi = ReadString()) is not null,
                5 => TryReadInt(out var count) && (available = count) >= 0,
                6 => TryReadInt(out existing) && existing >= 0,
                7 => (driver = ReadString()) is not null,
                8 => (driverVersion = ReadString()) is not null,
                _ => TryReadDescriptorPart(property - 9, ref descriptor),
            };
            if (!ok)
            {
                return null;
            }
        }

        return property == GiveUp || parent is null || typeId is null || available is null || descriptor.Complete() is not { } fields
            ? null
            : new CreatableType(parent, typeId, name, description, deviceApi, available.Value, existing, driver, driverVersion, fields);
    }

    /// <summary>Reads <c>self</c> (0), <c>compatible</c> (1), <c>dynamic_resources</c> (2) or <c>source</c> (3).</summary>
    private bool TryReadDescriptorPart(int part, ref DescriptorParts descriptor)
    {
        switch (part)
        {
            case 0:
                descriptor.HasSelf = true;
                return TryReadFields(out descriptor.Self);
            case 1:
                return TryReadCompatible(out descriptor.Compatible);
            case 2:
                return TryReadStrings(out descriptor.DynamicResources);
            default:
                descriptor.HasSource = true;
                return TryReadSource(out descriptor.Origin, out descriptor.OriginDetail);
        }
    }

    private bool TryReadFields(out ImmutableArray<KeyValuePair<string, string>> fields)
    {
        fields = [];
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        ImmutableArray<KeyValuePair<string, string>>.Builder? items = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = ReadString()!;
            if (!reader.Read() || reader.TokenType != JsonTokenType.String)
            {
                return false; // MCI003 (null included)
            }

            items ??= ImmutableArray.CreateBuilder<KeyValuePair<string, string>>(8);
            for (var i = 0; i < items.Count; i++)
            {
                if (string.Equals(items[i].Key, name, StringComparison.Ordinal))
                {
                    return false; // MCI012
                }
            }

            items.Add(new KeyValuePair<string, string>(name, ReadString()!));
        }

        fields = items?.DrainToImmutable() ?? [];
        return true;
    }

    private bool TryReadCompatible(out ImmutableArray<ImmutableArray<KeyValuePair<string, string>>> blocks)
    {
        blocks = [];
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        ImmutableArray<ImmutableArray<KeyValuePair<string, string>>>.Builder? items = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (!TryReadFields(out var block))
            {
                return false;
            }

            items ??= ImmutableArray.CreateBuilder<ImmutableArray<KeyValuePair<string, string>>>(4);
            items.Add(block);
        }

        blocks = items?.DrainToImmutable() ?? [];
        return true;
    }

    private bool TryReadStrings(out ImmutableArray<string> strings)
    {
        strings = [];
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        ImmutableArray<string>.Builder? items = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (ReadString() is not { } item)
            {
                return false;
            }

            items ??= ImmutableArray.CreateBuilder<string>(4);
            items.Add(item);
        }

        strings = items?.DrainToImmutable() ?? [];
        return true;
    }

    private bool TryReadSource(out DescriptorOrigin origin, out string? detail)
    {
        origin = DescriptorOrigin.Derived;
        detail = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        DescriptorOrigin? read = null;
        var seen = 0;
        var last = -1;
        int property;
        while ((property = NextProperty(SourceNames, ref seen, ref last)) >= 0)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            var ok = property == 0 ? (read = ReadOrigin()) is not null : (detail = ReadString()) is not null;
            if (!ok)
            {
                return false;
            }
        }

        origin = read ?? origin;
        return property != GiveUp && read is not null;
    }

    private PciIds? ReadPci()
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var values = new string?[PciNames.Length];
        var seen = 0;
        var last = -1;
        int property;
        while ((property = NextProperty(PciNames, ref seen, ref last)) >= 0)
        {
            if (reader.TokenType != JsonTokenType.Null && (values[property] = ReadString()) is null)
            {
                return null;
            }
        }

        return property == GiveUp || values[0] is null || values[1] is null ? null : new PciIds(values[0]!, values[1]!, values[2], values[3], values[4]);
    }

    private InventoryWarning? ReadWarning()
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var values = new string?[WarningNames.Length];
        var seen = 0;
        var last = -1;
        int property;
        while ((property = NextProperty(WarningNames, ref seen, ref last)) >= 0)
        {
            if (reader.TokenType != JsonTokenType.Null && (values[property] = ReadString()) is null)
            {
                return null;
            }
        }

        return property == GiveUp || values[0] is null || values[1] is null || values[2] is null ? null : new InventoryWarning(values[0]!, values[1]!, values[2]!);
    }

    private DeviceKind? ReadKind() =>
        reader.TokenType != JsonTokenType.String ? null
        : reader.ValueTextEquals("mdev"u8) ? DeviceKind.Mdev
        : reader.ValueTextEquals("pci"u8) ? DeviceKind.PciDevice
        : reader.ValueTextEquals("sriov_vf"u8) ? DeviceKind.SriovVf
        : null;

    private DescriptorOrigin? ReadOrigin() =>
        reader.TokenType != JsonTokenType.String ? null
        : reader.ValueTextEquals("derived"u8) ? DescriptorOrigin.Derived
        : reader.ValueTextEquals("driver"u8) ? DescriptorOrigin.Driver
        : reader.ValueTextEquals("profile"u8) ? DescriptorOrigin.Profile
        : reader.ValueTextEquals("imported"u8) ? DescriptorOrigin.Imported
        : null;

    /// <summary>The current string token (a value or a property name), interned; null when the token is not a string.</summary>
    private string? ReadString()
    {
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
        {
            return null;
        }

        return reader.ValueIsEscaped ? reader.GetString() : strings.Get(reader.ValueSpan);
    }

    private bool TryReadInt(out int value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out value);
    }

    private bool TryReadBool(out bool? value)
    {
        value = reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => null,
        };
        return value is not null;
    }

    /// <summary>
    /// Moves to the next property of the current object and then onto its value; returns the
    /// property's index in <paramref name="names"/>, <see cref="EndOfObject"/>, or
    /// <see cref="GiveUp"/> for an unknown or repeated property. The writer's order is tried first.
    /// </summary>
    private int NextProperty(byte[][] names, ref int seen, ref int last)
    {
        if (!reader.Read() || reader.TokenType == JsonTokenType.EndObject)
        {
            return EndOfObject;
        }

        var found = GiveUp;
        for (var i = 1; i <= names.Length; i++)
        {
            var candidate = (last + i) % names.Length;
            if (reader.ValueTextEquals(names[candidate]))
            {
                found = candidate;
                break;
            }
        }

        if (found == GiveUp || (seen & (1 << found)) != 0)
        {
            return GiveUp; // MCI009 or MCI012
        }

        seen |= 1 << found;
        last = found;
        reader.Read();
        return found;
    }

    private static byte[][] Utf8Names(params string[] names) => [.. names.Select(System.Text.Encoding.UTF8.GetBytes)];

    /// <summary>The parts of a descriptor as they are read; <see cref="Complete"/> is null when a required one is missing.</summary>
    private struct DescriptorParts
    {
        public bool HasSelf;
        public bool HasSource;
        public ImmutableArray<KeyValuePair<string, string>> Self;
        public ImmutableArray<ImmutableArray<KeyValuePair<string, string>>> Compatible;
        public ImmutableArray<string> DynamicResources;
        public DescriptorOrigin Origin;
        public string? OriginDetail;

        public readonly DescriptorFields? Complete() =>
            HasSelf && HasSource
                ? new DescriptorFields(Self, Compatible.IsDefault ? [] : Compatible, DynamicResources.IsDefault ? [] : DynamicResources, Origin, OriginDetail)
                : null;
    }
}
