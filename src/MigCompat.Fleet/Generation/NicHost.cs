using System.Globalization;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Fleet.Generation;

/// <summary>
/// SR-IOV NIC virtual functions bound for VFIO, with the descriptors a scan derives: Mellanox
/// ConnectX-6 Dx VFs on the <c>mlx5_vfio_pci</c> variant driver (it migrates device state, so
/// identical driver builds on both sides move live) or Intel E810 VFs on plain <c>vfio-pci</c> (no
/// migration support: cold only).
/// </summary>
internal static class NicHost
{
    private static readonly string[] KernelBuilds = ["5.15.0-119-generic", "6.8.0-45-generic"];

    /// <summary>Adds <paramref name="count"/> VFs of one PF.</summary>
    public static void Add(HostBuilder host, int count)
    {
        var random = host.Random;
        var mellanox = random.Next(3) > 0;
        var parent = mellanox ? "0000:17:00.0" : "0000:31:00.0";
        var bus = parent[5..7];
        var pci = Pci(mellanox);
        var driver = Driver(mellanox);
        var driverBuild = KernelBuilds[random.Next(KernelBuilds.Length)];
        var descriptor = Descriptor(mellanox, driverBuild);
        for (var vf = 0; vf < count; vf++)
        {
            var address = string.Create(CultureInfo.InvariantCulture, $"0000:{bus}:{(vf / 8) + 1:x2}.{vf % 8}");
            host.Devices.Add(new InventoryDevice(address, DeviceKind.SriovVf, "vfio-pci", null, parent, driver, driverBuild, pci, 60 + vf, 0, random.Next(2) == 0, descriptor));
        }
    }

    /// <summary>The descriptor a scan derives for a VF: device API, PCI ids, driver and build.</summary>
    /// <param name="mellanox">A ConnectX-6 Dx VF on mlx5_vfio_pci; else an E810 VF on vfio-pci.</param>
    /// <param name="driverBuild">The driver build (the kernel's release).</param>
    internal static DescriptorFields Descriptor(bool mellanox, string driverBuild) =>
        DerivedDescriptors.ForPciDevice("vfio-pci", Pci(mellanox), Driver(mellanox), driverBuild, DescriptorOrigin.Derived, "generated");

    private static PciIds Pci(bool mellanox) =>
        mellanox ? new PciIds("15b3", "101e", "15b3", "0016", "020000") : new PciIds("8086", "1889", "8086", "0000", "020000");

    private static string Driver(bool mellanox) => mellanox ? "mlx5_vfio_pci" : "vfio-pci";
}
