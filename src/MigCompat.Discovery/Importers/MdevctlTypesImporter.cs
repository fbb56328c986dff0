using System.Collections.Immutable;
using System.Text.Json;
using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Json;

namespace MigCompat.Discovery.Importers;

/// <summary>
/// Reads <c>mdevctl types --dumpjson</c>: <c>[ { "PARENT": [ { "TYPE_ID": { "available_instances": N,
/// "device_api": ..., "name": ..., "description": ... } } ] } ]</c> into <see cref="CreatableType"/>s.
/// </summary>
public static class MdevctlTypesImporter
{
    /// <summary>The origin detail imported types carry.</summary>
    public const string ToolName = "mdevctl types";

    private static readonly string[] KnownProperties = ["available_instances", "device_api", "name", "description"];

    /// <summary>Imports the types; never throws on bad input.</summary>
    /// <param name="content">The tool's output.</param>
    /// <param name="fileName">The input's name, for diagnostics.</param>
    /// <returns>The creatable types and diagnostics.</returns>
    public static ImportResult Import(string content, string fileName)
    {
        ArgumentNullException.ThrowIfNull(content);
        var context = new ImportContext(fileName);
        using var document = context.ParseJson(content);
        if (document is null || !MdevctlJson.CheckIsOwnKind(document.RootElement, types: true, context))
        {
            return new ImportResult([], [], context.Diagnostics);
        }

        var types = ImmutableArray.CreateBuilder<CreatableType>();
        var seen = new HashSet<(string, string)>();
        foreach (var (parent, entry, path) in MdevctlJson.ParentEntries(document.RootElement, context))
        {
            if (ReadType(parent, entry, path, context) is not { } type)
            {
                continue;
            }

            if (!seen.Add((type.Parent, type.TypeId)))
            {
                context.AtJsonPath(DiagnosticSeverity.Warning, ImportCodes.Duplicate, path, $"Type \"{type.TypeId}\" on parent \"{parent}\" is listed again; the later entry is skipped.");
                continue;
            }

            types.Add(type);
        }

        return new ImportResult([], types.ToImmutable(), context.Diagnostics);
    }

    private static CreatableType? ReadType(string parent, JsonProperty entry, string path, ImportContext context)
    {
        var typeId = entry.Name;
        var properties = entry.Value;
        if (properties.ValueKind != JsonValueKind.Object)
        {
            context.AtJsonPath(DiagnosticSeverity.Warning, ImportCodes.UnexpectedShape, path, $"Type \"{typeId}\" is described by {MdevctlJson.Describe(properties)}, not an object; it is skipped.");
            return null;
        }

        void Warn(string code, string at, string message) => context.AtJsonPath(DiagnosticSeverity.Warning, code, at, message);

        var available = 0;
        var availablePath = JsonPath.Property(path, "available_instances");
        if (!properties.TryGetProperty("available_instances", out var availableElement))
        {
            Warn(ImportCodes.InvalidValue, path, $"Type \"{typeId}\" has no available_instances; it is imported with zero capacity.");
        }
        else if (availableElement.ValueKind != JsonValueKind.Number || !availableElement.TryGetInt32(out available) || available < 0)
        {
            Warn(ImportCodes.InvalidValue, availablePath, $"available_instances {availableElement.GetRawText()} is not a non-negative whole number; the type is imported with zero capacity.");
            available = 0;
        }

        var deviceApi = MdevctlJson.OptionalString(properties, "device_api", path, context);
        context.CheckDeviceApi(deviceApi, message => Warn(ImportCodes.UnknownDeviceApi, JsonPath.Property(path, "device_api"), message));
        foreach (var property in properties.EnumerateObject().Where(p => !KnownProperties.Contains(p.Name)))
        {
            Warn(ImportCodes.Ignored, JsonPath.Property(path, property.Name), $"Property \"{property.Name}\" is not used by the importer and is ignored.");
        }

        return new CreatableType(
            parent,
            typeId,
            MdevctlJson.OptionalString(properties, "name", path, context),
            MdevctlJson.OptionalString(properties, "description", path, context),
            deviceApi,
            available,
            0,
            null,
            null,
            DerivedDescriptors.ForMdev(deviceApi, typeId, null, null, DescriptorOrigin.Imported, ToolName));
    }
}
