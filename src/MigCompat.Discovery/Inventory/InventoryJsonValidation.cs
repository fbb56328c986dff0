using System.Collections.Immutable;
using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Json;

namespace MigCompat.Discovery.Inventory;

/// <summary>
/// The checks the contract types cannot state (required values, allowed names, ranges, uniqueness),
/// made on a deserialized document while it is turned into the model, and the way back for writing.
/// Every problem is collected with its JSON path, not just the first; <see cref="InventoryJson"/> adds
/// line and column.
/// </summary>
/// <param name="withPaths">False to only find out whether there is anything to report: no path is built.</param>
internal sealed class InventoryJsonValidation(bool withPaths)
{
    private List<Issue>? issues;

    /// <summary>One problem: severity, code, JSON path and message (without the path).</summary>
    internal readonly record struct Issue(DiagnosticSeverity Severity, string Code, string Path, string Message);

    /// <summary>True when there is something to report.</summary>
    public bool Found { get; private set; }

    /// <summary>What was found, with paths (when asked for); null when nothing.</summary>
    public IReadOnlyList<Issue>? Issues => issues;

    /// <summary>The model of a document; null when a required value is missing (an issue says which).</summary>
    public HostInventory? ToInventory(InventoryDocumentJson document)
    {
        const string path = JsonPath.Root;
        ReportUnknown(document, path);
        var version = Required(document.SchemaVersion, path, "schema_version", "an integer");
        if (version is { } v && v != HostInventory.CurrentSchemaVersion)
        {
            Error(InventoryJsonCodes.UnsupportedSchemaVersion, Property(path, "schema_version"), $"schema_version {v} is not supported; this version of MigCompat reads schema_version {HostInventory.CurrentSchemaVersion}. Re-export the inventory with a matching MigCompat version.");
            return null;
        }

        var host = Required(document.Host, path, "host", "a string");
        if (host is not null && string.IsNullOrWhiteSpace(host))
        {
            Error(InventoryJsonCodes.InvalidValue, Property(path, "host"), "host is empty; give the host's name.");
        }

        var takenAt = Required(document.TakenAt, path, "taken_at", "an ISO 8601 timestamp with an offset");
        var devices = Items(document.Devices, Property(path, "devices"), ToDevice);
        var types = Items(document.CreatableTypes, Property(path, "creatable_types"), ToCreatableType);
        var guests = Items(document.Guests, Property(path, "guests"), ToGuest);
        var labels = ToLabels(document.Labels, Property(path, "labels"));
        var warnings = Items(document.Warnings, Property(path, "warnings"), ToWarning);
        CheckUnique(devices, path);
        CheckUnique(types, path);
        CheckGuests(guests, devices, path);
        return host is null || takenAt is null || version is null
            ? null
            : new HostInventory(version.Value, host, takenAt.Value, devices, types, warnings) { Guests = guests, Labels = labels };
    }

    /// <summary>The labels in key order; a key that is not <see cref="HostLabels.IsKey"/> or a value that is not a string is an error.</summary>
    private ImmutableArray<KeyValuePair<string, string>> ToLabels(ImmutableArray<KeyValuePair<string, string>> labels, string path)
    {
        var result = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        foreach (var (key, value) in labels.IsDefault ? [] : labels)
        {
            if (!HostLabels.IsKey(key))
            {
                Error(InventoryJsonCodes.InvalidValue, Property(path, key), $"The label key \"{key}\" is not usable; write letters, digits and . _ / - (no =, commas or spaces), at most 63.");
            }
            else
            {
                result.Add(new(key, value));
            }
        }

        return [.. result.OrderBy(l => l.Key, StringComparer.Ordinal)];
    }

    /// <summary>The contract form of an inventory, for writing.</summary>
    public static InventoryDocumentJson ToJson(HostInventory inventory) => new()
    {
        SchemaVersion = inventory.SchemaVersion,
        Host = inventory.Host,
        TakenAt = inventory.TakenAt,
        Labels = OrEmpty(inventory.Labels).IsEmpty ? default : inventory.Labels,
        Devices = [.. OrEmpty(inventory.Devices).Select(device => With(device.Descriptor, new DeviceJson
        {
            Id = device.Id,
            Kind = InventoryNames.Name(device.Kind),
            DeviceApi = device.DeviceApi,
            MdevType = device.MdevType,
            Parent = device.Parent,
            Driver = device.Driver,
            DriverVersion = device.DriverVersion,
            Pci = device.Pci is { } pci ? new PciJson { Vendor = pci.Vendor, Device = pci.Device, SubsystemVendor = pci.SubsystemVendor, SubsystemDevice = pci.SubsystemDevice, Class = pci.Class } : null,
            IommuGroup = device.IommuGroup,
            NumaNode = device.NumaNode,
            InUse = device.InUse,
        }))],
        CreatableTypes = [.. OrEmpty(inventory.CreatableTypes).Select(type => With(type.Descriptor, new CreatableTypeJson
        {
            Parent = type.Parent,
            TypeId = type.TypeId,
            Name = type.Name,
            Description = type.Description,
            DeviceApi = type.DeviceApi,
            AvailableInstances = type.AvailableInstances,
            ExistingInstances = type.ExistingInstances,
            Driver = type.Driver,
            DriverVersion = type.DriverVersion,
        }))],
        Guests = OrEmpty(inventory.Guests).IsEmpty ? null : [.. inventory.Guests.Select(guest => new GuestJson { Name = guest.Name, Uuid = guest.Uuid, Devices = [.. OrEmpty(guest.DeviceIds)] })],
        Warnings = [.. OrEmpty(inventory.Warnings).Select(warning => new WarningJson { Code = warning.Code, Path = warning.Path, Message = warning.Message })],
    };

    private static T With<T>(DescriptorFields descriptor, T json)
        where T : DescribedJson
    {
        json.Self = descriptor.Self;
        json.Compatible = OrEmpty(descriptor.Compatible);
        json.DynamicResources = OrEmpty(descriptor.DynamicResources);
        json.Source = new SourceJson { Origin = InventoryNames.Name(descriptor.Origin), Detail = descriptor.OriginDetail };
        return json;
    }

    private InventoryDevice? ToDevice(DeviceJson json, string path)
    {
        var id = Required(json.Id, path, "id", "a string");
        if (id is not null && string.IsNullOrWhiteSpace(id))
        {
            Error(InventoryJsonCodes.InvalidValue, Property(path, "id"), "id is empty; use the mdev UUID or the PCI address.");
        }

        var kind = Named(json.Kind, path, "kind", InventoryNames.Kind, "\"mdev\", \"pci\" or \"sriov_vf\"");
        if (json.IommuGroup < 0)
        {
            Error(InventoryJsonCodes.InvalidValue, Property(path, "iommu_group"), $"iommu_group {json.IommuGroup} is negative; omit it when unknown.");
        }

        if (json.NumaNode < -1)
        {
            Error(InventoryJsonCodes.InvalidValue, Property(path, "numa_node"), $"numa_node {json.NumaNode} is below -1 (-1 means no NUMA node).");
        }

        var pci = json.Pci is { } pciJson ? ToPci(pciJson, Property(path, "pci")) : null;
        var descriptor = ToDescriptor(json, path);
        return id is null || kind is null || descriptor is null
            ? null
            : new InventoryDevice(id, kind.Value, json.DeviceApi, json.MdevType, json.Parent, json.Driver, json.DriverVersion, pci, json.IommuGroup, json.NumaNode, json.InUse, descriptor);
    }

    private CreatableType? ToCreatableType(CreatableTypeJson json, string path)
    {
        var parent = Required(json.Parent, path, "parent", "a string");
        var typeId = Required(json.TypeId, path, "type_id", "a string");
        var available = Required(json.AvailableInstances, path, "available_instances", "an integer");
        var existing = json.ExistingInstances ?? 0;
        NotNegative(available ?? 0, path, "available_instances");
        NotNegative(existing, path, "existing_instances");

        var descriptor = ToDescriptor(json, path);
        return parent is null || typeId is null || available is null || descriptor is null
            ? null
            : new CreatableType(parent, typeId, json.Name, json.Description, json.DeviceApi, available.Value, existing, json.Driver, json.DriverVersion, descriptor);
    }

    private void NotNegative(int value, string path, string name)
    {
        if (value < 0)
        {
            Error(InventoryJsonCodes.NegativeCapacity, Property(path, name), $"{name} is {value}; a capacity cannot be negative.");
        }
    }

    private PciIds? ToPci(PciJson json, string path)
    {
        ReportUnknown(json, path);
        var vendor = Required(json.Vendor, path, "vendor", "a string");
        var device = Required(json.Device, path, "device", "a string");
        return vendor is null || device is null ? null : new PciIds(vendor, device, json.SubsystemVendor, json.SubsystemDevice, json.Class);
    }

    private DescriptorFields? ToDescriptor(DescribedJson json, string path)
    {
        ReportUnknown(json, path);
        if (json.Self.IsDefault)
        {
            Error(InventoryJsonCodes.MissingProperty, path, "self is missing; give the descriptor's self fields as an object of strings ({} when none are known).");
        }

        var compatible = json.Compatible ?? [];
        for (var i = 0; i < compatible.Length; i++)
        {
            if (compatible[i].IsDefault)
            {
                Error(InventoryJsonCodes.WrongType, Index(Property(path, "compatible"), i), "Expected an object of string values, found null.");
            }
        }

        var dynamic = json.DynamicResources ?? [];
        for (var i = 0; i < dynamic.Length; i++)
        {
            if (dynamic[i] is null)
            {
                Error(InventoryJsonCodes.WrongType, Index(Property(path, "dynamic_resources"), i), "Expected a string, found null.");
            }
        }

        DescriptorOrigin? origin = null;
        if (json.Source is { } source)
        {
            var sourcePath = Property(path, "source");
            ReportUnknown(source, sourcePath);
            origin = Named(source.Origin, sourcePath, "origin", InventoryNames.Origin, "\"driver\", \"profile\", \"derived\" or \"imported\"");
        }
        else
        {
            Error(InventoryJsonCodes.MissingProperty, path, "source is missing; every descriptor must say where it came from ({\"origin\": \"derived\", \"detail\": ...}).");
        }

        return json.Self.IsDefault || origin is null || compatible.Any(block => block.IsDefault) || dynamic.Any(name => name is null)
            ? null
            : new DescriptorFields(json.Self, compatible, dynamic, origin.Value, json.Source!.Detail);
    }

    private InventoryGuest? ToGuest(GuestJson json, string path)
    {
        ReportUnknown(json, path);
        var name = Required(json.Name, path, "name", "a string");
        if (name is not null && string.IsNullOrWhiteSpace(name))
        {
            Error(InventoryJsonCodes.InvalidValue, Property(path, "name"), "name is empty; give the VM's name (the libvirt domain name).");
        }

        var uuid = json.Uuid;
        if (uuid is not null)
        {
            if (Guid.TryParseExact(uuid, "D", out var parsed))
            {
                uuid = parsed.ToString("D");
            }
            else
            {
                Error(InventoryJsonCodes.InvalidValue, Property(path, "uuid"), $"uuid \"{uuid}\" is not a UUID (8-4-4-4-12 hexadecimal digits); omit it when unknown.");
            }
        }

        var devices = Required(json.Devices, path, "devices", "an array of device ids");
        var devicesPath = Property(path, "devices");
        for (var i = 0; i < (devices?.Count ?? 0); i++)
        {
            if (devices![i] is null)
            {
                Error(InventoryJsonCodes.WrongType, Index(devicesPath, i), "Expected a string (a device id), found null.");
            }
        }

        return name is null || devices is null || devices.Contains(null)
            ? null
            : new InventoryGuest(name, uuid, [.. devices!]);
    }

    private InventoryWarning? ToWarning(WarningJson json, string path)
    {
        ReportUnknown(json, path);
        var code = Required(json.Code, path, "code", "a string");
        var warningPath = Required(json.Path, path, "path", "a string");
        var message = Required(json.Message, path, "message", "a string");
        return code is null || warningPath is null || message is null ? null : new InventoryWarning(code, warningPath, message);
    }

    private ImmutableArray<TModel> Items<TJson, TModel>(List<TJson?>? items, string path, Func<TJson, string, TModel?> read)
        where TJson : class
        where TModel : class
    {
        if (items is null)
        {
            return [];
        }

        var models = ImmutableArray.CreateBuilder<TModel>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = Index(path, i);
            if (items[i] is not { } item)
            {
                Error(InventoryJsonCodes.WrongType, itemPath, "Expected an object, found null.");
            }
            else if (read(item, itemPath) is { } model)
            {
                models.Add(model);
            }
        }

        return models.DrainToImmutable();
    }

    private void CheckUnique(ImmutableArray<InventoryDevice> devices, string path)
    {
        for (var i = 0; i < devices.Length; i++)
        {
            if (FirstIndex(devices, i, static (a, b) => string.Equals(a.Id, b.Id, StringComparison.Ordinal)) is var first and >= 0)
            {
                Error(InventoryJsonCodes.DuplicateDeviceId, Property(Index(Property(path, "devices"), i), "id"), $"Device id \"{devices[i].Id}\" is used again (first at devices[{first}]); ids must be unique within a host.");
            }
        }
    }

    private void CheckUnique(ImmutableArray<CreatableType> types, string path)
    {
        for (var i = 0; i < types.Length; i++)
        {
            if (FirstIndex(types, i, static (a, b) => string.Equals(a.Parent, b.Parent, StringComparison.Ordinal) && string.Equals(a.TypeId, b.TypeId, StringComparison.Ordinal)) is var first and >= 0)
            {
                Error(InventoryJsonCodes.DuplicateCreatableType, Index(Property(path, "creatable_types"), i), $"Type \"{types[i].TypeId}\" on parent \"{types[i].Parent}\" is listed again (first at creatable_types[{first}]); list each parent/type pair once.");
            }
        }
    }

    private void CheckGuests(ImmutableArray<InventoryGuest> guests, ImmutableArray<InventoryDevice> devices, string path)
    {
        var guestsPath = Property(path, "guests");
        var usedBy = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < guests.Length; i++)
        {
            var guest = guests[i];
            if (FirstIndex(guests, i, static (a, b) => a.Name == b.Name || (a.Uuid is not null && a.Uuid == b.Uuid)) is var first and >= 0)
            {
                var what = guests[first].Name == guest.Name ? $"name \"{guest.Name}\"" : $"uuid {guest.Uuid}";
                Error(InventoryJsonCodes.DuplicateGuest, Index(guestsPath, i), $"A VM with {what} is listed again (first at guests[{first}]); list each VM once.");
            }

            for (var d = 0; d < guest.DeviceIds.Length; d++)
            {
                var id = guest.DeviceIds[d];
                var devicePath = Index(Property(Index(guestsPath, i), "devices"), d);
                if (!devices.Any(device => device.Id == id))
                {
                    Error(InventoryJsonCodes.UnknownGuestDevice, devicePath, $"VM \"{guest.Name}\" uses device \"{id}\", which is not in devices; list the device, or leave it out of the VM.");
                }
                else if (!usedBy.TryAdd(id, guest.Name))
                {
                    Error(InventoryJsonCodes.DeviceInTwoGuests, devicePath, $"Device \"{id}\" is used by VM \"{usedBy[id]}\" and again by VM \"{guest.Name}\"; a device belongs to one VM.");
                }
            }
        }
    }

    /// <summary>The index of the first item before <paramref name="index"/> that is the same as it; -1 when none (hosts list tens of items, so no hash set).</summary>
    private static int FirstIndex<T>(ImmutableArray<T> items, int index, Func<T, T, bool> same)
    {
        for (var i = 0; i < index; i++)
        {
            if (same(items[i], items[index]))
            {
                return i;
            }
        }

        return -1;
    }

    private T? Named<T>(string? text, string path, string name, Func<string, T?> parse, string allowed)
        where T : struct
    {
        if (Required(text, path, name, "a string") is not { } given)
        {
            return null;
        }

        var value = parse(given);
        if (value is null)
        {
            Error(InventoryJsonCodes.UnknownEnumValue, Property(path, name), $"{name} \"{given}\" is not one of {allowed}.");
        }

        return value;
    }

    private T? Required<T>(T? value, string path, string name, string expected)
    {
        if (value is null)
        {
            Error(InventoryJsonCodes.MissingProperty, path, $"Required property \"{name}\" ({expected}) is missing.");
        }

        return value;
    }

    private void ReportUnknown(JsonObjectWithUnknown json, string path)
    {
        foreach (var name in json.Unknown?.Keys ?? Enumerable.Empty<string>())
        {
            Add(DiagnosticSeverity.Warning, InventoryJsonCodes.UnknownProperty, Property(path, name), $"Property \"{name}\" is not part of inventory schema {HostInventory.CurrentSchemaVersion} and is ignored.");
        }
    }

    private void Error(string code, string path, string message) => Add(DiagnosticSeverity.Error, code, path, message);

    private void Add(DiagnosticSeverity severity, string code, string path, string message)
    {
        Found = true;
        if (withPaths)
        {
            (issues ??= []).Add(new Issue(severity, code, path, message));
        }
    }

    private string Property(string path, string name) => withPaths ? JsonPath.Property(path, name) : path;

    private string Index(string path, int index) => withPaths ? JsonPath.Index(path, index) : path;

    private static ImmutableArray<T> OrEmpty<T>(ImmutableArray<T> items) => items.IsDefault ? [] : items;
}

/// <summary>The JSON names of <see cref="DeviceKind"/> and <see cref="DescriptorOrigin"/>, by value.</summary>
internal static class InventoryNames
{
    private static readonly string[] Kinds = ["mdev", "pci", "sriov_vf"];
    private static readonly string[] Origins = ["driver", "profile", "derived", "imported"];

    public static string Name(DeviceKind kind) =>
        (uint)kind < (uint)Kinds.Length ? Kinds[(int)kind] : throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a defined device kind.");

    public static string Name(DescriptorOrigin origin) =>
        (uint)origin < (uint)Origins.Length ? Origins[(int)origin] : throw new ArgumentOutOfRangeException(nameof(origin), origin, "Not a defined descriptor origin.");

    public static DeviceKind? Kind(string text) => Array.IndexOf(Kinds, text) is var i and >= 0 ? (DeviceKind)i : null;

    public static DescriptorOrigin? Origin(string text) => Array.IndexOf(Origins, text) is var i and >= 0 ? (DescriptorOrigin)i : null;
}
