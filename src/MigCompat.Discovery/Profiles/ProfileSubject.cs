using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Profiles;

/// <summary>What a profile's <c>[match]</c> criteria are checked against: one device or creatable type.</summary>
/// <param name="Kind">The device kind; creatable mdev types are <see cref="DeviceKind.Mdev"/>.</param>
/// <param name="Driver">The bound driver (for mdevs, the parent's driver).</param>
/// <param name="DriverVersion">The driver's module version, when known.</param>
/// <param name="Pci">PCI ids of the device, or of an mdev's parent.</param>
/// <param name="TypeId">The mdev type id, for mdevs.</param>
/// <param name="TypeName">The mdev type's <c>name</c> attribute, when present.</param>
/// <param name="DeviceApi">The VFIO device API, when known.</param>
public sealed record ProfileSubject(
    DeviceKind Kind,
    string? Driver,
    string? DriverVersion,
    PciIds? Pci,
    string? TypeId,
    string? TypeName,
    string? DeviceApi);
