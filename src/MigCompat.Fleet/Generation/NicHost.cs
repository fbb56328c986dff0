using System.Globalization;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Fleet.Generation;

/// <summary>
/// SR-IOV NIC virtual functions bound for VFIO: Mellanox ConnectX-6 Dx VFs on the
/// <c>mlx5_vfio_pci</c> variant driver (migratable, versioned) or Intel E810 VFs on plain
/// <c>vfio-pci</c> (no migration support: a derived descriptor that only an identical build accepts).
/// </summary>
internal static class NicHost
{
    private static readonly string[] MlxVersions = ["1.0.0", "1.1.0", "1.2.0"];
    private static readonly string[] Firmware = ["22.39.1002", "22.41.1000"];
    private static readonly string[] KernelBuilds = ["5.15.0-119-generic", "6.8.0-45-generic"];

    /// <summary>Adds <paramref name="count"/> VFs of one PF.</summary>
    public static void Add(HostBuilder host, int count)
    {
        var random = host.Random;
        var mellanox = random.Next(3) > 0;
        var parent = mellanox ? "0000:17:00.0" : "0000:31:00.0";
        var bus = parent[5..7];
        DescriptorFields descriptor;
        PciIds pci;
        string driver;
        string? driverVersion;
        if (mellanox)
        {
            pci = new PciIds("15b3", "101e", "15b3", "0016", "020000");
            driver = "mlx5_vfio_pci";
            driverVersion = MlxVersions[random.Next(MlxVersions.Length)];
            descriptor = HostBuilder.Fields(
                [
                    ("device_api", "vfio-pci"),
                    ("pci_id", "15b3:101e"),
                    ("vendor", "mellanox"),
                    ("firmware", Firmware[random.Next(Firmware.Length)]),
                    ("software_version", driverVersion),
                ],
                null);
        }
        else
        {
            pci = new PciIds("8086", "1889", "8086", "0000", "020000");
            driver = "vfio-pci";
            driverVersion = KernelBuilds[random.Next(KernelBuilds.Length)];
            descriptor = DerivedDescriptors.ForPciDevice("vfio-pci", pci, driver, driverVersion);
        }

        for (var vf = 0; vf < count; vf++)
        {
            var address = string.Create(CultureInfo.InvariantCulture, $"0000:{bus}:{(vf / 8) + 1:x2}.{vf % 8}");
            host.Devices.Add(new InventoryDevice(address, DeviceKind.SriovVf, "vfio-pci", null, parent, driver, driverVersion, pci, 60 + vf, 0, random.Next(2) == 0, descriptor));
        }
    }
}
