using System.Collections.Immutable;
using MigCompat.Core.Matching;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Nvidia;

namespace MigCompat.Discovery.RulePacks;

/// <summary>
/// The descriptor a device or creatable type would have once its driver reports another version,
/// derived the way a scan derives it (docs/planning.md): the derived facts with the new
/// <c>driver_build</c> (<see cref="DerivedDescriptors"/>), completed by the rule packs of the driver
/// (<see cref="DescriptorSources.ApplyTo"/>), and for NVIDIA vGPUs the GPU facts a scan appends
/// (<c>gpu</c> from the PCI ids, <c>ecc</c> kept: a GPU setting, not the driver's). Hardware facts
/// (device API, type id, PCI ids and revision) are kept. Null when nothing can vouch for the new
/// version: the driver declares its own migration attributes (what a new release declares is
/// unknown until it runs), or no rule pack is for the driver.
/// </summary>
public static class DriverUpgrade
{
    /// <summary>The descriptor of <paramref name="device"/> under driver version <paramref name="version"/>, or null when it cannot be derived.</summary>
    /// <param name="device">The device as scanned now.</param>
    /// <param name="version">The driver version after the change (null: unknown, as a scan without it).</param>
    /// <param name="packs">The rule packs.</param>
    public static DescriptorFields? Rederive(InventoryDevice device, string? version, ImmutableArray<RulePack> packs)
    {
        ArgumentNullException.ThrowIfNull(device);
        var derived = device.MdevType is { } type
            ? DerivedDescriptors.ForMdev(device.DeviceApi, type, device.Driver, version, DescriptorOrigin.Derived, Detail(version))
            : DerivedDescriptors.ForPciDevice(device.DeviceApi, device.Pci, device.Driver, version, DescriptorOrigin.Derived, Detail(version), SelfValue(device.Descriptor, DerivedDescriptors.PciRevisionField));
        var moved = device with { DriverVersion = version, Descriptor = derived };
        var inventory = new HostInventory(HostInventory.CurrentSchemaVersion, "planned", DateTimeOffset.UnixEpoch, [moved], [], []);
        return Complete(device.Descriptor, device.Driver, device.MdevType, device.Pci, DescriptorSources.ApplyTo(inventory, [], packs).Devices[0].Descriptor, packs);
    }

    /// <summary>The descriptor of creatable type <paramref name="type"/> under driver version <paramref name="version"/>, or null when it cannot be derived.</summary>
    /// <param name="type">The type as scanned now.</param>
    /// <param name="gpu">The parent's PCI ids (for NVIDIA's <c>gpu</c> field), when known.</param>
    /// <param name="version">The driver version after the change (null: unknown, as a scan without it).</param>
    /// <param name="packs">The rule packs.</param>
    public static DescriptorFields? Rederive(CreatableType type, PciIds? gpu, string? version, ImmutableArray<RulePack> packs)
    {
        ArgumentNullException.ThrowIfNull(type);
        var derived = DerivedDescriptors.ForMdev(type.DeviceApi, type.TypeId, type.Driver, version, DescriptorOrigin.Derived, Detail(version));
        var moved = type with { DriverVersion = version, Descriptor = derived };
        var inventory = new HostInventory(HostInventory.CurrentSchemaVersion, "planned", DateTimeOffset.UnixEpoch, [], [moved], []);
        return Complete(type.Descriptor, type.Driver, type.TypeId, gpu, DescriptorSources.ApplyTo(inventory, [], packs).CreatableTypes[0].Descriptor, packs);
    }

    /// <summary>
    /// The descriptor a running device has after its VM moved live from a device described by
    /// <paramref name="source"/> onto one described by <paramref name="target"/>: the target's, with the
    /// state the migration carries. For an NVIDIA vGPU that is the negotiated <c>vgpu_version</c>, which
    /// "stays the same across VM migration" (NVML <c>guestVgpuVersion</c>) until the guest driver reloads.
    /// </summary>
    /// <param name="source">The running device's descriptor before the move.</param>
    /// <param name="target">The target device's or type's descriptor.</param>
    public static DescriptorFields AfterLiveMove(DescriptorFields source, DescriptorFields target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        return SelfValue(source, NvidiaVgpuFields.VgpuVersion) is { } negotiated && !negotiated.Contains('-', StringComparison.Ordinal)
            && SelfValue(target, NvidiaVgpuFields.VgpuVersion) is not null
            ? DescriptorSources.ReplaceField(target, NvidiaVgpuFields.VgpuVersion, negotiated)
            : target;
    }

    private static DescriptorFields? Complete(DescriptorFields before, string? driver, string? typeId, PciIds? gpu, DescriptorFields after, ImmutableArray<RulePack> packs)
    {
        if (before.Origin == DescriptorOrigin.Driver || !packs.Any(p => p.IsFor(MigrationSupport.DriverOf(driver, typeId))))
        {
            return null;
        }

        if (driver != NvidiaVgpuFields.Driver)
        {
            return after;
        }

        if (gpu is null && SelfValue(before, NvidiaVgpuFields.Gpu)?.Split(':') is [var vendor, var device])
        {
            gpu = new PciIds(vendor, device, null, null, null);
        }

        var ecc = SelfValue(before, NvidiaVgpuFields.Ecc) switch { "on" => true, "off" => false, _ => (bool?)null };
        return NvidiaVgpuFields.Append(after, gpu, new NvmlGpuFacts(string.Empty, null, null, ecc, null), null, null);
    }

    private static string Detail(string? version) => "planned: the driver at version " + (version ?? "unknown");

    private static string? SelfValue(DescriptorFields fields, string name) =>
        (fields.Self.IsDefault ? [] : fields.Self).FirstOrDefault(f => f.Key == name).Value;
}
