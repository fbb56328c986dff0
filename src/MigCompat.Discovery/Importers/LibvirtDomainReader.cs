using System.Collections.Immutable;
using System.Xml.Linq;
using MigCompat.Core.Diagnostics;
using MigCompat.Core.Model;

namespace MigCompat.Discovery.Importers;

/// <summary>The VFIO devices one libvirt domain (VM) is assigned.</summary>
/// <param name="DomainName">The domain's <c>&lt;name&gt;</c>.</param>
/// <param name="MdevUuids">mdev UUIDs from <c>&lt;hostdev type='mdev'&gt;</c>, lower case, in document order.</param>
/// <param name="PciAddresses">PCI addresses from <c>&lt;hostdev type='pci'&gt;</c> and <c>&lt;interface type='hostdev'&gt;</c>, as <c>0000:3b:00.2</c>, in document order.</param>
public sealed record DomainAssignedDevices(string DomainName, ImmutableArray<string> MdevUuids, ImmutableArray<string> PciAddresses)
{
    /// <summary>The domain's <c>&lt;uuid&gt;</c> in lower case, or null when it has none (or not a UUID).</summary>
    public string? DomainUuid { get; init; }

    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(DomainAssignedDevices? other) =>
        other is not null
        && Equals(DomainName, other.DomainName)
        && ArrayEquality.Equal(MdevUuids, other.MdevUuids)
        && ArrayEquality.Equal(PciAddresses, other.PciAddresses)
        && DomainUuid == other.DomainUuid;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(DomainName, ArrayEquality.Hash(MdevUuids), ArrayEquality.Hash(PciAddresses), DomainUuid);
}

/// <summary>The result of <see cref="LibvirtDomainReader.Read"/>.</summary>
/// <param name="Devices">The assigned devices, or null when the input is unusable.</param>
/// <param name="Diagnostics">Errors and warnings.</param>
public sealed record DomainReadResult(DomainAssignedDevices? Devices, ImmutableArray<Diagnostic> Diagnostics)
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(DomainReadResult? other) =>
        other is not null
        && Equals(Devices, other.Devices)
        && ArrayEquality.Equal(Diagnostics, other.Diagnostics);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Devices, ArrayEquality.Hash(Diagnostics));
}

/// <summary>One VFIO host device of a domain: <c>&lt;hostdev type='mdev'|'pci'&gt;</c> or <c>&lt;interface type='hostdev'&gt;</c>.</summary>
/// <param name="Device">The <c>hostdev</c> or <c>interface</c> element.</param>
/// <param name="SourceAddress">Its <c>&lt;source&gt;&lt;address .../&gt;</c>: the host-side id, the part a migration may rewrite.</param>
/// <param name="IsMdev">True for a mediated device (the address has <c>uuid</c>), false for a PCI device.</param>
/// <param name="Id">The id on the host: the mdev UUID (lower case) or the PCI address (<c>0000:3b:00.2</c>).</param>
public sealed record DomainHostdev(XElement Device, XElement SourceAddress, bool IsMdev, string Id);

/// <summary>
/// A domain XML loaded to be edited and written back (<see cref="LibvirtDomainReader.ReadEditable"/>): whitespace
/// and comments are kept; the VFIO host devices point into <see cref="Document"/>.
/// </summary>
public sealed class EditableDomain
{
    internal EditableDomain(XDocument? document, XElement? domain, ImmutableArray<DomainHostdev> hostdevs, ImmutableArray<Diagnostic> diagnostics)
    {
        Document = document;
        Domain = domain;
        Hostdevs = hostdevs;
        Diagnostics = diagnostics;
    }

    /// <summary>The document, or null when the input is unusable.</summary>
    public XDocument? Document { get; }

    /// <summary>The <c>&lt;domain&gt;</c> element, or null when the input is unusable.</summary>
    public XElement? Domain { get; }

    /// <summary>The VFIO host devices in document order.</summary>
    public ImmutableArray<DomainHostdev> Hostdevs { get; }

    /// <summary>Errors and warnings (skipped host devices are warnings).</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; }
}

/// <summary>
/// Reads a libvirt domain XML (<c>virsh dumpxml</c>) and lists which mdevs and PCI devices the VM
/// uses. USB and SCSI host devices are not VFIO devices and are reported as skipped.
/// </summary>
public static class LibvirtDomainReader
{
    /// <summary>Reads the domain; never throws on bad input.</summary>
    /// <param name="content">The XML text.</param>
    /// <param name="fileName">The input's name, for diagnostics.</param>
    /// <returns>The assigned devices and diagnostics.</returns>
    public static DomainReadResult Read(string content, string fileName)
    {
        ArgumentNullException.ThrowIfNull(content);
        var context = new ImportContext(fileName);
        var roots = XmlInput.LoadElements(content, context);
        if (roots is null)
        {
            return new DomainReadResult(null, context.Diagnostics);
        }

        var domain = SingleDomain(roots, context);
        if (domain is null)
        {
            return new DomainReadResult(null, context.Diagnostics);
        }

        string? uuid = null;
        if (domain.Element("uuid") is { } uuidElement)
        {
            if (Guid.TryParse(uuidElement.Value.Trim(), out var parsed))
            {
                uuid = parsed.ToString("D");
            }
            else
            {
                var (line, column) = XmlInput.Position(uuidElement);
                context.At(DiagnosticSeverity.Warning, ImportCodes.InvalidValue, line, column, $"The domain's <uuid> '{uuidElement.Value.Trim()}' is not a UUID; the VM is known by its name only.");
            }
        }

        var hostdevs = Hostdevs(domain, context);
        var devices = new DomainAssignedDevices(
            domain.Element("name")!.Value.Trim(),
            [.. hostdevs.Where(h => h.IsMdev).Select(h => h.Id)],
            [.. hostdevs.Where(h => !h.IsMdev).Select(h => h.Id)])
        {
            DomainUuid = uuid,
        };
        return new DomainReadResult(devices, context.Diagnostics);
    }

    /// <summary>
    /// Reads one domain to edit and write back: the same refusals and warnings as <see cref="Read"/>, and the
    /// document with its VFIO host devices. Never throws on bad input.
    /// </summary>
    /// <param name="content">The XML text.</param>
    /// <param name="fileName">The input's name, for diagnostics.</param>
    /// <returns>The document (null when unusable), its host devices and the diagnostics.</returns>
    public static EditableDomain ReadEditable(string content, string fileName)
    {
        ArgumentNullException.ThrowIfNull(content);
        var context = new ImportContext(fileName);
        var document = XmlInput.LoadDocument(content, context);
        var domain = document?.Root is { } root ? SingleDomain([root], context) : null;
        return domain is null
            ? new EditableDomain(null, null, [], context.Diagnostics)
            : new EditableDomain(document, domain, Hostdevs(domain, context), context.Diagnostics);
    }

    private static XElement? SingleDomain(IReadOnlyList<XElement> roots, ImportContext context)
    {
        var domains = roots.Where(r => r.Name.LocalName == "domain").ToList();
        if (domains.Count != 1)
        {
            var (line, column) = roots.Count > 0 ? XmlInput.Position(roots[0]) : (1, 1);
            context.At(DiagnosticSeverity.Error, ImportCodes.UnexpectedShape, line, column, domains.Count == 0
                ? roots.Any(r => r.DescendantsAndSelf("device").Any())
                    ? $"This is {InputKind.NodeDeviceXml}, not a domain: no <domain> element found; expected the output of virsh dumpxml."
                    : "No <domain> element found; expected the output of virsh dumpxml."
                : $"Found {domains.Count} <domain> elements; give one domain per input.");
            return null;
        }

        var domain = domains[0];
        if (string.IsNullOrEmpty(domain.Element("name")?.Value.Trim()))
        {
            var (line, column) = XmlInput.Position(domain);
            context.At(DiagnosticSeverity.Error, ImportCodes.InvalidValue, line, column, "The domain has no <name>; it cannot be identified.");
            return null;
        }

        return domain;
    }

    private static ImmutableArray<DomainHostdev> Hostdevs(XElement domain, ImportContext context)
    {
        var hostdevs = ImmutableArray.CreateBuilder<DomainHostdev>();
        foreach (var device in domain.Element("devices")?.Elements() ?? [])
        {
            var isHostdev = device.Name.LocalName == "hostdev";
            var isHostdevInterface = device.Name.LocalName == "interface" && (string?)device.Attribute("type") == "hostdev";
            if (!isHostdev && !isHostdevInterface)
            {
                continue;
            }

            var type = isHostdevInterface ? "pci" : (string?)device.Attribute("type");
            var address = device.Element("source")?.Element("address");
            switch (type)
            {
                case "mdev" when Guid.TryParse((string?)address?.Attribute("uuid"), out var uuid):
                    hostdevs.Add(new DomainHostdev(device, address!, true, uuid.ToString("D")));
                    break;
                case "pci" when address is not null && LibvirtNames.PciAddress(
                    (string?)address.Attribute("domain") ?? "0", (string?)address.Attribute("bus"), (string?)address.Attribute("slot"), (string?)address.Attribute("function")) is { } pciAddress:
                    hostdevs.Add(new DomainHostdev(device, address, false, pciAddress));
                    break;
                case "mdev" or "pci":
                    Warn(context, device, $"<{device.Name.LocalName} type='{type}'> has no usable <source><address .../>; the device is not counted as in use.");
                    break;
                default:
                    Warn(context, device, $"<hostdev type='{type}'> is not a VFIO device; it is not part of the migration check.");
                    break;
            }
        }

        return hostdevs.ToImmutable();
    }

    private static void Warn(ImportContext context, XElement at, string message)
    {
        var (line, column) = XmlInput.Position(at);
        context.At(DiagnosticSeverity.Warning, ImportCodes.HostdevSkipped, line, column, message);
    }
}
