using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Nvidia;
using MigCompat.Discovery.Profiles;
using MigCompat.Discovery.RulePacks;

namespace MigCompat.Discovery.Sysfs;

/// <summary>
/// Reads a host's sysfs (and its profile and rule pack files) into a <see cref="HostInventory"/>, and which devices
/// processes hold open from procfs (<see cref="SysfsScanOptions.ProcRoot"/>). Read-only; never
/// leaves the sysfs root; every read is bounded in size and time; whatever cannot be read becomes
/// an <see cref="InventoryWarning"/> (codes in <see cref="SysfsWarningCodes"/>, docs/discovery.md). For NVIDIA
/// vGPUs it also asks NVML (<see cref="SysfsScanOptions.NvmlLibrary"/>), read-only, for version ranges and negotiated versions.
/// </summary>
public static class SysfsScanner
{
    /// <summary>Scans the tree described by <paramref name="options"/>. Does not throw on bad trees or profiles.</summary>
    public static HostInventory Scan(SysfsScanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var takenAt = options.TimeProvider.GetUtcNow();
        var warnings = new ScanWarnings();
        var loaded = ProfileLoader.LoadDirectory(options.ProfilesDirectory);
        var packs = RulePackLoader.Load(options.RulesDirectory, options.ShippedRulePacks);
        foreach (var warning in loaded.Warnings.Concat(packs.Warnings))
        {
            warnings.Add(warning.Code, warning.Path, warning.Message);
        }

        var tree = new SysfsTree(options, warnings);
        if (!tree.RootExists)
        {
            warnings.Add(SysfsWarningCodes.RootMissing, options.SysfsRoot, "the sysfs root does not exist or is not a directory; the inventory is empty");
            return new HostInventory(HostInventory.CurrentSchemaVersion, options.HostName, takenAt, [], [], warnings.ToImmutable()) { Labels = [.. options.Labels.OrderBy(l => l.Key, StringComparer.Ordinal)] };
        }

        // NVML is loaded only if an NVIDIA vGPU device or type is found; shut down when the scan ends.
        using var nvml = new NvmlReader(options.NvmlLibrary, warnings);
        var context = new ScanContext(tree, warnings, new DescriptorSources(loaded.Profiles, packs.Packs, warnings), nvml);
        var mdev = new MdevScan(context);
        var types = mdev.ScanTypes();
        var instances = mdev.ScanInstances();
        var pci = PciDeviceScan.Scan(context);
        var devices = instances.AddRange(pci.Devices);

        // Which of them VMs use now: the VFIO files processes hold open (ProcRoot),
        // and the VMs (QEMU processes) that hold them.
        (devices, var guests) = VfioUsage.Mark(devices, tree, options, warnings);

        // Which of them can migrate, where the kernel says so (debugfs vfio/<device>/migration).
        devices = VfioDebugfs.Mark(devices, tree);

        // NVIDIA vGPU VFs (vGPU 17 and later) are capacity too: after the mdev types.
        types = types.AddRange(pci.CreatableTypes);
        return new HostInventory(HostInventory.CurrentSchemaVersion, options.HostName, takenAt, devices, types, warnings.ToImmutable()) { Guests = guests, Labels = [.. options.Labels.OrderBy(l => l.Key, StringComparer.Ordinal)] };
    }
}
