namespace MigCompat.Discovery.Sysfs;

/// <summary>Which bound PCI drivers make a device a VFIO-assigned device.</summary>
public static class VfioDrivers
{
    /// <summary>
    /// True for <c>vfio-pci</c> and the vfio-pci variant drivers, whose names end in <c>_vfio_pci</c>
    /// or <c>-vfio-pci</c> (<c>mlx5_vfio_pci</c>, <c>hisi_acc_vfio_pci</c>, <c>nvgrace_gpu_vfio_pci</c>,
    /// <c>virtio_vfio_pci</c>, ...).
    /// </summary>
    public static bool IsVfioPciDriver(string? driver) =>
        driver is not null
        && (driver is "vfio-pci" or "vfio_pci"
            || driver.EndsWith("_vfio_pci", StringComparison.Ordinal)
            || driver.EndsWith("-vfio-pci", StringComparison.Ordinal));
}
