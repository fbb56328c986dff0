using System.Collections.Immutable;
using System.Xml;
using MigCompat.Core.Diagnostics;
using MigCompat.Core.Formatting;
using MigCompat.Core.Model;
using MigCompat.Discovery.Importers;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Libvirt;

/// <summary>The result of <see cref="MigrateXml.Prepare"/>.</summary>
/// <param name="Xml">The domain XML with MigCompat's metadata, or null when it could not be written.</param>
/// <param name="Diagnostics">Errors and warnings, with file, line and column.</param>
public sealed record MigrateXmlResult(string? Xml, ImmutableArray<Diagnostic> Diagnostics)
{
    /// <summary>Equal when every member is equal, the diagnostics item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(MigrateXmlResult? other) =>
        other is not null && Xml == other.Xml && ArrayEquality.Equal(Diagnostics, other.Diagnostics);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Xml, ArrayEquality.Hash(Diagnostics));
}

/// <summary>Diagnostic codes of <see cref="MigrateXml"/> (docs/integrations-libvirt.md).</summary>
public static class MigrateXmlCodes
{
    /// <summary>Error: an mdev or PCI host device without a readable source address.</summary>
    public const string UnreadableDevice = "MCL001";

    /// <summary>Error: the domain has no assigned mdev or PCI device.</summary>
    public const string NoDevices = "MCL002";

    /// <summary>Error: the claim was released or has expired.</summary>
    public const string ClaimNotActive = "MCL003";

    /// <summary>Error: an assigned device is not in the source inventory, or its descriptor does not parse.</summary>
    public const string NoDescriptor = "MCL004";

    /// <summary>Error: no claimed resource for a device, or more than one could be meant.</summary>
    public const string NoResource = "MCL005";

    /// <summary>Error: an explicit assignment names a device the domain does not have or a resource the claim does not hold.</summary>
    public const string BadAssignment = "MCL006";

    /// <summary>Warning: the claim holds units no device uses.</summary>
    public const string UnusedUnits = "MCL007";
}

/// <summary>
/// The source side of a migration (<c>migcompat migrate-xml</c>): writes the claim and the source devices' descriptors
/// into the domain XML's <c>&lt;metadata&gt;</c>, for <c>virsh migrate --xml</c> and the destination's hook.
/// </summary>
public static class MigrateXml
{
    /// <summary>Writes the metadata into the domain XML; never throws on bad input.</summary>
    /// <param name="domainXml">The domain XML (<c>virsh dumpxml</c>).</param>
    /// <param name="fileName">Its name, for diagnostics.</param>
    /// <param name="claim">The claim on the destination.</param>
    /// <param name="source">The source host's inventory (the devices' descriptors).</param>
    /// <param name="assignments">Source device id → claimed resource key, for devices whose resource is not obvious.</param>
    /// <param name="now">The current time (a pending claim past its expiry is refused).</param>
    /// <returns>The XML or diagnostics.</returns>
    public static MigrateXmlResult Prepare(string domainXml, string fileName, ClaimDocument claim, HostInventory source, IReadOnlyDictionary<string, string> assignments, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(assignments);
        var domain = LibvirtDomainReader.ReadEditable(domainXml, fileName);
        var diagnostics = domain.Diagnostics.ToBuilder();
        if (domain.Domain is null)
        {
            return new MigrateXmlResult(null, diagnostics.ToImmutable());
        }

        foreach (var element in DomainDevices.Unreadable(domain))
        {
            Error(diagnostics, MigrateXmlCodes.UnreadableDevice, element, fileName, $"<{element.Name.LocalName} type='{(string?)element.Attribute("type")}'> has no usable <source><address .../>; the destination could not check it, so no migration metadata is written");
        }

        if (domain.Hostdevs.IsEmpty && diagnostics.All(d => !d.IsError))
        {
            Error(diagnostics, MigrateXmlCodes.NoDevices, domain.Domain, fileName, "the domain is assigned no mdev or PCI host device; it needs no MigCompat metadata (migrate it without --xml)");
        }

        if (claim.State is "released" or "expired" || (claim.State == "pending" && claim.ExpiresAt <= now))
        {
            Error(diagnostics, MigrateXmlCodes.ClaimNotActive, domain.Domain, fileName, $"claim {claim.Id} is {(claim.State == "pending" ? "expired" : claim.State)} (expires {claim.ExpiresAt:u}); claim the target again (migcompat claims create) and confirm it");
        }

        var resources = AssignResources(domain, claim, assignments, fileName, diagnostics);
        var devices = ImmutableArray.CreateBuilder<MetadataDevice>();
        foreach (var hostdev in domain.Hostdevs)
        {
            var descriptor = DescriptorText(source, hostdev, fileName, diagnostics);
            if (descriptor is not null && resources.TryGetValue(hostdev.Id, out var resource))
            {
                devices.Add(new MetadataDevice(hostdev.Id, hostdev.IsMdev, resource, descriptor));
            }
        }

        if (diagnostics.Any(d => d.IsError))
        {
            return new MigrateXmlResult(null, diagnostics.ToImmutable());
        }

        MigrationMetadataXml.Write(domain.Domain, new MigrationMetadata(claim.Id, claim.Host, claim.State, claim.ExpiresAt, devices.ToImmutable()));
        return new MigrateXmlResult(DomainXmlText.Write(domain.Document!), diagnostics.ToImmutable());
    }

    private static string? DescriptorText(HostInventory source, DomainHostdev hostdev, string fileName, ImmutableArray<Diagnostic>.Builder diagnostics)
    {
        var device = InventoryLookup.Device(source, hostdev.Id);
        if (device is null)
        {
            Error(diagnostics, MigrateXmlCodes.NoDescriptor, hostdev.Device, fileName, $"{DomainDevices.Describe(hostdev.IsMdev, hostdev.Id)} is not in the source inventory of host {source.Host}; scan this host (migcompat scan) or give its inventory with --inventory");
            return null;
        }

        var parsed = device.Descriptor.Parse($"{source.Host}#{device.Id}");
        if (parsed.Descriptor is null || parsed.Diagnostics.Any(d => d.IsError))
        {
            var first = parsed.Diagnostics.FirstOrDefault(d => d.IsError);
            Error(diagnostics, MigrateXmlCodes.NoDescriptor, hostdev.Device, fileName, $"the descriptor of {DomainDevices.Describe(hostdev.IsMdev, hostdev.Id)} in the source inventory does not parse{(first is null ? "" : ": " + first.Message)}");
            return null;
        }

        var text = DescriptorFormatter.Format(parsed.Descriptor);
        if (!IsXmlText(text))
        {
            Error(diagnostics, MigrateXmlCodes.NoDescriptor, hostdev.Device, fileName, $"the descriptor of {DomainDevices.Describe(hostdev.IsMdev, hostdev.Id)} holds characters XML cannot carry (control characters or lone surrogates)");
            return null;
        }

        return text;
    }

    /// <summary>
    /// Each device's claimed resource: the explicit assignment, else the one resource of its kind the claim still has
    /// units of (mdevs take <c>type:</c> keys and <c>device:</c> keys that are UUIDs; PCI devices the other <c>device:</c> keys).
    /// </summary>
    private static Dictionary<string, string> AssignResources(EditableDomain domain, ClaimDocument claim, IReadOnlyDictionary<string, string> assignments, string fileName, ImmutableArray<Diagnostic>.Builder diagnostics)
    {
        var units = claim.Items.ToDictionary(i => i.Key, i => i.Value, StringComparer.Ordinal);
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, key) in assignments)
        {
            var hostdev = domain.Hostdevs.FirstOrDefault(h => string.Equals(h.Id, Normalize(id), StringComparison.OrdinalIgnoreCase));
            if (hostdev is null)
            {
                Error(diagnostics, MigrateXmlCodes.BadAssignment, domain.Domain!, fileName, $"--assign {id}={key}: the domain has no assigned device {id} (it has {string.Join(", ", domain.Hostdevs.Select(h => h.Id))})");
            }
            else if (!units.TryGetValue(key, out var left) || left < 1)
            {
                Error(diagnostics, MigrateXmlCodes.BadAssignment, hostdev.Device, fileName, $"--assign {id}={key}: claim {claim.Id} {(units.ContainsKey(key) ? "has no unit of it left" : "holds no such resource")} (it holds {string.Join(", ", claim.Items.Select(i => $"{i.Key} x{i.Value}"))})");
            }
            else
            {
                units[key] = left - 1;
                result[hostdev.Id] = key;
            }
        }

        foreach (var hostdev in domain.Hostdevs.Where(h => !result.ContainsKey(h.Id)))
        {
            var candidates = units.Where(u => u.Value > 0 && Fits(hostdev.IsMdev, u.Key)).Select(u => u.Key).ToList();
            if (candidates.Count == 1)
            {
                units[candidates[0]]--;
                result[hostdev.Id] = candidates[0];
                continue;
            }

            Error(diagnostics, MigrateXmlCodes.NoResource, hostdev.Device, fileName, candidates.Count == 0
                ? $"claim {claim.Id} holds no unit left for {DomainDevices.Describe(hostdev.IsMdev, hostdev.Id)} (it holds {string.Join(", ", claim.Items.Select(i => $"{i.Key} x{i.Value}"))}); claim one for every assigned device"
                : $"claim {claim.Id} holds several resources {DomainDevices.Describe(hostdev.IsMdev, hostdev.Id)} could use ({string.Join(", ", candidates)}); say which with --assign {hostdev.Id}=RESOURCE (the resourceKey of its assignment in the targets answer)");
        }

        foreach (var (key, left) in result.Count == domain.Hostdevs.Length ? units.Where(u => u.Value > 0) : [])
        {
            var (line, column) = DomainDevices.Position(domain.Domain!);
            diagnostics.Add(Diagnostic.Warning(MigrateXmlCodes.UnusedUnits, $"claim {claim.Id} holds {left} unit(s) of {key} that no assigned device uses; release what the VM does not need", fileName, line, column));
        }

        return result;
    }

    /// <summary>True when XML can carry <paramref name="text"/> (surrogate pairs included).</summary>
    private static bool IsXmlText(string text)
    {
        try
        {
            XmlConvert.VerifyXmlChars(text);
            return true;
        }
        catch (XmlException)
        {
            return false;
        }
    }

    /// <summary>Whether a resource can take a device of this kind.</summary>
    private static bool Fits(bool isMdev, string resourceKey) =>
        resourceKey.StartsWith("type:", StringComparison.Ordinal)
            ? isMdev
            : resourceKey.StartsWith("device:", StringComparison.Ordinal) && Guid.TryParse(resourceKey["device:".Length..], out _) == isMdev;

    private static string Normalize(string id) => Guid.TryParse(id, out var uuid) ? uuid.ToString("D") : id;

    private static void Error(ImmutableArray<Diagnostic>.Builder diagnostics, string code, System.Xml.Linq.XObject at, string fileName, string message)
    {
        var (line, column) = DomainDevices.Position(at);
        diagnostics.Add(Diagnostic.Error(code, message, fileName, line, column));
    }
}
