using System.Text.Json;

namespace MigCompat.Discovery.Importers;

/// <summary>
/// Names what an input looks like when it is not what the importer reads, so a wrong-format import
/// says which tool's output it was given ("this looks like mdevctl list --dumpjson output; import it as
/// mdevctl-list") instead of importing nothing.
/// </summary>
internal static partial class InputKind
{
    /// <summary>The <c>mdevctl types --dumpjson</c> output, and the import format that reads it.</summary>
    public const string MdevctlTypes = "mdevctl types --dumpjson output (import it as mdevctl-types)";

    /// <summary>The <c>mdevctl list --dumpjson</c> output, and the import format that reads it.</summary>
    public const string MdevctlList = "mdevctl list --dumpjson output (import it as mdevctl-list)";

    /// <summary>A libvirt domain, and the import format that reads it.</summary>
    public const string DomainXml = "a libvirt domain (virsh dumpxml output; import it as domain-xml)";

    /// <summary>libvirt node devices, and the import format that reads them.</summary>
    public const string NodeDeviceXml = "libvirt node devices (virsh nodedev-dumpxml output; import it as nodedev-xml)";

    /// <summary>A MigCompat inventory.</summary>
    /// <summary>One mdev's configuration as <c>mdevctl list --uuid UUID --dumpjson</c> prints it (or a file under /etc/mdevctl.d): no UUID, no parent.</summary>
    public const string MdevctlDevice = "one mdev's configuration (what mdevctl list --uuid UUID --dumpjson prints, or a file under /etc/mdevctl.d), which names neither the mdev's UUID nor its parent: give mdevctl list --dumpjson without --uuid to import mdevs";

    public const string Inventory = "a MigCompat host inventory (migcompat scan --format json), which needs no import: give it to check or validate";

    /// <summary>What text that is not JSON looks like, or null.</summary>
    /// <param name="content">The input.</param>
    /// <returns>A description, or null.</returns>
    public static string? OfNonJson(string content) =>
        content.AsSpan().TrimStart().StartsWith("<") ? "XML, not JSON: " + OfXmlText(content) : null;

    /// <summary>What text that is not XML looks like, or null.</summary>
    /// <param name="content">The input.</param>
    /// <returns>A description, or null.</returns>
    public static string? OfNonXml(string content)
    {
        var start = content.AsSpan().TrimStart();
        if (start.IsEmpty || (start[0] != '[' && start[0] != '{'))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(content, new JsonDocumentOptions { MaxDepth = 32 });
            return "JSON, not XML: " + (OfJson(document.RootElement) ?? "not a format the importers know");
        }
        catch (JsonException)
        {
            return "JSON, not XML";
        }
    }

    /// <summary>Which of the known JSON formats <paramref name="root"/> looks like, or null.</summary>
    /// <param name="root">The parsed input.</param>
    /// <returns>A description, or null.</returns>
    public static string? OfJson(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Object)
        {
            return root.TryGetProperty("schema_version", out _) || root.TryGetProperty("creatable_types", out _) ? Inventory
                : root.TryGetProperty("mdev_type", out _) ? MdevctlDevice
                : null;
        }

        var (types, list) = CountMdevctlEntries(root);
        return list > 0 && types == 0 ? MdevctlList : types > 0 && list == 0 ? MdevctlTypes : null;
    }

    /// <summary>How many entries of an mdevctl dump look like creatable types and how many like mdev devices.</summary>
    /// <param name="root">The parsed input.</param>
    /// <returns>The two counts.</returns>
    public static (int Types, int Devices) CountMdevctlEntries(JsonElement root)
    {
        var (types, devices) = (0, 0);
        if (root.ValueKind != JsonValueKind.Array)
        {
            return (0, 0);
        }

        foreach (var group in root.EnumerateArray().Where(g => g.ValueKind == JsonValueKind.Object))
        {
            foreach (var parent in group.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Array))
            {
                foreach (var entry in parent.Value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object && e.GetPropertyCount() == 1))
                {
                    var single = entry.EnumerateObject().First();
                    var value = single.Value;
                    var isObject = value.ValueKind == JsonValueKind.Object;
                    if (Guid.TryParseExact(single.Name, "D", out _) || (isObject && (value.TryGetProperty("mdev_type", out _) || value.TryGetProperty("attrs", out _) || value.TryGetProperty("start", out _))))
                    {
                        devices++;
                    }
                    else if (isObject && (value.TryGetProperty("available_instances", out _) || value.TryGetProperty("device_api", out _)))
                    {
                        types++;
                    }
                }
            }
        }

        return (types, devices);
    }

    /// <summary>What XML text looks like by its first element.</summary>
    private static string OfXmlText(string content)
    {
        var first = FirstElement().Match(content);
        if (first.Success && first.Groups[1].Value == "domain")
        {
            return DomainXml;
        }

        return DeviceElement().IsMatch(content) ? NodeDeviceXml : "not a format the JSON importers read";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"<([A-Za-z_][A-Za-z0-9_.-]*)")]
    private static partial System.Text.RegularExpressions.Regex FirstElement();

    [System.Text.RegularExpressions.GeneratedRegex(@"<device[\s>]")]
    private static partial System.Text.RegularExpressions.Regex DeviceElement();
}
