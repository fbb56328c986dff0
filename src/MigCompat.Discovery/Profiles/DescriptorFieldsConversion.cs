using System.Collections.Immutable;
using MigCompat.Core.Model;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Profiles;

/// <summary>Turns a parsed Core <see cref="Descriptor"/> into the plain <see cref="DescriptorFields"/> an inventory carries.</summary>
public static class DescriptorFieldsConversion
{
    /// <summary>
    /// The descriptor as fields: self values as concrete text (unquoted, as <c>DescriptorParser.FromFields</c> reads them), each
    /// COMPATIBLE block's patterns in their canonical template text, the dynamic resource names.
    /// </summary>
    public static DescriptorFields ToFields(Descriptor descriptor, DescriptorOrigin origin, string? originDetail)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var self = descriptor.Self.Select(static f => KeyValuePair.Create(f.Name, f.Value.Text)).ToImmutableArray();
        var compatible = descriptor.Compatible
            .Select(static b => b.Fields.Select(static f => KeyValuePair.Create(f.Name, f.Pattern.ToString())).ToImmutableArray())
            .ToImmutableArray();
        return new DescriptorFields(self, compatible, descriptor.DynamicResources, origin, originDetail);
    }
}
