using MigCompat.Discovery.Inventory;

namespace MigCompat.Fleet.Storage;

/// <summary>The inventory as the JSON text the store keeps: the inventory format of <c>docs/inventory.md</c>.</summary>
internal static class InventoryDocument
{
    public static string Write(HostInventory inventory) => InventoryJson.Serialize(inventory);

    /// <summary>Reads a stored document; never throws, a document that cannot be read gives a null inventory and diagnostics.</summary>
    public static InventoryReadResult Read(string json, string hostName)
    {
        try
        {
            return InventoryJson.Read(json, FileName(hostName));
        }
        catch (Exception e)
        {
            return Unreadable(e, hostName);
        }
    }

    /// <summary>Reads a stored document given as its UTF-8 bytes; never throws, like <see cref="Read(string, string)"/>.</summary>
    public static InventoryReadResult Read(byte[] utf8Json, string hostName)
    {
        try
        {
            return InventoryJson.Read(utf8Json, FileName(hostName));
        }
        catch (Exception e)
        {
            return Unreadable(e, hostName);
        }
    }

    private static string FileName(string hostName) => "stored inventory of host " + hostName;

    private static InventoryReadResult Unreadable(Exception e, string hostName) =>
        new(null, [MigCompat.Core.Diagnostics.Diagnostic.Error("MCF001", "the stored inventory cannot be read: " + e.Message, FileName(hostName), 0, 0)]);
}
