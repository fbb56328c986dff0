using System.Collections.Immutable;
using System.Xml.Linq;
using MigCompat.Core.Matching;
using MigCompat.Core.Model;
using MigCompat.Discovery.Importers;
using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Search;

namespace MigCompat.Libvirt;

/// <summary>
/// The hook's decision for a VM whose domain XML carries no MigCompat metadata, because the stack wrote the
/// destination XML itself (Nova swaps the mdev UUIDs to this host's mdevs, KubeVirt's virt-launcher too): the fleet
/// server says which VM it is, on which source host, with which devices and descriptors; the incoming XML's devices
/// must be free devices of this host; and some pairing of source to incoming devices (same kind and mdev type) must
/// be live in every pair. The XML is never rewritten. First law: anything missing refuses.
/// </summary>
internal static class FleetMigration
{
    /// <summary>Decides; <paramref name="reasons"/> may already hold reasons found before (unreadable devices).</summary>
    public static HookDecision Check(EditableDomain domain, Func<HookInventory> inventory, string? hostName, IFleetReader fleet, ImmutableArray<HookReason>.Builder reasons)
    {
        var (host, problem) = inventory();
        if (host is null)
        {
            reasons.Add(new(HookCodes.NoInventory, $"this host's inventory could not be read: {problem}"));
            return IncomingMigration.Refuse(reasons.ToImmutable());
        }

        var thisHost = hostName ?? host.Host;
        var vm = FindVm(domain.Domain!, fleet, thisHost, reasons);
        if (vm is null)
        {
            return IncomingMigration.Refuse(reasons.ToImmutable());
        }

        var sourceHost = fleet.ReadHost(vm.Host);
        if (sourceHost.Inventory is null)
        {
            reasons.Add(new(HookCodes.FleetUnavailable, $"the inventory of the source host {vm.Host} could not be read from the fleet server: {sourceHost.Problem}"));
            return IncomingMigration.Refuse(reasons.ToImmutable());
        }

        var sources = new List<Side>();
        foreach (var id in vm.Devices.IsDefault ? [] : vm.Devices)
        {
            var device = InventoryLookup.Device(sourceHost.Inventory, id);
            var what = $"{Describe(device?.Kind, id)} of {vm.Name} on {vm.Host}";
            var parsed = device?.Descriptor.Parse("fleet:" + vm.Host + "#" + id);
            if (device is null || parsed?.Descriptor is null || parsed.Diagnostics.Any(d => d.IsError))
            {
                reasons.Add(new(HookCodes.DescriptorUnknown, device is null
                    ? $"{what}: the source host's stored inventory does not list it, so its descriptor is unknown; let the source host's agent store a fresh inventory"
                    : $"{what}: its descriptor in the source host's stored inventory does not parse: {parsed!.Diagnostics.FirstOrDefault(d => d.IsError)?.Message}"));
                continue;
            }

            sources.Add(new Side(device, parsed.Descriptor));
        }

        var targets = new List<Side>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var hostdev in domain.Hostdevs)
        {
            if (!seen.Add(hostdev.Id))
            {
                reasons.Add(new(HookCodes.TargetUnknown, $"incoming {DomainDevices.Describe(hostdev.IsMdev, hostdev.Id)}: the XML assigns it twice; one device cannot take the state of two"));
            }
            else if (Target(host, thisHost, vm, hostdev, reasons) is { } target)
            {
                targets.Add(target);
            }
        }

        if (vm.Devices.Length != domain.Hostdevs.Length)
        {
            reasons.Add(new(HookCodes.FleetDevicesDiffer, $"the fleet lists {vm.Devices.Length} device(s) of {vm.Name} on {vm.Host} ({string.Join(", ", vm.Devices)}), the incoming XML assigns {domain.Hostdevs.Length} ({string.Join(", ", domain.Hostdevs.Select(h => h.Id))}); let the source host's agent store a fresh inventory"));
        }

        if (reasons.Count > 0)
        {
            return IncomingMigration.Refuse(reasons.ToImmutable());
        }

        Pair(sources, targets, vm, reasons);
        return reasons.Count > 0 ? IncomingMigration.Refuse(reasons.ToImmutable()) : new HookDecision(true, null, []);
    }

    /// <summary>The VM by the domain's UUID, else by its name when that is unambiguous and names no other UUID; null after adding why not.</summary>
    private static FleetVm? FindVm(XElement domain, IFleetReader fleet, string thisHost, ImmutableArray<HookReason>.Builder reasons)
    {
        var name = domain.Element("name")!.Value.Trim();
        var uuid = Guid.TryParse(domain.Element("uuid")?.Value.Trim(), out var parsed) ? parsed.ToString("D") : null;
        var byUuid = uuid is null ? null : fleet.FindVm(uuid);
        var lookup = byUuid is { Status: not FleetLookupStatus.NotFound } ? byUuid : fleet.FindVm(name);
        var asked = lookup == byUuid ? $"UUID {uuid}" : $"name {name}{(uuid is null ? "" : $" (no host lists UUID {uuid})")}";
        switch (lookup.Status)
        {
            case FleetLookupStatus.Failed:
                reasons.Add(new(HookCodes.FleetUnavailable, $"the fleet server could not be asked about the VM ({asked}): {lookup.Problem}"));
                return null;
            case FleetLookupStatus.NotFound:
                reasons.Add(new(HookCodes.FleetVmUnknown, $"no host of the fleet lists a VM with the {asked}, so its source devices are unknown; let the source host's agent store a fresh inventory, or migrate with 'migcompat migrate-xml' metadata"));
                return null;
            case FleetLookupStatus.Ambiguous:
                reasons.Add(new(HookCodes.FleetVmAmbiguous, $"several hosts of the fleet list a VM with the {asked}: {lookup.Problem}; the source host is unknown"));
                return null;
        }

        var vm = lookup.Vm!;
        if (uuid is not null && vm.Uuid is not null && !string.Equals(vm.Uuid, uuid, StringComparison.OrdinalIgnoreCase))
        {
            reasons.Add(new(HookCodes.FleetVmUnknown, $"the fleet's VM named {vm.Name} on {vm.Host} has UUID {vm.Uuid}, not this domain's {uuid}: another VM; no host lists UUID {uuid}"));
            return null;
        }

        if (string.Equals(vm.Host, thisHost, StringComparison.OrdinalIgnoreCase))
        {
            reasons.Add(new(HookCodes.FleetVmUnknown, $"the fleet lists {vm.Name} on this host ({thisHost}), so it knows no source host to compare with; let the source host's agent store a fresh inventory"));
            return null;
        }

        return vm;
    }

    /// <summary>The incoming device as a device of this host it may use, or null after adding why not.</summary>
    private static Side? Target(HostInventory host, string thisHost, FleetVm vm, DomainHostdev hostdev, ImmutableArray<HookReason>.Builder reasons)
    {
        var what = $"incoming {DomainDevices.Describe(hostdev.IsMdev, hostdev.Id)}";
        var device = InventoryLookup.Device(host, hostdev.Id);
        var other = device is null ? null : (host.Guests.IsDefault ? [] : host.Guests).FirstOrDefault(g => g is not null && g.DeviceIds.Contains(device.Id, StringComparer.OrdinalIgnoreCase)
            && !(string.Equals(g.Name, vm.Name, StringComparison.Ordinal) || (g.Uuid is not null && string.Equals(g.Uuid, vm.Uuid, StringComparison.OrdinalIgnoreCase))));
        var why = device is null ? $"it is not in this host's inventory ({thisHost}); create it before migrating, or refresh the inventory"
            : (device.Kind == DeviceKind.Mdev) != hostdev.IsMdev ? $"this host's inventory lists it as a {IncomingMigration.KindName(device.Kind)}"
            : device.InUse == true ? "it is in use on this host"
            : other is not null ? $"this host's inventory lists it as used by {other.Name}"
            : null;
        if (why is not null)
        {
            reasons.Add(new(HookCodes.TargetUnknown, $"{what}: {why}"));
            return null;
        }

        var parsed = device!.Descriptor.Parse("inventory#" + device.Id);
        if (parsed.Descriptor is null || parsed.Diagnostics.Any(d => d.IsError))
        {
            reasons.Add(new(HookCodes.TargetDescriptorInvalid, $"{what}: its descriptor in this host's inventory does not parse: {parsed.Diagnostics.FirstOrDefault(d => d.IsError)?.Message}"));
            return null;
        }

        return new Side(device, parsed.Descriptor);
    }

    /// <summary>
    /// Pairs every source device with an incoming one of the same kind and mdev type, live in every pair when such a
    /// pairing exists (a bipartite matching: edges cost 0 when live, 1 otherwise; the fewest non-live pairs win);
    /// adds why not otherwise: each non-live pair's reasons, each device without a partner.
    /// </summary>
    private static void Pair(List<Side> sources, List<Side> targets, FleetVm vm, ImmutableArray<HookReason>.Builder reasons)
    {
        var verdicts = new Verdict?[sources.Count, targets.Count];
        var cost = new sbyte[sources.Count * targets.Count];
        for (var s = 0; s < sources.Count; s++)
        {
            for (var t = 0; t < targets.Count; t++)
            {
                var pairs = sources[s].Device.Kind == targets[t].Device.Kind && sources[s].Device.MdevType == targets[t].Device.MdevType;
                verdicts[s, t] = pairs ? Matcher.Check(sources[s].Descriptor, targets[t].Descriptor) : null;
                cost[(s * targets.Count) + t] = verdicts[s, t] is not { } verdict ? AssignmentSolver.NoEdge : verdict.Level == CompatibilityLevel.Live ? (sbyte)0 : (sbyte)1;
            }
        }

        var flow = new int[cost.Length];
        new AssignmentSolver().Solve(sources.Count, [.. Enumerable.Repeat(1, sources.Count)], targets.Count, [.. Enumerable.Repeat(1, targets.Count)], cost, flow, out _);
        var paired = new bool[targets.Count];
        for (var s = 0; s < sources.Count; s++)
        {
            var source = sources[s].Device;
            var t = Enumerable.Range(0, targets.Count).FirstOrDefault(t => flow[(s * targets.Count) + t] > 0, -1);
            if (t < 0)
            {
                reasons.Add(new(HookCodes.FleetDevicesDiffer, $"{Describe(source.Kind, source.Id)} of {vm.Name} on {vm.Host}{(source.MdevType is null ? "" : $" (type {source.MdevType})")}: the incoming XML assigns no device of this host of the same kind{(source.MdevType is null ? "" : " and type")} left for it"));
                continue;
            }

            paired[t] = true;
            if (verdicts[s, t]!.Level != CompatibilityLevel.Live)
            {
                IncomingMigration.AddNotLive($"{Describe(source.Kind, source.Id)} on {vm.Host} -> {targets[t].Device.Id}", verdicts[s, t]!, reasons);
            }
        }

        foreach (var t in Enumerable.Range(0, targets.Count).Where(t => !paired[t]))
        {
            reasons.Add(new(HookCodes.FleetDevicesDiffer, $"incoming {Describe(targets[t].Device.Kind, targets[t].Device.Id)}: no device of {vm.Name} on {vm.Host} of the same kind{(targets[t].Device.MdevType is null ? "" : " and type")} is left to move to it"));
        }
    }

    private static string Describe(DeviceKind? kind, string id) => DomainDevices.Describe(kind == DeviceKind.Mdev || (kind is null && Guid.TryParse(id, out _)), id);

    /// <summary>A device with its parsed descriptor.</summary>
    private sealed record Side(InventoryDevice Device, Descriptor Descriptor);
}
