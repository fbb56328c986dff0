using System.Collections.Immutable;
using System.Text.Json;

namespace MigCompat.Discovery.Inventory;

/// <summary>Writes the inventory JSON form; property names and order are the schema's (see <c>docs/inventory.md</c>).</summary>
internal static class InventoryJsonWriter
{
    public static void WriteInventory(Utf8JsonWriter writer, HostInventory inventory)
    {
        writer.WriteStartObject();
        writer.WriteNumber("schema_version", inventory.SchemaVersion);
        writer.WriteString("host", inventory.Host);
        writer.WriteString("taken_at", inventory.TakenAt);
        writer.WriteStartArray("devices");
        foreach (var device in OrEmpty(inventory.Devices))
        {
            WriteDevice(writer, device);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("creatable_types");
        foreach (var type in OrEmpty(inventory.CreatableTypes))
        {
            WriteCreatableType(writer, type);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("warnings");
        foreach (var warning in OrEmpty(inventory.Warnings))
        {
            writer.WriteStartObject();
            writer.WriteString("code", warning.Code);
            writer.WriteString("path", warning.Path);
            writer.WriteString("message", warning.Message);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    internal static string KindName(DeviceKind kind) => kind switch
    {
        DeviceKind.Mdev => "mdev",
        DeviceKind.PciDevice => "pci",
        DeviceKind.SriovVf => "sriov_vf",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a defined device kind."),
    };

    internal static string OriginName(DescriptorOrigin origin) => origin switch
    {
        DescriptorOrigin.Driver => "driver",
        DescriptorOrigin.Profile => "profile",
        DescriptorOrigin.Derived => "derived",
        DescriptorOrigin.Imported => "imported",
        _ => throw new ArgumentOutOfRangeException(nameof(origin), origin, "Not a defined descriptor origin."),
    };

    private static void WriteDevice(Utf8JsonWriter writer, InventoryDevice device)
    {
        writer.WriteStartObject();
        writer.WriteString("id", device.Id);
        writer.WriteString("kind", KindName(device.Kind));
        WriteOptional(writer, "device_api", device.DeviceApi);
        WriteOptional(writer, "mdev_type", device.MdevType);
        WriteOptional(writer, "parent", device.Parent);
        WriteOptional(writer, "driver", device.Driver);
        WriteOptional(writer, "driver_version", device.DriverVersion);
        if (device.Pci is { } pci)
        {
            writer.WriteStartObject("pci");
            writer.WriteString("vendor", pci.Vendor);
            writer.WriteString("device", pci.Device);
            WriteOptional(writer, "subsystem_vendor", pci.SubsystemVendor);
            WriteOptional(writer, "subsystem_device", pci.SubsystemDevice);
            WriteOptional(writer, "class", pci.Class);
            writer.WriteEndObject();
        }

        if (device.IommuGroup is { } group)
        {
            writer.WriteNumber("iommu_group", group);
        }

        if (device.NumaNode is { } node)
        {
            writer.WriteNumber("numa_node", node);
        }

        if (device.InUse is { } inUse)
        {
            writer.WriteBoolean("in_use", inUse);
        }

        WriteDescriptor(writer, device.Descriptor);
        writer.WriteEndObject();
    }

    private static void WriteCreatableType(Utf8JsonWriter writer, CreatableType type)
    {
        writer.WriteStartObject();
        writer.WriteString("parent", type.Parent);
        writer.WriteString("type_id", type.TypeId);
        WriteOptional(writer, "name", type.Name);
        WriteOptional(writer, "description", type.Description);
        WriteOptional(writer, "device_api", type.DeviceApi);
        writer.WriteNumber("available_instances", type.AvailableInstances);
        writer.WriteNumber("existing_instances", type.ExistingInstances);
        WriteOptional(writer, "driver", type.Driver);
        WriteOptional(writer, "driver_version", type.DriverVersion);
        WriteDescriptor(writer, type.Descriptor);
        writer.WriteEndObject();
    }

    private static void WriteDescriptor(Utf8JsonWriter writer, DescriptorFields descriptor)
    {
        writer.WritePropertyName("self");
        WriteFields(writer, descriptor.Self);
        writer.WriteStartArray("compatible");
        foreach (var block in OrEmpty(descriptor.Compatible))
        {
            WriteFields(writer, block);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("dynamic_resources");
        foreach (var name in OrEmpty(descriptor.DynamicResources))
        {
            writer.WriteStringValue(name);
        }

        writer.WriteEndArray();
        writer.WriteStartObject("source");
        writer.WriteString("origin", OriginName(descriptor.Origin));
        WriteOptional(writer, "detail", descriptor.OriginDetail);
        writer.WriteEndObject();
    }

    private static void WriteFields(Utf8JsonWriter writer, ImmutableArray<KeyValuePair<string, string>> fields)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in OrEmpty(fields))
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static ImmutableArray<T> OrEmpty<T>(ImmutableArray<T> items) => items.IsDefault ? [] : items;
}
