using System.Globalization;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Fleet.Generation;

/// <summary>An Intel integrated GPU with GVT-g: types <c>i915-GVTg_V5_1/2/4/8</c> sharing one GPU's resources.</summary>
internal static class GvtgHost
{
    private const string Parent = "0000:00:02.0";
    private const int Units = 8;
    private static readonly int[] Suffixes = [1, 2, 4, 8];
    private static readonly string[] GpuIds = ["3e92", "9bc5", "4680"];
    private static readonly string[] SoftwareVersions = ["1.0.0", "1.1.0", "1.2.0", "2.0.0"];
    private static readonly string[] KernelBuilds = ["5.15.0-119-generic", "6.1.0-25-amd64", "6.8.0-45-generic"];

    /// <summary>Adds the GPU's types and up to <paramref name="maxInstances"/> existing vGPU instances.</summary>
    public static void Add(HostBuilder host, int maxInstances)
    {
        var random = host.Random;
        var version = SoftwareVersions[random.Next(SoftwareVersions.Length)];
        var pvMode = random.Next(3) == 0 ? "none+ppgtt" : "none+ppgtt+context";
        var driverBuild = KernelBuilds[random.Next(KernelBuilds.Length)];
        var pci = new PciIds("8086", GpuIds[random.Next(GpuIds.Length)], "8086", "2212", "030000");
        var used = 0;
        var instances = random.Next(0, Math.Max(1, maxInstances) + 1);
        for (var i = 0; i < instances; i++)
        {
            var suffix = Suffixes[random.Next(Suffixes.Length)];
            var cost = Units / suffix;
            if (used + cost > Units)
            {
                break;
            }

            used += cost;
            host.Devices.Add(new InventoryDevice(
                host.NextUuid(),
                DeviceKind.Mdev,
                "vfio-pci",
                TypeId(suffix),
                Parent,
                "i915",
                driverBuild,
                pci,
                random.Next(10, 40),
                0,
                random.Next(10) < 8,
                Descriptor(suffix, version, pvMode)));
        }

        foreach (var suffix in Suffixes)
        {
            var available = (Units - used) * suffix / Units;
            host.Types.Add(new CreatableType(
                Parent,
                TypeId(suffix),
                string.Create(CultureInfo.InvariantCulture, $"GVTg_V5_{suffix}"),
                Description(suffix),
                "vfio-pci",
                available,
                host.Devices.Count(d => d.MdevType == TypeId(suffix)),
                "i915",
                driverBuild,
                Descriptor(suffix, version, pvMode)));
        }
    }

    private static string TypeId(int suffix) => string.Create(CultureInfo.InvariantCulture, $"i915-GVTg_V5_{suffix}");

    private static string Description(int suffix) => string.Create(
        CultureInfo.InvariantCulture,
        $"low_gm_size: {512 / suffix}MB\nhigh_gm_size: {2048 / suffix}MB\nfence: 4\nresolution: {(suffix >= 4 ? "1920x1200" : "2560x1600")}\nweight: {16 / suffix}");

    /// <summary>
    /// The descriptor of a GVT-g vGPU: matched by the default rule (same type and paravirtualization
    /// modes, software_version by major.minor); <c>aggregator</c> is a dynamic resource.
    /// </summary>
    private static DescriptorFields Descriptor(int suffix, string version, string pvMode) => HostBuilder.Fields(
        [
            ("device_api", "vfio-pci"),
            ("mdev_type", TypeId(suffix)),
            ("vendor", "intel"),
            ("aggregator", "1"),
            ("pv_mode", pvMode),
            ("software_version", version),
        ],
        null,
        "aggregator");
}
