using System.Collections.Immutable;

namespace MigCompat.Discovery.Importers;

/// <summary>
/// Turns an mdev's ordered attribute list into self fields: a repeated name (<c>assign_adapter</c>
/// 5, then 6) becomes one field with the values joined by commas in order (<c>5,6</c>), placed
/// where the name first appeared.
/// </summary>
internal sealed class MdevAttributes
{
    /// <summary>Self field names the importers set themselves; an attribute may not override them.</summary>
    public static readonly ImmutableArray<string> Reserved = ["device_api", "mdev_type", "driver", "driver_build", "pci_id", "subsystem_id"];

    private readonly List<string> order = [];
    private readonly Dictionary<string, List<string>> values = new(StringComparer.Ordinal);

    /// <summary>Adds one name/value pair; false when the name is reserved.</summary>
    public bool Add(string name, string value)
    {
        if (Reserved.Contains(name, StringComparer.Ordinal))
        {
            return false;
        }

        if (!values.TryGetValue(name, out var list))
        {
            order.Add(name);
            values[name] = list = [];
        }

        list.Add(value);
        return true;
    }

    /// <summary>The joined fields in first-appearance order.</summary>
    public ImmutableArray<KeyValuePair<string, string>> ToFields() =>
        [.. order.Select(name => new KeyValuePair<string, string>(name, string.Join(',', values[name])))];
}
