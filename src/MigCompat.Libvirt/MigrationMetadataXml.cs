using System.Collections.Immutable;
using System.Globalization;
using System.Xml.Linq;

namespace MigCompat.Libvirt;

/// <summary>The result of <see cref="MigrationMetadataXml.Read"/>.</summary>
/// <param name="Metadata">The metadata, or null when absent or unusable.</param>
/// <param name="Problems">Why the metadata is unusable; empty when it was read or is absent.</param>
public sealed record MetadataReadResult(MigrationMetadata? Metadata, ImmutableArray<HookReason> Problems)
{
    /// <summary>Equal when every member is equal, the problems item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(MetadataReadResult? other) =>
        other is not null && Equals(Metadata, other.Metadata) && Core.Model.ArrayEquality.Equal(Problems, other.Problems);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Metadata, Core.Model.ArrayEquality.Hash(Problems));
}

/// <summary>
/// MigCompat's element in a domain's <c>&lt;metadata&gt;</c> (libvirt formatdomain "General metadata"): one
/// <c>migration</c> element in the namespace <see cref="Namespace"/>, read by the destination's hook and written by
/// <c>migcompat migrate-xml</c>.
/// </summary>
public static class MigrationMetadataXml
{
    /// <summary>The namespace of this version of the metadata.</summary>
    public const string Namespace = "https://migcompat.dev/xmlns/migration/1";

    /// <summary>Every version's namespace starts with this.</summary>
    public const string NamespacePrefix = "https://migcompat.dev/xmlns/migration/";

    private const string Prefix = "migcompat";
    private static readonly XNamespace Ns = Namespace;

    /// <summary>Reads the MigCompat metadata of <paramref name="domain"/>; never throws on bad input.</summary>
    /// <param name="domain">The <c>&lt;domain&gt;</c> element.</param>
    /// <returns>The metadata (null when absent or unusable) and why it is unusable.</returns>
    public static MetadataReadResult Read(XElement domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var ours = Ours(domain).ToList();
        if (ours.Count == 0)
        {
            return new MetadataReadResult(null, []);
        }

        if (ours.Count > 1)
        {
            return Bad($"the domain's <metadata> holds {ours.Count} MigCompat elements ({string.Join(", ", ours.Select(e => e.Name.NamespaceName).Distinct())}); write it again with migcompat migrate-xml, which keeps one");
        }

        var element = ours[0];
        if (element.Name.NamespaceName != Namespace || element.Name.LocalName != "migration")
        {
            return Bad($"the MigCompat metadata is <{element.Name.LocalName}> in namespace {element.Name.NamespaceName}; this MigCompat reads <migration> in {Namespace} (a newer MigCompat on the source? install the same version on both hosts)");
        }

        var claim = Attribute(element, "claim");
        var host = Attribute(element, "host");
        var state = Attribute(element, "state");
        var expires = Attribute(element, "expires");
        if (claim is null || host is null || state is null || expires is null)
        {
            return Bad("the MigCompat metadata lacks one of the attributes claim, host, state, expires; write it again with migcompat migrate-xml");
        }

        if (!DateTimeOffset.TryParse(expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiresAt))
        {
            return Bad($"the MigCompat metadata's expires '{expires}' is not a date and time (ISO 8601)");
        }

        var devices = ImmutableArray.CreateBuilder<MetadataDevice>();
        foreach (var device in element.Elements())
        {
            if (device.Name != Ns + "device")
            {
                return Bad($"the MigCompat metadata has an unknown element <{device.Name.LocalName}>; this MigCompat knows <device>");
            }

            var source = Attribute(device, "source");
            var kind = Attribute(device, "kind");
            var resource = Attribute(device, "resource");
            if (source is null || resource is null || kind is not ("mdev" or "pci"))
            {
                return Bad($"MigCompat metadata device {devices.Count + 1} needs source, resource and kind='mdev' or kind='pci'");
            }

            devices.Add(new MetadataDevice(source, kind == "mdev", resource, device.Element(Ns + "descriptor")?.Value ?? ""));
        }

        return new MetadataReadResult(new MigrationMetadata(claim, host, state, expiresAt, devices.ToImmutable()), []);
    }

    /// <summary>
    /// Writes <paramref name="metadata"/> into <paramref name="domain"/>'s <c>&lt;metadata&gt;</c>, replacing any MigCompat
    /// element (of any version) and keeping every other one; creates <c>&lt;metadata&gt;</c> when there is none.
    /// </summary>
    /// <param name="domain">The <c>&lt;domain&gt;</c> element.</param>
    /// <param name="metadata">What to write.</param>
    public static void Write(XElement domain, MigrationMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(metadata);
        var indent = IndentOf(domain.Elements().FirstOrDefault()) ?? "  ";
        foreach (var old in Ours(domain).ToList())
        {
            if (old.PreviousNode is XText { Value: var text } whitespace && string.IsNullOrWhiteSpace(text))
            {
                whitespace.Remove();
            }

            old.Remove();
        }

        var container = domain.Elements("metadata").FirstOrDefault();
        if (container is null)
        {
            container = new XElement("metadata", new XText("\n" + indent));
            var after = domain.Elements().LastOrDefault(e => e.Name.LocalName is "name" or "uuid" or "genid" or "title" or "description");
            if (after is null)
            {
                domain.AddFirst(new XText("\n" + indent), container);
            }
            else
            {
                after.AddAfterSelf(new XText("\n" + indent), container);
            }
        }

        var inner = indent + indent;
        var element = new XElement(
            Ns + "migration",
            new XAttribute(XNamespace.Xmlns + Prefix, Namespace),
            new XAttribute("claim", metadata.ClaimId),
            new XAttribute("host", metadata.Host),
            new XAttribute("state", metadata.State),
            new XAttribute("expires", metadata.ExpiresAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)));
        foreach (var device in metadata.Devices)
        {
            element.Add(
                new XText("\n" + inner + indent),
                new XElement(
                    Ns + "device",
                    new XAttribute("kind", device.IsMdev ? "mdev" : "pci"),
                    new XAttribute("source", device.Source),
                    new XAttribute("resource", device.Resource),
                    new XText("\n" + inner + indent + indent),
                    new XElement(Ns + "descriptor", device.Descriptor),
                    new XText("\n" + inner + indent)));
        }

        element.Add(new XText("\n" + inner));
        var last = container.LastNode;
        if (last is XText { Value: var tail } && string.IsNullOrWhiteSpace(tail))
        {
            last.AddBeforeSelf(new XText("\n" + inner), element);
        }
        else
        {
            container.Add(new XText("\n" + inner), element, new XText("\n" + indent));
        }

        // A container written as <metadata/> or <metadata>\n  </metadata> keeps its closing tag on its own line.
        if (container.FirstNode is XText { Value: var first } leading && string.IsNullOrWhiteSpace(first) && leading.NextNode is XText)
        {
            leading.Remove();
        }
    }

    private static IEnumerable<XElement> Ours(XElement domain) =>
        domain.Elements("metadata").Elements().Where(e => e.Name.NamespaceName.StartsWith(NamespacePrefix, StringComparison.Ordinal));

    private static string? Attribute(XElement element, string name) =>
        (string?)element.Attribute(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static string? IndentOf(XElement? element) =>
        element?.PreviousNode is XText { Value: var text } && string.IsNullOrWhiteSpace(text) && text.Contains('\n', StringComparison.Ordinal)
            ? text[(text.LastIndexOf('\n') + 1)..]
            : null;

    private static MetadataReadResult Bad(string message) => new(null, [new HookReason(HookCodes.BadMetadata, message)]);
}
