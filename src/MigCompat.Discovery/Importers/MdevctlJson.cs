using System.Text.Json;
using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Json;

namespace MigCompat.Discovery.Importers;

/// <summary>The shape both mdevctl dumps share: an array of objects mapping a parent to an array of single-key objects.</summary>
internal static class MdevctlJson
{
    /// <summary>Yields (parent, single entry, entry path) for every well-shaped entry; reports the rest.</summary>
    public static IEnumerable<(string Parent, JsonProperty Entry, string Path)> ParentEntries(JsonElement root, ImportContext context)
    {
        if (root.ValueKind != JsonValueKind.Array)
        {
            var kind = InputKind.OfJson(root) is { } k ? $"; it looks like {k}" : string.Empty;
            context.AtJsonPath(DiagnosticSeverity.Error, ImportCodes.UnexpectedShape, JsonPath.Root, $"Expected an array of {{\"PARENT\": [...]}} objects (mdevctl --dumpjson output), found {Describe(root)}{kind}.");
            yield break;
        }

        var groupIndex = 0;
        foreach (var group in root.EnumerateArray())
        {
            var groupPath = JsonPath.Index(JsonPath.Root, groupIndex++);
            if (group.ValueKind != JsonValueKind.Object)
            {
                context.AtJsonPath(DiagnosticSeverity.Warning, ImportCodes.UnexpectedShape, groupPath, $"Expected an object mapping parents to entries, found {Describe(group)}; it is skipped.");
                continue;
            }

            foreach (var parent in group.EnumerateObject())
            {
                var parentPath = JsonPath.Property(groupPath, parent.Name);
                if (parent.Value.ValueKind != JsonValueKind.Array)
                {
                    context.AtJsonPath(DiagnosticSeverity.Warning, ImportCodes.UnexpectedShape, parentPath, $"Parent \"{parent.Name}\" has {Describe(parent.Value)}, not an array of entries; it is skipped.");
                    continue;
                }

                var entryIndex = 0;
                foreach (var entry in parent.Value.EnumerateArray())
                {
                    var entryPath = JsonPath.Index(parentPath, entryIndex++);
                    if (entry.ValueKind != JsonValueKind.Object || entry.GetPropertyCount() != 1)
                    {
                        context.AtJsonPath(DiagnosticSeverity.Warning, ImportCodes.UnexpectedShape, entryPath, $"Expected an object with exactly one key (the type id or UUID), found {Describe(entry)}; it is skipped.");
                        continue;
                    }

                    var single = entry.EnumerateObject().First();
                    yield return (parent.Name, single, JsonPath.Property(entryPath, single.Name));
                }
            }
        }
    }

    /// <summary>
    /// Refuses a dump of the other mdevctl command (every entry looks like it and none like this one's):
    /// an error naming what it is, instead of an import of nothing.
    /// </summary>
    /// <returns>True when the input may be imported.</returns>
    public static bool CheckIsOwnKind(JsonElement root, bool types, ImportContext context)
    {
        var (typeEntries, deviceEntries) = InputKind.CountMdevctlEntries(root);
        var (own, other) = types ? (typeEntries, deviceEntries) : (deviceEntries, typeEntries);
        if (own > 0 || other == 0)
        {
            return true;
        }

        var expected = types ? "mdevctl types --dumpjson (creatable types keyed by type id)" : "mdevctl list --dumpjson (mdev devices keyed by UUID)";
        context.AtJsonPath(DiagnosticSeverity.Error, ImportCodes.UnexpectedShape, JsonPath.Root, $"This is {(types ? InputKind.MdevctlList : InputKind.MdevctlTypes)}, not {expected}: all {other} entries are {(types ? "mdev devices" : "creatable types")}.");
        return false;
    }

    /// <summary>A string property, or null when absent; a non-string value is reported and treated as absent.</summary>
    public static string? OptionalString(JsonElement obj, string name, string path, ImportContext context)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        context.AtJsonPath(DiagnosticSeverity.Warning, ImportCodes.InvalidValue, JsonPath.Property(path, name), $"{name} is {Describe(value)}, not a string; it is left out.");
        return null;
    }

    public static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.GetPropertyCount() == 0 ? "an empty object" : "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
