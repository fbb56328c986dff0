using MigCompat.Discovery.Inventory;

namespace MigCompat.Cli.Output;

/// <summary>Writes an inventory in the chosen format: tables for people, inventory JSON for programs.</summary>
internal static class InventoryOutput
{
    /// <summary>Writes <paramref name="inventory"/> to <paramref name="stdout"/>.</summary>
    /// <param name="stdout">Standard output.</param>
    /// <param name="inventory">The inventory.</param>
    /// <param name="json">True for <see cref="InventoryJson.Serialize"/> output.</param>
    public static void Write(TextWriter stdout, HostInventory inventory, bool json)
    {
        if (json)
        {
            stdout.Write(InventoryJson.Serialize(inventory));
        }
        else
        {
            InventoryTable.Write(stdout, inventory);
        }
    }
}
