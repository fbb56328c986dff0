using System.Xml;
using System.Xml.Linq;
using MigCompat.Discovery.Importers;

namespace MigCompat.Libvirt;

/// <summary>What both sides need to know about a domain's assigned devices beyond <see cref="LibvirtDomainReader"/>.</summary>
internal static class DomainDevices
{
    /// <summary>
    /// The mdev and PCI host devices (and hostdev interfaces) whose source address could not be read: assigned
    /// devices nobody can name, so a migration check about them is impossible.
    /// </summary>
    public static IEnumerable<XElement> Unreadable(EditableDomain domain)
    {
        var read = domain.Hostdevs.Select(h => h.Device).ToHashSet();
        return (domain.Domain?.Element("devices")?.Elements() ?? [])
            .Where(e => (e.Name.LocalName == "hostdev" && (string?)e.Attribute("type") is "mdev" or "pci")
                || (e.Name.LocalName == "interface" && (string?)e.Attribute("type") == "hostdev"))
            .Where(e => !read.Contains(e));
    }

    /// <summary>The element's 1-based line and column, (0, 0) when unknown.</summary>
    public static (int Line, int Column) Position(XObject node) =>
        node is IXmlLineInfo info && info.HasLineInfo() ? (info.LineNumber, info.LinePosition) : (0, 0);

    /// <summary>The id as a person reads it in a message: <c>mdev UUID</c> or <c>PCI device ADDRESS</c>.</summary>
    public static string Describe(bool isMdev, string id) => isMdev ? $"mdev {id}" : $"PCI device {id}";
}
