using System.Text;
using MigCompat.Core.Matching;
using MigCompat.Core.Model;

namespace MigCompat.Core.Syntax;

/// <summary>
/// Reads the September-2020 per-type sysfs form (<c>mdev_supported_types/&lt;type&gt;/</c>) into
/// the descriptor model. Keys are attribute file names: <c>device_api</c>, <c>software_version</c>
/// and vendor attributes become SELF fields; the type id is the directory's name (an
/// <c>mdev_type</c> attribute, where a driver writes one, wins); <c>compatible_type</c> becomes a
/// COMPATIBLE block on <c>mdev_type</c> (the type's own id always accepted);
/// <c>compatible_&lt;field&gt;</c> becomes the upstream superset rule: the target's list must contain
/// every one of the source's values (its <c>&lt;field&gt;</c>, or its own list when it has no such
/// attribute), and an empty list accepts nothing that has the field; <c>dynamic_resources</c>
/// becomes DYNAMIC. <c>migration_version</c> is opaque and <c>software_version</c> follows the
/// x.y rule by their built-in rules.
/// </summary>
public static class PerAttributeForm
{
    /// <summary>Attributes of a type directory that describe it but are not compatibility fields.</summary>
    private static readonly string[] Metadata = ["name", "description", "available_instances", "create", "remove", "devices"];

    /// <summary>Reads the attributes (values as read from sysfs; trailing newlines are trimmed).</summary>
    /// <param name="attributes">Attribute file name to content.</param>
    /// <param name="origin">What diagnostics name.</param>
    /// <param name="typeId">The type directory's name: the <c>mdev_type</c> when no attribute states it.</param>
    /// <returns>The descriptor or diagnostics.</returns>
    public static ParseResult Parse(IEnumerable<KeyValuePair<string, string>> attributes, string? origin = null, string? typeId = null)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var self = new List<KeyValuePair<string, string>>();
        var lists = new List<KeyValuePair<string, string>>();
        var dynamic = new List<string>();
        string? compatibleTypes = null;
        foreach (var (key, raw) in attributes)
        {
            var value = raw.Trim();
            if (Array.IndexOf(Metadata, key) >= 0)
            {
                continue;
            }

            if (key == "dynamic_resources")
            {
                dynamic.AddRange(value.Split([',', ' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }
            else if (key == "compatible_type")
            {
                compatibleTypes = value;
            }
            else if (key.StartsWith("compatible_", StringComparison.Ordinal) && key.Length > "compatible_".Length)
            {
                lists.Add(new(key, string.Join(',', SplitList(value))));
            }
            else
            {
                self.Add(new(key, value));
            }
        }

        if (typeId is not null && !self.Exists(f => f.Key == Descriptor.MdevTypeField))
        {
            self.Insert(Math.Min(1, self.Count), new(Descriptor.MdevTypeField, typeId));
        }

        foreach (var (key, list) in lists)
        {
            var field = key["compatible_".Length..];
            if (!self.Exists(f => f.Key == field))
            {
                self.Add(new(field, list));
            }

            self.Add(new(key, list));
            self.Add(new(ComparisonRule.FieldPrefix + field, $"superset {key}"));
        }

        var blocks = new List<IEnumerable<KeyValuePair<string, string>>>();
        if (compatibleTypes is not null)
        {
            var types = SplitList(compatibleTypes);
            var own = self.FirstOrDefault(f => f.Key == Descriptor.MdevTypeField).Value;
            if (own is not null && !types.Contains(own))
            {
                types.Insert(0, own);
            }

            blocks.Add([new(Descriptor.MdevTypeField, TypeListPattern(types))]);
        }

        return DescriptorParser.FromFields(self, blocks, dynamic, origin);
    }

    private static List<string> SplitList(string value) =>
        [.. value.Split([',', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>The template accepting any of <paramref name="types"/>.</summary>
    private static string TypeListPattern(List<string> types)
    {
        var builder = new StringBuilder("{mdev_type:string:");
        for (var i = 0; i < types.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            ValueQuoting.AppendQuoted(builder, types[i]);
        }

        return builder.Append('}').ToString();
    }
}
