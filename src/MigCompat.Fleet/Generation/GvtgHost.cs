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
    private static readonly string[] KernelBuilds = ["5.15.0-119-generic", "6.1.0-25-amd64", "6.8.0-45-generic"];

    /// <summary>Adds the GPU's types and up to <paramref name="maxInstances"/> existing vGPU instances.</summary>
    public static void Add(HostBuilder host, int maxInstances)
    {
        var random = host.Random;
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
                Descriptor(suffix, driverBuild)));
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
                Descriptor(suffix, driverBuild)));
        }
    }

    private static string TypeId(int suffix) => string.Create(CultureInfo.InvariantCulture, $"i915-GVTg_V5_{suffix}");

    private static string Description(int suffix) => string.Create(
        CultureInfo.InvariantCulture,
        $"low_gm_size: {512 / suffix}MB\nhigh_gm_size: {2048 / suffix}MB\nfence: 4\nresolution: {(suffix >= 4 ? "1920x1200" : "2560x1600")}\nweight: {16 / suffix}");

    /// <summary>
    /// The descriptor a scan derives for a GVT-g vGPU or type (the driver declares no migration
    /// attributes): device API, type, driver and build. Upstream GVT-g cannot migrate device state,
    /// so these devices only ever move cold.
    /// </summary>
    internal static DescriptorFields Descriptor(int suffix, string driverBuild) =>
        DerivedDescriptors.ForMdev("vfio-pci", TypeId(suffix), "i915", driverBuild, DescriptorOrigin.Derived, "generated");
}
