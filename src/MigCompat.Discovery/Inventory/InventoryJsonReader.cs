using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using MigCompat.Core.Diagnostics;

namespace MigCompat.Discovery.Inventory;

/// <summary>
/// Validates a parsed inventory document and builds the model, collecting every problem rather
/// than stopping at the first. Diagnostics name the JSON path and carry its line and column.
/// </summary>
internal sealed class InventoryJsonReader(byte[] utf8, string? fileName)
{
    private static readonly string[] RootProperties = ["schema_version", "host", "taken_at", "devices", "creatable_types", "warnings"];
    private static readonly string[] DeviceProperties =
    [
        "id", "kind", "device_api", "mdev_type", "parent", "driver", "driver_version", "pci", "iommu_group", "numa_node", "in_use",
        "self", "compatible", "dynamic_resources", "source",
    ];

    private static readonly string[] TypeProperties =
    [
        "parent", "type_id", "name", "description", "device_api", "available_instances", "existing_instances", "driver", "driver_version",
        "self", "compatible", "dynamic_resources", "source",
    ];

    private static readonly string[] PciProperties = ["vendor", "device", "subsystem_vendor", "subsystem_device", "class"];
    private static readonly string[] SourceProperties = ["origin", "detail"];
    private static readonly string[] WarningProperties = ["code", "path", "message"];

    private readonly ImmutableArray<Diagnostic>.Builder diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
    private JsonLocationIndex? locations;

    public ImmutableArray<Diagnostic> Diagnostics => diagnostics.ToImmutable();

    public HostInventory? ReadInventory(JsonElement root)
    {
        var obj = Open(root, JsonPath.Root, RootProperties);
        if (obj is null)
        {
            return null;
        }

        var schemaVersion = obj.RequiredInt("schema_version");
        if (schemaVersion is { } version && version != HostInventory.CurrentSchemaVersion)
        {
            Error(InventoryJsonCodes.UnsupportedSchemaVersion, obj.PathOf("schema_version"), $"schema_version {version} is not supported; this version of MigCompat reads schema_version {HostInventory.CurrentSchemaVersion}. Re-export the inventory with a matching MigCompat version.");
            return null;
        }

        var host = obj.RequiredString("host");
        if (host is not null && string.IsNullOrWhiteSpace(host))
        {
            Error(InventoryJsonCodes.InvalidValue, obj.PathOf("host"), "host is empty; give the host's name.");
        }

        var takenAt = ReadTimestamp(obj);
        var devices = ReadDevices(obj);
        var types = ReadTypes(obj);
        var warnings = obj.OptionalArray("warnings", ReadWarning);

        return host is null || takenAt is null || schemaVersion is null
            ? null
            : new HostInventory(schemaVersion.Value, host, takenAt.Value, devices, types, warnings);
    }

    private DateTimeOffset? ReadTimestamp(ObjectScope obj)
    {
        var text = obj.RequiredString("taken_at");
        if (text is null)
        {
            return null;
        }

        var hasOffset = text.EndsWith('Z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        if (hasOffset && obj.Element("taken_at") is { } element && element.TryGetDateTimeOffset(out var value))
        {
            return value;
        }

        Error(InventoryJsonCodes.InvalidValue, obj.PathOf("taken_at"), $"taken_at \"{text}\" is not an ISO 8601 timestamp with an offset (e.g. 2025-03-01T12:00:00Z).");
        return null;
    }

    private ImmutableArray<InventoryDevice> ReadDevices(ObjectScope obj)
    {
        var devices = obj.OptionalArray("devices", ReadDevice);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < devices.Length; i++)
        {
            if (!seen.TryAdd(devices[i].Id, i))
            {
                Error(InventoryJsonCodes.DuplicateDeviceId, JsonPath.Property(obj.PathOf("devices") + $"[{i}]", "id"), $"Device id \"{devices[i].Id}\" is used again (first at devices[{seen[devices[i].Id]}]); ids must be unique within a host.");
            }
        }

        return devices;
    }

    private ImmutableArray<CreatableType> ReadTypes(ObjectScope obj)
    {
        var types = obj.OptionalArray("creatable_types", ReadCreatableType);
        var seen = new Dictionary<(string, string), int>();
        for (var i = 0; i < types.Length; i++)
        {
            if (!seen.TryAdd((types[i].Parent, types[i].TypeId), i))
            {
                Error(InventoryJsonCodes.DuplicateCreatableType, JsonPath.Index(obj.PathOf("creatable_types"), i), $"Type \"{types[i].TypeId}\" on parent \"{types[i].Parent}\" is listed again (first at creatable_types[{seen[(types[i].Parent, types[i].TypeId)]}]); list each parent/type pair once.");
            }
        }

        return types;
    }

    private InventoryDevice? ReadDevice(JsonElement element, string path)
    {
        var obj = Open(element, path, DeviceProperties);
        if (obj is null)
        {
            return null;
        }

        var id = obj.RequiredString("id");
        if (id is not null && string.IsNullOrWhiteSpace(id))
        {
            Error(InventoryJsonCodes.InvalidValue, obj.PathOf("id"), "id is empty; use the mdev UUID or the PCI address.");
        }

        var kind = ReadEnum(obj, "kind", ParseKind, "\"mdev\", \"pci\" or \"sriov_vf\"");
        var iommuGroup = obj.OptionalInt("iommu_group");
        if (iommuGroup < 0)
        {
            Error(InventoryJsonCodes.InvalidValue, obj.PathOf("iommu_group"), $"iommu_group {iommuGroup} is negative; omit it when unknown.");
        }

        var numaNode = obj.OptionalInt("numa_node");
        if (numaNode < -1)
        {
            Error(InventoryJsonCodes.InvalidValue, obj.PathOf("numa_node"), $"numa_node {numaNode} is below -1 (-1 means no NUMA node).");
        }

        var device = new InventoryDevice(
            id ?? string.Empty,
            kind ?? DeviceKind.Mdev,
            obj.OptionalString("device_api"),
            obj.OptionalString("mdev_type"),
            obj.OptionalString("parent"),
            obj.OptionalString("driver"),
            obj.OptionalString("driver_version"),
            obj.Element("pci") is { } pci ? ReadPci(pci, obj.PathOf("pci")) : null,
            iommuGroup,
            numaNode,
            obj.OptionalBool("in_use"),
            ReadDescriptor(obj));
        return id is null || kind is null ? null : device;
    }

    private CreatableType? ReadCreatableType(JsonElement element, string path)
    {
        var obj = Open(element, path, TypeProperties);
        if (obj is null)
        {
            return null;
        }

        var parent = obj.RequiredString("parent");
        var typeId = obj.RequiredString("type_id");
        var available = obj.RequiredInt("available_instances");
        var existing = obj.OptionalInt("existing_instances") ?? 0;
        foreach (var (name, value) in new[] { ("available_instances", available ?? 0), ("existing_instances", existing) })
        {
            if (value < 0)
            {
                Error(InventoryJsonCodes.NegativeCapacity, obj.PathOf(name), $"{name} is {value}; a capacity cannot be negative.");
            }
        }

        var type = new CreatableType(
            parent ?? string.Empty,
            typeId ?? string.Empty,
            obj.OptionalString("name"),
            obj.OptionalString("description"),
            obj.OptionalString("device_api"),
            available ?? 0,
            existing,
            obj.OptionalString("driver"),
            obj.OptionalString("driver_version"),
            ReadDescriptor(obj));
        return parent is null || typeId is null || available is null ? null : type;
    }

    private PciIds? ReadPci(JsonElement element, string path)
    {
        var obj = Open(element, path, PciProperties);
        if (obj is null)
        {
            return null;
        }

        var vendor = obj.RequiredString("vendor");
        var device = obj.RequiredString("device");
        var ids = new PciIds(vendor ?? string.Empty, device ?? string.Empty, obj.OptionalString("subsystem_vendor"), obj.OptionalString("subsystem_device"), obj.OptionalString("class"));
        return vendor is null || device is null ? null : ids;
    }

    private DescriptorFields ReadDescriptor(ObjectScope owner)
    {
        var self = owner.Element("self") is { } selfElement
            ? ReadFields(selfElement, owner.PathOf("self"))
            : MissingSelf(owner);
        var compatible = owner.OptionalArray("compatible", ReadFields);
        var dynamic = owner.OptionalArray("dynamic_resources", ReadStringItem);
        DescriptorOrigin origin = DescriptorOrigin.Derived;
        string? detail = null;
        if (owner.Element("source") is { } sourceElement)
        {
            var source = Open(sourceElement, owner.PathOf("source"), SourceProperties);
            if (source is not null)
            {
                origin = ReadEnum(source, "origin", ParseOrigin, "\"driver\", \"profile\", \"derived\" or \"imported\"") ?? origin;
                detail = source.OptionalString("detail");
            }
        }
        else
        {
            Error(InventoryJsonCodes.MissingProperty, owner.Path, "source is missing; every descriptor must say where it came from ({\"origin\": \"derived\", \"detail\": ...}).");
        }

        return new DescriptorFields(self, compatible, dynamic, origin, detail);
    }

    private ImmutableArray<KeyValuePair<string, string>> MissingSelf(ObjectScope owner)
    {
        Error(InventoryJsonCodes.MissingProperty, owner.Path, "self is missing; give the descriptor's self fields as an object of strings ({} when none are known).");
        return [];
    }

    private ImmutableArray<KeyValuePair<string, string>> ReadFields(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            WrongType(path, "an object of string values", element);
            return [];
        }

        var fields = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var fieldPath = JsonPath.Property(path, property.Name);
            if (!names.Add(property.Name))
            {
                Error(InventoryJsonCodes.DuplicateProperty, fieldPath, $"Field \"{property.Name}\" appears twice; a descriptor field has one value (join several values in one string).");
            }
            else if (property.Value.ValueKind != JsonValueKind.String)
            {
                WrongType(fieldPath, "a string (descriptor values are text, e.g. \"1\" not 1)", property.Value);
            }
            else
            {
                fields.Add(new KeyValuePair<string, string>(property.Name, property.Value.GetString()!));
            }
        }

        return fields.ToImmutable();
    }

    private string? ReadStringItem(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            return element.GetString();
        }

        WrongType(path, "a string", element);
        return null;
    }

    private InventoryWarning? ReadWarning(JsonElement element, string path)
    {
        var obj = Open(element, path, WarningProperties);
        if (obj is null)
        {
            return null;
        }

        var code = obj.RequiredString("code");
        var warningPath = obj.RequiredString("path");
        var message = obj.RequiredString("message");
        return code is null || warningPath is null || message is null ? null : new InventoryWarning(code, warningPath, message);
    }

    private T? ReadEnum<T>(ObjectScope obj, string name, Func<string, T?> parse, string allowed)
        where T : struct, Enum
    {
        var text = obj.RequiredString(name);
        if (text is null)
        {
            return null;
        }

        var value = parse(text);
        if (value is null)
        {
            Error(InventoryJsonCodes.UnknownEnumValue, obj.PathOf(name), $"{name} \"{text}\" is not one of {allowed}.");
        }

        return value;
    }

    private static DeviceKind? ParseKind(string text) => text switch
    {
        "mdev" => DeviceKind.Mdev,
        "pci" => DeviceKind.PciDevice,
        "sriov_vf" => DeviceKind.SriovVf,
        _ => null,
    };

    private static DescriptorOrigin? ParseOrigin(string text) => text switch
    {
        "driver" => DescriptorOrigin.Driver,
        "profile" => DescriptorOrigin.Profile,
        "derived" => DescriptorOrigin.Derived,
        "imported" => DescriptorOrigin.Imported,
        _ => null,
    };

    private ObjectScope? Open(JsonElement element, string path, string[] known)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            WrongType(path, "an object", element);
            return null;
        }

        var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var propertyPath = JsonPath.Property(path, property.Name);
            if (!properties.TryAdd(property.Name, property.Value))
            {
                Error(InventoryJsonCodes.DuplicateProperty, propertyPath, $"Property \"{property.Name}\" appears twice; keep one.");
            }
            else if (Array.IndexOf(known, property.Name) < 0)
            {
                Report(Diagnostic.Warning, InventoryJsonCodes.UnknownProperty, propertyPath, $"Property \"{property.Name}\" is not part of inventory schema {HostInventory.CurrentSchemaVersion} and is ignored.");
            }
        }

        return new ObjectScope(this, path, properties);
    }

    private void WrongType(string path, string expected, JsonElement actual) =>
        Error(InventoryJsonCodes.WrongType, path, $"Expected {expected}, found {Describe(actual.ValueKind)}.");

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private void Error(string code, string path, string message) => Report(Diagnostic.Error, code, path, message);

    private void Report(Func<string, string, string?, int, int, Diagnostic> create, string code, string path, string message)
    {
        locations ??= JsonLocationIndex.Build(utf8);
        var (line, column) = locations.Locate(path);
        diagnostics.Add(create(code, $"{path}: {message}", fileName, line, column));
    }

    /// <summary>One JSON object being read: typed accessors that report missing or mistyped properties.</summary>
    private sealed class ObjectScope(InventoryJsonReader reader, string path, Dictionary<string, JsonElement> properties)
    {
        public string Path => path;

        public string PathOf(string name) => JsonPath.Property(path, name);

        public JsonElement? Element(string name) =>
            properties.TryGetValue(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

        public string? RequiredString(string name) => Required(name, "a string", OptionalString);

        public int? RequiredInt(string name) => Required(name, "an integer", OptionalInt);

        public string? OptionalString(string name)
        {
            if (Element(name) is not { } value)
            {
                return null;
            }

            if (value.ValueKind == JsonValueKind.String)
            {
                return value.GetString();
            }

            reader.WrongType(PathOf(name), "a string", value);
            return null;
        }

        public int? OptionalInt(string name)
        {
            if (Element(name) is not { } value)
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.Number)
            {
                reader.WrongType(PathOf(name), "an integer", value);
                return null;
            }

            if (value.TryGetInt32(out var number))
            {
                return number;
            }

            reader.Error(InventoryJsonCodes.InvalidValue, PathOf(name), $"{name} {value.GetRawText()} is not a whole number between {int.MinValue} and {int.MaxValue}.");
            return null;
        }

        public bool? OptionalBool(string name)
        {
            if (Element(name) is not { } value)
            {
                return null;
            }

            if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                return value.GetBoolean();
            }

            reader.WrongType(PathOf(name), "true or false", value);
            return null;
        }

        public ImmutableArray<T> OptionalArray<T>(string name, Func<JsonElement, string, T?> readItem)
        {
            if (Element(name) is not { } value)
            {
                return [];
            }

            var arrayPath = PathOf(name);
            if (value.ValueKind != JsonValueKind.Array)
            {
                reader.WrongType(arrayPath, "an array", value);
                return [];
            }

            var items = ImmutableArray.CreateBuilder<T>();
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                if (readItem(item, JsonPath.Index(arrayPath, index++)) is { } read)
                {
                    items.Add(read);
                }
            }

            return items.ToImmutable();
        }

        private T? Required<T>(string name, string expected, Func<string, T?> read)
        {
            if (Element(name) is null)
            {
                reader.Error(InventoryJsonCodes.MissingProperty, path, string.Create(CultureInfo.InvariantCulture, $"Required property \"{name}\" ({expected}) is missing."));
                return default;
            }

            return read(name);
        }
    }
}
