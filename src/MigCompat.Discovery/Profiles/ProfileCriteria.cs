using System.Collections.Immutable;
using MigCompat.Core.Model;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Profiles;

/// <summary>
/// A profile's <c>[match]</c> section. Every given criterion must hold; within one criterion any
/// listed alternative may match. A criterion on something the device does not have (a type glob
/// on a PCI device, a version range when the driver has no version) does not match.
/// </summary>
/// <param name="Kinds">Device kinds (<c>mdev</c>, <c>pci</c>, <c>vf</c>); empty = any.</param>
/// <param name="Drivers">Driver name globs; empty = any.</param>
/// <param name="DriverVersion">Version bounds, all of which must hold; empty = any.</param>
/// <param name="PciIds">Globs on <c>vendor:device</c> (lower-case hex); empty = any.</param>
/// <param name="SubsystemIds">Globs on <c>subsystem_vendor:subsystem_device</c>; empty = any.</param>
/// <param name="Types">Globs on the mdev type id; empty = any.</param>
/// <param name="TypeNames">Globs on the mdev type's <c>name</c>; empty = any.</param>
/// <param name="DeviceApis">Exact device APIs; empty = any.</param>
public sealed record ProfileCriteria(
    ImmutableArray<DeviceKind> Kinds,
    ImmutableArray<string> Drivers,
    ImmutableArray<VersionConstraint> DriverVersion,
    ImmutableArray<string> PciIds,
    ImmutableArray<string> SubsystemIds,
    ImmutableArray<string> Types,
    ImmutableArray<string> TypeNames,
    ImmutableArray<string> DeviceApis)
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(ProfileCriteria? other) =>
        other is not null
        && ArrayEquality.Equal(Kinds, other.Kinds)
        && ArrayEquality.Equal(Drivers, other.Drivers)
        && ArrayEquality.Equal(DriverVersion, other.DriverVersion)
        && ArrayEquality.Equal(PciIds, other.PciIds)
        && ArrayEquality.Equal(SubsystemIds, other.SubsystemIds)
        && ArrayEquality.Equal(Types, other.Types)
        && ArrayEquality.Equal(TypeNames, other.TypeNames)
        && ArrayEquality.Equal(DeviceApis, other.DeviceApis);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ArrayEquality.Hash(Kinds), ArrayEquality.Hash(Drivers), ArrayEquality.Hash(DriverVersion), ArrayEquality.Hash(PciIds), ArrayEquality.Hash(SubsystemIds), ArrayEquality.Hash(Types), ArrayEquality.Hash(TypeNames), ArrayEquality.Hash(DeviceApis));

    /// <summary>True when no criterion is given (such a profile is rejected when loaded).</summary>
    public bool IsEmpty =>
        Kinds.IsEmpty && Drivers.IsEmpty && DriverVersion.IsEmpty && PciIds.IsEmpty && SubsystemIds.IsEmpty
        && Types.IsEmpty && TypeNames.IsEmpty && DeviceApis.IsEmpty;

    /// <summary>True when the subject meets every criterion.</summary>
    public bool Matches(ProfileSubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return (Kinds.IsEmpty || Kinds.Contains(subject.Kind))
            && AnyGlob(Drivers, subject.Driver)
            && (DriverVersion.IsEmpty || (subject.DriverVersion is { } version && DriverVersion.All(c => c.IsSatisfiedBy(version))))
            && AnyGlob(PciIds, subject.Pci is { } pci ? $"{pci.Vendor}:{pci.Device}".ToLowerInvariant() : null)
            && AnyGlob(SubsystemIds, subject.Pci is { SubsystemVendor: { } sv, SubsystemDevice: { } sd } ? $"{sv}:{sd}".ToLowerInvariant() : null)
            && AnyGlob(Types, subject.TypeId)
            && AnyGlob(TypeNames, subject.TypeName)
            && (DeviceApis.IsEmpty || (subject.DeviceApi is { } api && DeviceApis.Contains(api, StringComparer.Ordinal)));
    }

    private static bool AnyGlob(ImmutableArray<string> patterns, string? value) =>
        patterns.IsEmpty || (value is not null && patterns.Any(p => Glob.IsMatch(p, value)));
}
