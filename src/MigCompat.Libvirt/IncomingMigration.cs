using System.Collections.Immutable;
using System.Globalization;
using System.Xml.Linq;
using MigCompat.Core.Matching;
using MigCompat.Core.Model;
using MigCompat.Core.Syntax;
using MigCompat.Discovery.Importers;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Libvirt;

/// <summary>The hook's answer to an incoming migration.</summary>
/// <param name="Allowed">True: let the migration go on (exit 0); false: cancel it (exit 1).</param>
/// <param name="Xml">The domain XML to hand back to libvirt (devices rewritten to the claimed targets); null for "unchanged".</param>
/// <param name="Reasons">Why it is refused: every reason, one line each; empty when allowed.</param>
public sealed record HookDecision(bool Allowed, string? Xml, ImmutableArray<HookReason> Reasons)
{
    /// <summary>Equal when every member is equal, the reasons item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(HookDecision? other) =>
        other is not null && Allowed == other.Allowed && Xml == other.Xml && ArrayEquality.Equal(Reasons, other.Reasons);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Allowed, Xml, ArrayEquality.Hash(Reasons));
}

/// <summary>A claim as the fleet server has it now, or why it could not be read.</summary>
/// <param name="Claim">The claim, or null.</param>
/// <param name="Problem">Why it could not be read; null when read.</param>
public sealed record ClaimLookup(ClaimDocument? Claim, string? Problem);

/// <summary>This host's inventory for the hook, or why there is none.</summary>
/// <param name="Inventory">The inventory, or null.</param>
/// <param name="Problem">Why it could not be read; null when read.</param>
public sealed record HookInventory(HostInventory? Inventory, string? Problem);

/// <summary>
/// The destination side of a migration (libvirt's <c>qemu</c> hook, <c>migrate begin</c>): checks every assigned
/// device of the incoming VM against the device its claim names on this host, with the matcher, and rewrites the
/// domain XML to those devices; refuses with every reason otherwise. First law: never lets a VM with assigned
/// devices through on missing information.
/// </summary>
public static class IncomingMigration
{
    /// <summary>True for the call the hook acts on: <c>VM migrate begin -</c>.</summary>
    /// <param name="arguments">The hook's arguments as libvirt passes them.</param>
    /// <returns>True for <c>migrate begin</c>.</returns>
    public static bool IsMigrateBegin(IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return arguments.Count >= 3 && arguments[1] == "migrate" && arguments[2] == "begin";
    }

    /// <summary>Decides on an incoming migration; never throws on bad input.</summary>
    /// <param name="domainXml">The domain XML libvirt passed on stdin.</param>
    /// <param name="inventory">Reads this host's inventory (called only when the VM has assigned devices).</param>
    /// <param name="hostName">This host's name as claims name it; null for the inventory's host name.</param>
    /// <param name="now">The current time.</param>
    /// <param name="confirmClaim">
    /// Reads the claim from the fleet server, when one is configured: its host, state and expiry then count instead of
    /// the metadata's copy, and every device's resource must be one the claim holds. Null: the metadata alone (offline).
    /// </param>
    /// <param name="fleet">
    /// The fleet server, when one is configured: a VM with assigned devices but no MigCompat metadata (Nova, KubeVirt
    /// write the destination XML themselves) is then judged from the fleet's inventories (<see cref="FleetMigration"/>).
    /// Null: such a VM is refused.
    /// </param>
    /// <returns>The decision.</returns>
    public static HookDecision Check(string domainXml, Func<HookInventory> inventory, string? hostName, DateTimeOffset now, Func<string, ClaimLookup>? confirmClaim = null, IFleetReader? fleet = null)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        var domain = LibvirtDomainReader.ReadEditable(domainXml ?? "", "stdin");
        if (domain.Domain is null)
        {
            return Refuse([.. domain.Diagnostics.Where(d => d.IsError).Select(d => new HookReason(HookCodes.BadDomainXml, $"line {d.Line}, column {d.Column}: {d.Message}"))]);
        }

        var reasons = ImmutableArray.CreateBuilder<HookReason>();
        foreach (var element in DomainDevices.Unreadable(domain))
        {
            var (line, _) = DomainDevices.Position(element);
            reasons.Add(new(HookCodes.UnreadableDevice, $"the <{element.Name.LocalName} type='{(string?)element.Attribute("type")}'> on line {line} has no usable <source><address .../>; its device cannot be checked"));
        }

        if (domain.Hostdevs.IsEmpty && reasons.Count == 0)
        {
            return new HookDecision(true, null, []);
        }

        var read = MigrationMetadataXml.Read(domain.Domain);
        reasons.AddRange(read.Problems);
        if (read.Metadata is null)
        {
            if (read.Problems.IsEmpty && fleet is not null)
            {
                return FleetMigration.Check(domain, inventory, hostName, fleet, reasons);
            }

            if (read.Problems.IsEmpty)
            {
                reasons.Add(new(HookCodes.NoMetadata, $"the VM has {domain.Hostdevs.Length} assigned device(s) but its XML carries no MigCompat metadata and no fleet server is configured, so nothing says whether the devices of this host can take their state; either run 'migcompat migrate-xml' on the source and migrate with 'virsh migrate --xml', or set MIGCOMPAT_SERVER and MIGCOMPAT_TOKEN in /etc/migcompat/libvirt-hook.env so the fleet decides"));
            }

            return Refuse(reasons.ToImmutable());
        }

        var metadata = read.Metadata;
        var (host, problem) = inventory();
        if (host is null)
        {
            reasons.Add(new(HookCodes.NoInventory, $"this host's inventory could not be read: {problem}"));
            return Refuse(reasons.ToImmutable());
        }

        var claim = new ClaimDocument(metadata.ClaimId, metadata.Host, metadata.State, metadata.ExpiresAt, []);
        var said = "when the metadata was written";
        if (confirmClaim?.Invoke(metadata.ClaimId) is { } lookup)
        {
            if (lookup.Claim is null)
            {
                reasons.Add(new(HookCodes.ClaimUnconfirmed, $"claim {metadata.ClaimId} could not be confirmed with the fleet server: {lookup.Problem}"));
            }
            else
            {
                claim = lookup.Claim;
                said = "on the fleet server";
                foreach (var device in metadata.Devices.Where(d => !claim.Items.Any(i => i.Key == d.Resource)))
                {
                    reasons.Add(new(HookCodes.ClaimUnconfirmed, $"the metadata puts {DomainDevices.Describe(device.IsMdev, device.Source)} on {device.Resource}, which claim {claim.Id} does not hold on the fleet server"));
                }
            }
        }

        var thisHost = hostName ?? host.Host;
        if (!string.Equals(claim.Host, thisHost, StringComparison.OrdinalIgnoreCase))
        {
            reasons.Add(new(HookCodes.ClaimOtherHost, $"claim {claim.Id} is for host {claim.Host}, not this host ({thisHost}); migrate to {claim.Host} or claim this host"));
        }

        if (claim.State is not ("pending" or "confirmed"))
        {
            reasons.Add(new(HookCodes.ClaimNotActive, $"claim {claim.Id} is {claim.State} {said}; claim the target again"));
        }
        else if (claim.State == "pending" && claim.ExpiresAt <= now)
        {
            reasons.Add(new(HookCodes.ClaimNotActive, $"claim {claim.Id} expired at {claim.ExpiresAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)} while pending; confirm claims before migrating, or claim again"));
        }

        foreach (var extra in metadata.Devices.Where(m => !domain.Hostdevs.Any(h => SameDevice(h, m))))
        {
            reasons.Add(new(HookCodes.DeviceNotInMetadata, $"the MigCompat metadata describes {DomainDevices.Describe(extra.IsMdev, extra.Source)}, which the VM is not assigned; write the metadata again from the current domain XML"));
        }

        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var rewrites = new List<(DomainHostdev Hostdev, InventoryDevice Target)>();
        foreach (var hostdev in domain.Hostdevs)
        {
            var device = metadata.Devices.FirstOrDefault(m => SameDevice(hostdev, m));
            if (device is null)
            {
                reasons.Add(new(HookCodes.DeviceNotInMetadata, $"{DomainDevices.Describe(hostdev.IsMdev, hostdev.Id)} is assigned to the VM but the MigCompat metadata does not describe it; write the metadata again from the current domain XML"));
                continue;
            }

            var target = Resolve(host, hostdev, device.Resource, taken, reasons);
            if (target is not null && Judge(hostdev, device, target, reasons))
            {
                rewrites.Add((hostdev, target));
            }
        }

        if (reasons.Count > 0)
        {
            return Refuse(reasons.ToImmutable());
        }

        var changes = rewrites.SelectMany(r => Rewrite(r.Hostdev, r.Target.Id)).ToList();
        return new HookDecision(true, DomainXmlText.Splice(domainXml!, changes) ?? Apply(domain, changes), []);
    }

    private static bool SameDevice(DomainHostdev hostdev, MetadataDevice device) =>
        hostdev.IsMdev == device.IsMdev && string.Equals(hostdev.Id, Guid.TryParse(device.Source, out var uuid) ? uuid.ToString("D") : device.Source, StringComparison.OrdinalIgnoreCase);

    /// <summary>The device of this host the claimed resource names, or null after adding why there is none.</summary>
    private static InventoryDevice? Resolve(HostInventory host, DomainHostdev hostdev, string resource, HashSet<string> taken, ImmutableArray<HookReason>.Builder reasons)
    {
        var what = DomainDevices.Describe(hostdev.IsMdev, hostdev.Id);
        var devices = host.Devices.IsDefault ? [] : host.Devices.Where(d => d is not null).ToImmutableArray();
        InventoryDevice? target = null;
        string? why = null;
        if (resource.StartsWith("device:", StringComparison.Ordinal))
        {
            var id = resource["device:".Length..];
            target = InventoryLookup.Device(host, id);
            why = target is null ? $"claimed device {id} is not in this host's inventory ({host.Host})"
                : (target.Kind == DeviceKind.Mdev) != hostdev.IsMdev ? $"claimed device {id} is a {KindName(target.Kind)}, but the VM's device is a {(hostdev.IsMdev ? "mdev" : "PCI device")}"
                : target.InUse == true && !string.Equals(target.Id, hostdev.Id, StringComparison.OrdinalIgnoreCase) ? $"claimed device {id} is in use on this host"
                : taken.Contains(target.Id) ? $"claimed device {id} is claimed for another device of this VM too"
                : null;
        }
        else if (resource.StartsWith("type:", StringComparison.Ordinal) && resource.LastIndexOf('/') is var slash && slash > "type:".Length && hostdev.IsMdev)
        {
            var parent = resource["type:".Length..slash];
            var type = resource[(slash + 1)..];
            var ofType = devices.Where(d => d.Kind == DeviceKind.Mdev && string.Equals(d.Parent, parent, StringComparison.OrdinalIgnoreCase) && d.MdevType == type && !taken.Contains(d.Id)).OrderBy(d => d.Id, StringComparer.Ordinal).ToList();
            target = ofType.FirstOrDefault(d => string.Equals(d.Id, hostdev.Id, StringComparison.OrdinalIgnoreCase) && d.InUse != true)
                ?? ofType.FirstOrDefault(d => d.InUse == false);
            why = target is not null ? null
                : $"no free mdev of type {type} on parent {parent} exists on this host ({ofType.Count} of that type, in use or of unknown use); create one before migrating (mdevctl start --parent {parent} --type {type}, or with the source's UUID: --uuid {hostdev.Id})";
        }
        else
        {
            why = $"the claimed resource '{resource}' is not a device:ID or type:PARENT/TYPE key{(hostdev.IsMdev ? "" : " (a PCI device needs a device: key)")}";
        }

        if (why is null && !(hostdev.IsMdev ? Guid.TryParse(target!.Id, out _) : PciParts(target!.Id) is not null))
        {
            why = $"claimed device {target.Id} has an id libvirt cannot take as a {(hostdev.IsMdev ? "mdev UUID" : "PCI address (DDDD:BB:SS.F)")}";
        }

        if (why is not null)
        {
            reasons.Add(new(HookCodes.TargetUnknown, $"{what}: {why}"));
            return null;
        }

        taken.Add(target!.Id);
        return target;
    }

    /// <summary>The matcher's verdict of the source descriptor against the target's; true when live, else adds every reason.</summary>
    private static bool Judge(DomainHostdev hostdev, MetadataDevice device, InventoryDevice target, ImmutableArray<HookReason>.Builder reasons)
    {
        var what = $"{DomainDevices.Describe(hostdev.IsMdev, hostdev.Id)} -> {target.Id}";
        var source = string.IsNullOrWhiteSpace(device.Descriptor) ? null : DescriptorParser.Parse(device.Descriptor, "metadata#" + device.Source, requireFields: true);
        if (source?.Descriptor is null || source.Diagnostics.Any(d => d.IsError))
        {
            var first = source?.Diagnostics.FirstOrDefault(d => d.IsError);
            reasons.Add(new(HookCodes.DescriptorUnknown, $"{what}: the source device's descriptor in the metadata {(source is null ? "is missing" : "does not parse: " + first?.Message)}; write the metadata again with migcompat migrate-xml"));
            return false;
        }

        var parsedTarget = target.Descriptor.Parse("inventory#" + target.Id);
        if (parsedTarget.Descriptor is null || parsedTarget.Diagnostics.Any(d => d.IsError))
        {
            reasons.Add(new(HookCodes.TargetDescriptorInvalid, $"{what}: the target device's descriptor in this host's inventory does not parse: {parsedTarget.Diagnostics.FirstOrDefault(d => d.IsError)?.Message}"));
            return false;
        }

        var verdict = Matcher.Check(source.Descriptor, parsedTarget.Descriptor);
        if (verdict.Level == CompatibilityLevel.Live)
        {
            return true;
        }

        AddNotLive(what, verdict, reasons);
        return false;
    }

    /// <summary>Adds why a verdict is not live: each matcher reason on its own line with the verdict and its evidence.</summary>
    internal static void AddNotLive(string what, Verdict verdict, ImmutableArray<HookReason>.Builder reasons)
    {
        var evidence = $"(verdict {verdict.Level.ToString().ToLowerInvariant()}; evidence: {verdict.Evidence.KindName} {verdict.Evidence.Detail})";
        foreach (var reason in verdict.Reasons)
        {
            reasons.Add(new(reason.Code, $"{what}: {OneLine(reason.Message)} {evidence}"));
        }

        if (verdict.Reasons.IsEmpty)
        {
            reasons.Add(new(ReasonCodes.NoEvidence, $"{what}: not live {evidence}"));
        }
    }

    /// <summary>The source address attributes to set: the mdev's uuid, or the PCI address parts as libvirt writes them.</summary>
    private static IEnumerable<(XElement Element, string Name, string Value)> Rewrite(DomainHostdev hostdev, string targetId)
    {
        if (hostdev.IsMdev)
        {
            return [(hostdev.SourceAddress, "uuid", targetId.ToLowerInvariant())];
        }

        // 0000:3b:00.2 -> domain='0x0000' bus='0x3b' slot='0x00' function='0x2'.
        var parts = PciParts(targetId)!;
        return [(hostdev.SourceAddress, "domain", "0x" + parts[0]), (hostdev.SourceAddress, "bus", "0x" + parts[1]), (hostdev.SourceAddress, "slot", "0x" + parts[2]), (hostdev.SourceAddress, "function", "0x" + parts[3])];
    }

    /// <summary>The changes made on the document and the document written out: when the text cannot be edited in place.</summary>
    private static string Apply(EditableDomain domain, List<(XElement Element, string Name, string Value)> changes)
    {
        foreach (var (element, name, value) in changes)
        {
            element.SetAttributeValue(name, value);
        }

        return DomainXmlText.Write(domain.Document!);
    }

    /// <summary>The four parts of a <c>DDDD:BB:SS.F</c> address, or null when it is not one.</summary>
    private static string[]? PciParts(string id) =>
        id.Split(':', '.') is [var d, var b, var s, var f] && LibvirtNames.PciAddress("0x" + d, "0x" + b, "0x" + s, "0x" + f) is { } normal
            && string.Equals(normal, id, StringComparison.OrdinalIgnoreCase)
            ? [d, b, s, f]
            : null;

    internal static string KindName(DeviceKind kind) => kind switch
    {
        DeviceKind.Mdev => "mdev",
        DeviceKind.SriovVf => "SR-IOV VF",
        _ => "PCI device",
    };

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    internal static HookDecision Refuse(ImmutableArray<HookReason> reasons) => new(false, null, reasons);
}
