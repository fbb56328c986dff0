using System.Text;
using MigCompat.Core.Model;

namespace MigCompat.Core.Formatting;

/// <summary>
/// Writes a descriptor in the canonical form: a <c>SELF:</c> header, then each <c>COMPATIBLE:</c>
/// block, then <c>DYNAMIC:</c>, fields indented by two spaces in their original order, values bare
/// unless they need quotes, no comments. Parsing the output gives an equal descriptor.
/// </summary>
public static class DescriptorFormatter
{
    /// <summary>The canonical text of <paramref name="descriptor"/>, ending with a newline.</summary>
    public static string Format(Descriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var builder = new StringBuilder();
        builder.Append("SELF:\n");
        foreach (var field in descriptor.Self)
        {
            builder.Append("  ").Append(field.Name).Append('=').Append(ValueQuoting.Format(field.Value.Text)).Append('\n');
        }

        foreach (var block in descriptor.Compatible)
        {
            builder.Append("COMPATIBLE:\n");
            foreach (var field in block.Fields)
            {
                builder.Append("  ").Append(field.Name).Append('=').Append(field.Pattern.ToString()).Append('\n');
            }
        }

        if (!descriptor.DynamicResources.IsDefaultOrEmpty)
        {
            builder.Append("DYNAMIC:\n");
            foreach (var name in descriptor.DynamicResources)
            {
                builder.Append("  ").Append(name).Append('\n');
            }
        }

        return builder.ToString();
    }
}
