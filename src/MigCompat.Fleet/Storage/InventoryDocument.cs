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
            return InventoryJson.Read(json, "stored inventory of host " + hostName);
        }
        catch (Exception e)
        {
            return new InventoryReadResult(null,
                [MigCompat.Core.Diagnostics.Diagnostic.Error("MCF001", "the stored inventory cannot be read: " + e.Message, "stored inventory of host " + hostName, 0, 0)]);
        }
    }
}
