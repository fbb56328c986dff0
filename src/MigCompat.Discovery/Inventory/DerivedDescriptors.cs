using System.Collections.Immutable;

namespace MigCompat.Discovery.Inventory;

/// <summary>
/// The conservative descriptors used when a device or type declares nothing itself: only facts
/// the host exposes, all matched exactly, no compatible blocks (so only an identical device
/// accepts). Field names: <c>device_api</c>, <c>mdev_type</c>, <c>pci_id</c>, <c>subsystem_id</c>,
/// <c>pci_revision</c>, <c>driver</c>, <c>driver_build</c>. <c>driver_build</c> is deliberately not a <c>*_version</c>
/// field: the version rule must not apply to it, only identical builds match.
/// </summary>
public static class DerivedDescriptors
{
    /// <summary>Self field: the VFIO device API.</summary>
    public const string DeviceApiField = "device_api";

    /// <summary>Self field: the mdev type id.</summary>
    public const string MdevTypeField = "mdev_type";

    /// <summary>Self field: the PCI <c>vendor:device</c> id, lower-case hex without <c>0x</c>.</summary>
    public const string PciIdField = "pci_id";

    /// <summary>Self field: the PCI <c>subsystem_vendor:subsystem_device</c> id.</summary>
    public const string SubsystemIdField = "subsystem_id";

    /// <summary>Self field: the PCI revision id, lower-case hex without <c>0x</c>.</summary>
    public const string PciRevisionField = "pci_revision";

    /// <summary>Self field: the bound (or parent) driver's name.</summary>
    public const string DriverField = "driver";

    /// <summary>Self field: the driver's version string, compared for exact equality.</summary>
    public const string DriverBuildField = "driver_build";

    /// <summary>The descriptor of an mdev instance or type: device_api (when known), mdev_type, driver and driver_build (when known).</summary>
    /// <param name="deviceApi">The VFIO device API, when known.</param>
    /// <param name="mdevType">The mdev type id.</param>
    /// <param name="driver">The parent's driver, when known.</param>
    /// <param name="driverBuild">The parent driver's version, when known.</param>
    /// <param name="origin">Where the facts came from (<see cref="DescriptorOrigin.Derived"/> for sysfs, <see cref="DescriptorOrigin.Imported"/> for tools).</param>
    /// <param name="originDetail">A path or tool name saying exactly where.</param>
    /// <param name="extraSelf">Further self fields to append in order (e.g. mdev attributes); names already present are skipped.</param>
    /// <returns>The descriptor.</returns>
    public static DescriptorFields ForMdev(
        string? deviceApi,
        string mdevType,
        string? driver,
        string? driverBuild,
        DescriptorOrigin origin = DescriptorOrigin.Derived,
        string? originDetail = null,
        IEnumerable<KeyValuePair<string, string>>? extraSelf = null)
    {
        var self = new FieldList();
        self.Add(DeviceApiField, deviceApi);
        self.Add(MdevTypeField, mdevType);
        self.Add(DriverField, driver);
        self.Add(DriverBuildField, driverBuild);
        self.AddRange(extraSelf);
        return Create(self, origin, originDetail);
    }

    /// <summary>The descriptor of a VFIO-bound PCI device or VF: device_api, pci_id, subsystem_id, driver, driver_build (each when known).</summary>
    /// <param name="deviceApi">The VFIO device API (normally <c>vfio-pci</c>), when known.</param>
    /// <param name="pci">The device's PCI ids, when known.</param>
    /// <param name="driver">The bound driver (<c>vfio-pci</c> or a variant driver), when known.</param>
    /// <param name="driverBuild">The driver's version, when known.</param>
    /// <param name="origin">Where the facts came from.</param>
    /// <param name="originDetail">A path or tool name saying exactly where.</param>
    /// <param name="revision">The PCI revision id, when read.</param>
    /// <returns>The descriptor.</returns>
    public static DescriptorFields ForPciDevice(
        string? deviceApi,
        PciIds? pci,
        string? driver,
        string? driverBuild,
        DescriptorOrigin origin = DescriptorOrigin.Derived,
        string? originDetail = null,
        string? revision = null)
    {
        var self = new FieldList();
        self.Add(DeviceApiField, deviceApi);
        if (pci is not null)
        {
            self.Add(PciIdField, $"{NormalizeHex(pci.Vendor)}:{NormalizeHex(pci.Device)}");
            if (pci.SubsystemVendor is not null && pci.SubsystemDevice is not null)
            {
                self.Add(SubsystemIdField, $"{NormalizeHex(pci.SubsystemVendor)}:{NormalizeHex(pci.SubsystemDevice)}");
            }
        }

        self.Add(PciRevisionField, revision);

        self.Add(DriverField, driver);
        self.Add(DriverBuildField, driverBuild);
        return Create(self, origin, originDetail);
    }

    /// <summary>Lower-case hex without a <c>0x</c> prefix: <c>0x8086</c> and <c>8086</c> both become <c>8086</c>.</summary>
    /// <param name="hex">The id as read.</param>
    /// <returns>The normalized id.</returns>
    public static string NormalizeHex(string hex)
    {
        var text = hex.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }

        return text.ToLowerInvariant();
    }

    private static DescriptorFields Create(FieldList self, DescriptorOrigin origin, string? originDetail) =>
        new(self.ToImmutable(), [], [], origin, originDetail);

    private sealed class FieldList
    {
        private readonly ImmutableArray<KeyValuePair<string, string>>.Builder fields = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>(6);

        public void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value) && !Has(name))
            {
                fields.Add(new KeyValuePair<string, string>(name, value));
            }
        }

        private bool Has(string name)
        {
            for (var i = 0; i < fields.Count; i++)
            {
                if (fields[i].Key == name)
                {
                    return true;
                }
            }

            return false;
        }

        public void AddRange(IEnumerable<KeyValuePair<string, string>>? extra)
        {
            if (extra is null)
            {
                return;
            }

            foreach (var (name, value) in extra)
            {
                Add(name, value);
            }
        }

        public ImmutableArray<KeyValuePair<string, string>> ToImmutable() => fields.DrainToImmutable();
    }
}
