using System.Collections.Immutable;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Sysfs;

/// <summary>Collects the warnings of one scan, in the order they happen, each once.</summary>
internal sealed class ScanWarnings
{
    private readonly List<InventoryWarning> warnings = [];
    private readonly HashSet<InventoryWarning> seen = [];

    public void Add(string code, string path, string message)
    {
        var warning = new InventoryWarning(code, path, message);
        if (seen.Add(warning))
        {
            warnings.Add(warning);
        }
    }

    public ImmutableArray<InventoryWarning> ToImmutable() => [.. warnings];
}
