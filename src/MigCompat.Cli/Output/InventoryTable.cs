using System.Globalization;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Cli.Output;

/// <summary>The human form of a <see cref="HostInventory"/>: a devices table, a creatable-types table and (when known) a VMs table on stdout, warnings on stderr.</summary>
internal static class InventoryTable
{
    /// <summary>Writes the host line and the tables (the VMs only when the inventory knows one).</summary>
    /// <param name="writer">Where to write (stdout).</param>
    /// <param name="inventory">The inventory.</param>
    public static void Write(TextWriter writer, HostInventory inventory)
    {
        var devices = inventory.Devices.IsDefault ? [] : inventory.Devices;
        var types = inventory.CreatableTypes.IsDefault ? [] : inventory.CreatableTypes;
        writer.Write($"Host {inventory.Host}: {DiagnosticOutput.Count(devices.Length, "device")}, {DiagnosticOutput.Count(types.Length, "creatable type")}.\n");

        writer.Write("\nDevices:\n");
        if (devices.IsEmpty)
        {
            writer.Write("  (none)\n");
        }
        else
        {
            var table = new TextTable("ID", "KIND", "DEVICE_API", "TYPE", "PARENT", "DRIVER", "IN_USE", "SOURCE");
            foreach (var device in devices)
            {
                table.Add(device.Id, InventoryJson.KindName(device.Kind), device.DeviceApi, device.MdevType, device.Parent, device.Driver, InUse(device.InUse), InventoryJson.OriginName(device.Descriptor.Origin));
            }

            table.Write(writer, "  ");
        }

        writer.Write("\nCreatable types:\n");
        if (types.IsEmpty)
        {
            writer.Write("  (none)\n");
        }
        else
        {
            var table = new TextTable("PARENT", "TYPE", "NAME", "FREE", "SOURCE");
            foreach (var type in types)
            {
                table.Add(type.Parent, type.TypeId, type.Name, type.AvailableInstances.ToString(CultureInfo.InvariantCulture), InventoryJson.OriginName(type.Descriptor.Origin));
            }

            table.Write(writer, "  ");
        }

        if (!inventory.Guests.IsDefaultOrEmpty)
        {
            writer.Write("\nVMs:\n");
            var table = new TextTable("VM", "UUID", "DEVICES");
            foreach (var guest in inventory.Guests)
            {
                table.Add(guest.Name, guest.Uuid, guest.DeviceIds.IsDefaultOrEmpty ? "(none known)" : string.Join(", ", guest.DeviceIds));
            }

            table.Write(writer, "  ");
        }
    }

    /// <summary>Writes the warnings as <c>PATH: warning CODE: message</c> lines after a count line.</summary>
    /// <param name="writer">Where to write (stderr).</param>
    /// <param name="command">The command name for the count line.</param>
    /// <param name="warnings">The warnings.</param>
    public static void WriteWarnings(TextWriter writer, string command, IReadOnlyCollection<InventoryWarning> warnings)
    {
        foreach (var warning in warnings)
        {
            writer.Write($"{warning.Path}: warning {warning.Code}: {warning.Message}\n");
        }

        writer.Write($"migcompat {command}: {DiagnosticOutput.Count(warnings.Count, "warning")}\n");
    }

    private static string? InUse(bool? inUse) => inUse switch
    {
        true => "yes",
        false => "no",
        null => null,
    };
}
