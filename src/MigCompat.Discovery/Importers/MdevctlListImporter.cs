using System.Collections.Immutable;
using System.Text.Json;
using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Json;

namespace MigCompat.Discovery.Importers;

/// <summary>
/// Reads <c>mdevctl list --dumpjson</c>: <c>[ { "PARENT": [ { "UUID": { "mdev_type": ..., "start": ...,
/// "attrs": [ { "NAME": "VALUE" }, ... ] } } ] } ]</c> into mdev <see cref="InventoryDevice"/>s.
/// Attributes become self fields after <c>mdev_type</c>; repeated names are joined in order with commas.
/// <c>start</c> (auto/manual) is configuration, not identity, and is not imported.
/// </summary>
public static class MdevctlListImporter
{
    /// <summary>The origin detail imported devices carry.</summary>
    public const string ToolName = "mdevctl list";

    private static readonly string[] KnownProperties = ["mdev_type", "start", "attrs"];

    /// <summary>Imports the devices; never throws on bad input.</summary>
    /// <param name="content">The tool's output.</param>
    /// <param name="fileName">The input's name, for diagnostics.</param>
    /// <returns>The devices and diagnostics.</returns>
    public static ImportResult Import(string content, string fileName)
    {
        ArgumentNullException.ThrowIfNull(content);
        var context = new ImportContext(fileName);
        using var document = context.ParseJson(content);
        if (document is null || !MdevctlJson.CheckIsOwnKind(document.RootElement, types: false, context))
        {
            return new ImportResult([], [], context.Diagnostics);
        }

        var devices = ImmutableArray.CreateBuilder<InventoryDevice>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (parent, entry, path) in MdevctlJson.ParentEntries(document.RootElement, context))
        {
            if (ReadDevice(parent, entry, path, context) is not { } device)
            {
                continue;
            }

            if (!seen.Add(device.Id))
            {
                context.AtJsonPath(DiagnosticSeverity.Warning, ImportCodes.Duplicate, path, $"Device {device.Id} is listed again; the later entry is skipped.");
                continue;
            }

            devices.Add(device);
        }

        return new ImportResult(devices.ToImmutable(), [], context.Diagnostics);
    }

    private static InventoryDevice? ReadDevice(string parent, JsonProperty entry, string path, ImportContext context)
    {
        void Warn(string code, string at, string message) => context.AtJsonPath(DiagnosticSeverity.Warning, code, at, message);

        if (!Guid.TryParseExact(entry.Name, "D", out var uuid))
        {
            Warn(ImportCodes.InvalidValue, path, $"\"{entry.Name}\" is not an mdev UUID (8-4-4-4-12 hex digits); the entry is skipped.");
            return null;
        }

        var properties = entry.Value;
        if (properties.ValueKind != JsonValueKind.Object)
        {
            Warn(ImportCodes.UnexpectedShape, path, $"Device {entry.Name} is described by {MdevctlJson.Describe(properties)}, not an object; it is skipped.");
            return null;
        }

        var mdevType = MdevctlJson.OptionalString(properties, "mdev_type", path, context);
        if (string.IsNullOrEmpty(mdevType))
        {
            Warn(ImportCodes.InvalidValue, path, $"Device {entry.Name} has no mdev_type; without it nothing can match, so it is skipped.");
            return null;
        }

        foreach (var property in properties.EnumerateObject().Where(p => !KnownProperties.Contains(p.Name)))
        {
            Warn(ImportCodes.Ignored, JsonPath.Property(path, property.Name), $"Property \"{property.Name}\" is not used by the importer and is ignored.");
        }

        var attributes = ReadAttributes(properties, JsonPath.Property(path, "attrs"), context);
        var id = uuid.ToString("D");
        return new InventoryDevice(
            id,
            DeviceKind.Mdev,
            null,
            mdevType,
            parent,
            null,
            null,
            null,
            null,
            null,
            null,
            DerivedDescriptors.ForMdev(null, mdevType, null, null, DescriptorOrigin.Imported, ToolName, attributes));
    }

    private static ImmutableArray<KeyValuePair<string, string>> ReadAttributes(JsonElement properties, string path, ImportContext context)
    {
        var attributes = new MdevAttributes();
        if (!properties.TryGetProperty("attrs", out var attrs) || attrs.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (attrs.ValueKind != JsonValueKind.Array)
        {
            context.AtJsonPath(DiagnosticSeverity.Warning, ImportCodes.UnusableAttribute, path, $"attrs is {MdevctlJson.Describe(attrs)}, not an array of {{\"name\": \"value\"}} objects; no attributes are imported.");
            return [];
        }

        var index = 0;
        foreach (var attr in attrs.EnumerateArray())
        {
            var attrPath = JsonPath.Index(path, index++);
            if (attr.ValueKind != JsonValueKind.Object || attr.GetPropertyCount() != 1)
            {
                context.AtJsonPath(DiagnosticSeverity.Warning, ImportCodes.UnusableAttribute, attrPath, $"Expected one {{\"name\": \"value\"}} pair, found {MdevctlJson.Describe(attr)}{(attr.ValueKind == JsonValueKind.Object ? $" with {attr.GetPropertyCount()} properties" : string.Empty)}; it is skipped.");
                continue;
            }

            var pair = attr.EnumerateObject().First();
            var value = pair.Value.ValueKind switch
            {
                JsonValueKind.String => pair.Value.GetString(),
                JsonValueKind.Number => pair.Value.GetRawText(),
                _ => null,
            };
            if (value is null)
            {
                context.AtJsonPath(DiagnosticSeverity.Warning, ImportCodes.UnusableAttribute, JsonPath.Property(attrPath, pair.Name), $"Attribute \"{pair.Name}\" has {MdevctlJson.Describe(pair.Value)}, not text; it is skipped.");
            }
            else if (!attributes.Add(pair.Name, value))
            {
                context.AtJsonPath(DiagnosticSeverity.Warning, ImportCodes.UnusableAttribute, JsonPath.Property(attrPath, pair.Name), $"Attribute \"{pair.Name}\" has the name of a field the importer sets itself; it is skipped.");
            }
        }

        return attributes.ToFields();
    }
}
