using System.Collections.Immutable;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Diagnostics;

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

    /// <summary>A value as quoted in a warning message: at most 80 characters, longer text cut with <c>...</c>.</summary>
    internal static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");
}
