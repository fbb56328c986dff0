using System.Text;
using MigCompat.Core.Model;

namespace MigCompat.Core.Syntax;

/// <summary>
/// Reads the September-2020 per-type sysfs form into the descriptor model. Keys are attribute file
/// names: <c>device_api</c>, <c>mdev_type</c>, <c>software_version</c> and vendor attributes become
/// SELF fields; <c>compatible_type</c> and <c>compatible_&lt;field&gt;</c> (comma-separated values,
/// integer ranges allowed) become one COMPATIBLE block; <c>dynamic_resources</c> (comma- or
/// space-separated names) becomes DYNAMIC. The type's own id is always accepted.
/// </summary>
public static class PerAttributeForm
{
    /// <summary>Attributes of a type directory that describe it but are not compatibility fields.</summary>
    private static readonly string[] Metadata = ["name", "description", "available_instances", "create", "remove", "devices"];

    /// <summary>Reads the attributes (values as read from sysfs; trailing newlines are trimmed).</summary>
    public static ParseResult Parse(IEnumerable<KeyValuePair<string, string>> attributes, string? origin = null)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var self = new List<KeyValuePair<string, string>>();
        var block = new List<KeyValuePair<string, string>>();
        var dynamic = new List<string>();
        string? compatibleTypes = null;
        var variables = new HashSet<string>(StringComparer.Ordinal) { Descriptor.MdevTypeField };
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
                var field = key["compatible_".Length..];
                block.Add(new(field, ListPattern(field, SplitList(value), variables)));
            }
            else
            {
                self.Add(new(key, value));
            }
        }

        if (compatibleTypes is not null)
        {
            var types = SplitList(compatibleTypes);
            var own = self.FirstOrDefault(f => f.Key == Descriptor.MdevTypeField).Value;
            if (own is not null && !types.Contains(own))
            {
                types.Insert(0, own);
            }

            block.Insert(0, new(Descriptor.MdevTypeField, ListPattern(Descriptor.MdevTypeField, types, null)));
        }

        IEnumerable<IEnumerable<KeyValuePair<string, string>>> blocks = block.Count > 0 ? [block] : [];
        return DescriptorParser.FromFields(self, blocks, dynamic, origin);
    }

    private static List<string> SplitList(string value) =>
        [.. value.Split([',', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>The template for a list of accepted values; <paramref name="used"/> keeps variable names unique (null: use the field name as is).</summary>
    private static string ListPattern(string field, List<string> values, HashSet<string>? used)
    {
        var variable = new StringBuilder();
        foreach (var c in field)
        {
            variable.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        if (variable.Length == 0 || char.IsAsciiDigit(variable[0]))
        {
            variable.Insert(0, '_');
        }

        if (used is not null)
        {
            var stem = variable.ToString();
            for (var n = 2; !used.Add(variable.ToString()); n++)
            {
                variable.Clear().Append(stem).Append('_').Append(n);
            }
        }

        var allIntegers = values.Count > 0 && values.TrueForAll(IsIntegerOrRange);
        var builder = new StringBuilder().Append('{').Append(variable).Append(allIntegers ? ":int" : ":string");
        if (values.Count > 0)
        {
            builder.Append(':');
            for (var i = 0; i < values.Count; i++)
            {
                if (i > 0)
                {
                    builder.Append(',');
                }

                if (allIntegers)
                {
                    builder.Append(values[i]);
                }
                else
                {
                    ValueQuoting.AppendQuoted(builder, values[i]);
                }
            }
        }

        return builder.Append('}').ToString();
    }

    private static bool IsIntegerOrRange(string value)
    {
        var dash = value.IndexOf('-', StringComparison.Ordinal);
        return dash < 0
            ? FieldValue.TryParseInteger(value, out _)
            : FieldValue.TryParseInteger(value.AsSpan(0, dash).Trim(), out _) && FieldValue.TryParseInteger(value.AsSpan(dash + 1).Trim(), out _);
    }
}
