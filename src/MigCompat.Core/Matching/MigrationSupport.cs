using System.Collections.Frozen;

namespace MigCompat.Core.Matching;

/// <summary>Whether a driver can save and load device state (VFIO migration).</summary>
public enum MigrationCapability
{
    /// <summary>Nothing says.</summary>
    Unknown,

    /// <summary>The driver implements VFIO migration.</summary>
    Supported,

    /// <summary>The driver cannot migrate device state: a VM with such a device can only move cold.</summary>
    Unsupported,
}

/// <summary>One driver's migration capability with where it was read.</summary>
/// <param name="Driver">The driver name as sysfs shows it (normalized: <c>-</c> as <c>_</c>).</param>
/// <param name="Capability">Supported or unsupported.</param>
/// <param name="Source">Where this was read (kernel source file, vendor documentation).</param>
public sealed record DriverMigrationSupport(string Driver, MigrationCapability Capability, string Source);

/// <summary>
/// Which drivers can migrate device state at all (docs/rules.md, "Migration capability"). A device
/// whose driver cannot never gets a live verdict. A descriptor's own <c>migration.capable</c> field
/// (set by a rule pack, a profile or the driver itself) overrides this table.
/// </summary>
public static class MigrationSupport
{
    /// <summary>The SELF field that states the capability: <c>yes</c> or <c>no</c>.</summary>
    public const string CapableField = "migration.capable";

    /// <summary>The SELF field that says who vouches for the descriptor's rules (<c>rule-pack mtty 1</c>, <c>profile FILE</c>, <c>driver</c>).</summary>
    public const string EvidenceField = "migration.evidence";

    /// <summary>The table, as shipped.</summary>
    public static IReadOnlyList<DriverMigrationSupport> Drivers { get; } =
    [
        new("mlx5_vfio_pci", MigrationCapability.Supported, "linux drivers/vfio/pci/mlx5/ (migration v2 since 5.18)"),
        new("hisi_acc_vfio_pci", MigrationCapability.Supported, "linux drivers/vfio/pci/hisilicon/ (vf_qm_check_match)"),
        new("pds_vfio_pci", MigrationCapability.Supported, "linux drivers/vfio/pci/pds/ (dirty tracking + live migration)"),
        new("virtio_vfio_pci", MigrationCapability.Supported, "linux drivers/vfio/pci/virtio/ (virtio-net 6.13, virtio-blk; needs PF admin commands and IOMMUFD dirty tracking)"),
        new("qat_vfio_pci", MigrationCapability.Supported, "linux drivers/vfio/pci/qat/ (QAT 4xxx VFs)"),
        new("xe_vfio_pci", MigrationCapability.Supported, "linux drivers/vfio/pci/xe/ (Intel Xe SR-IOV VFs; GuC ABI >= 1.27.0)"),
        new("nvidia", MigrationCapability.Supported, "NVIDIA vGPU (mdev and vendor-VFIO VFs): open-gpu-kernel-modules, NVML vgpuVirtualizationCaps"),
        new("mtty", MigrationCapability.Supported, "linux samples/vfio-mdev/mtty.c (migration since 6.7)"),
        new("vfio_pci", MigrationCapability.Unsupported, "linux drivers/vfio/pci/vfio_pci.c has no migration ops; QEMU: \"VFIO device doesn't support migration\""),
        new("vfio_ccw", MigrationCapability.Unsupported, "linux drivers/s390/cio/vfio_ccw_*.c: no migration support"),
        new("vfio_ap", MigrationCapability.Unsupported, "linux drivers/s390/crypto/vfio_ap_*.c: no migration support"),
        new("i915", MigrationCapability.Unsupported, "upstream GVT-g (drivers/gpu/drm/i915/gvt/): migration never upstreamed (intel/gvt-linux issues 166, 175, 209)"),
        new("nvgrace_gpu_vfio_pci", MigrationCapability.Unsupported, "linux drivers/vfio/pci/nvgrace-gpu/: no migration ops"),
        new("ism_vfio_pci", MigrationCapability.Unsupported, "linux drivers/vfio/pci/ism/: no migration ops"),
        new("mdpy", MigrationCapability.Unsupported, "linux samples/vfio-mdev/mdpy.c: no migration ops"),
        new("mbochs", MigrationCapability.Unsupported, "linux samples/vfio-mdev/mbochs.c: no migration ops"),
    ];

    private static readonly FrozenDictionary<string, DriverMigrationSupport> ByDriver =
        Drivers.ToFrozenDictionary(d => d.Driver, StringComparer.Ordinal);

    /// <summary>The table's entry for <paramref name="driver"/> (<c>-</c> and <c>_</c> are the same), or null.</summary>
    public static DriverMigrationSupport? Find(string? driver) =>
        driver is null ? null : ByDriver.GetValueOrDefault(driver.Replace('-', '_'));

    /// <summary>
    /// The driver a descriptor names: its <c>driver</c> field, else the prefix of its
    /// <c>mdev_type</c> before the first <c>-</c> (the kernel names types
    /// <c>dev_driver_string(parent)-type</c>: <c>i915-GVTg_V5_4</c>, <c>nvidia-63</c>, <c>mtty-2</c>).
    /// </summary>
    public static string? DriverOf(string? driver, string? mdevType)
    {
        if (!string.IsNullOrEmpty(driver))
        {
            return driver;
        }

        var dash = mdevType?.IndexOf('-', StringComparison.Ordinal) ?? -1;
        return dash > 0 ? mdevType![..dash] : null;
    }

    /// <summary>Reads a <c>migration.capable</c> value: <c>yes</c> or <c>no</c>; null otherwise.</summary>
    public static MigrationCapability? ParseCapable(string? text) => text switch
    {
        "yes" => MigrationCapability.Supported,
        "no" => MigrationCapability.Unsupported,
        _ => null,
    };
}
