using System.Globalization;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Fleet.Generation;

/// <summary>
/// A host with NVIDIA data-center GPUs under the vGPU manager. Time-sliced vGPUs are homogeneous
/// per physical GPU: once a GPU runs one profile, only that profile has free instances on it.
/// </summary>
internal static class NvidiaHost
{
    private static readonly string[] Buses = ["3b", "5e", "86", "af", "d8", "e1"];

    /// <summary>Adds 1 to 4 GPUs with their types and up to <paramref name="maxInstances"/> existing vGPUs.</summary>
    public static void Add(HostBuilder host, int maxInstances)
    {
        var random = host.Random;
        var model = NvidiaCatalog.Models[random.Next(NvidiaCatalog.Models.Length)];
        var (branch, hostDriver, minors) = NvidiaCatalog.Branches[random.Next(NvidiaCatalog.Branches.Length)];
        var minor = random.Next(minors);
        var version = string.Create(CultureInfo.InvariantCulture, $"{branch}.{minor}.0");
        var driverVersion = string.Create(CultureInfo.InvariantCulture, $"{hostDriver}.{100 + (minor * 20)}.{random.Next(1, 10):D2}");
        var ecc = random.Next(10) == 0 ? "off" : "on";
        var acceptsOlder = branch > NvidiaCatalog.OldestBranch && random.Next(2) == 0;
        var gpus = random.Next(1, model.GpusPerHost + 1);
        var instancesLeft = maxInstances;
        for (var gpu = 0; gpu < gpus; gpu++)
        {
            var parent = "0000:" + Buses[gpu] + ":00.0";
            var pci = new PciIds("10de", model.PciDevice, "10de", "12a2", "030200");
            var profile = random.Next(model.ProfileSizesGb.Length);
            var existing = Math.Min(instancesLeft, random.Next(0, model.InstancesPerGpu(profile) + 1));
            instancesLeft -= existing;
            var descriptor = Descriptor(model, profile, branch, minor, ecc, acceptsOlder);
            for (var i = 0; i < existing; i++)
            {
                host.Devices.Add(new InventoryDevice(host.NextUuid(), DeviceKind.Mdev, "vfio-pci", model.TypeId(profile, branch), parent, "nvidia", driverVersion, pci, 20 + gpu, gpu / 2, random.Next(10) < 7, descriptor));
            }

            for (var p = 0; p < model.ProfileSizesGb.Length; p++)
            {
                var available = existing == 0 ? model.InstancesPerGpu(p) : p == profile ? model.InstancesPerGpu(p) - existing : 0;
                host.Types.Add(new CreatableType(
                    parent,
                    model.TypeId(p, branch),
                    model.ProfileName(p),
                    string.Create(CultureInfo.InvariantCulture, $"num_heads=4, frl_config=60, framebuffer={model.ProfileSizesGb[p] * 1024}M, max_resolution=5120x2880, max_instance={model.InstancesPerGpu(p)}"),
                    "vfio-pci",
                    available,
                    p == profile ? existing : 0,
                    "nvidia",
                    driverVersion,
                    Descriptor(model, p, branch, minor, ecc, acceptsOlder)));
            }
        }
    }

    /// <summary>
    /// The descriptor of a vGPU profile. Without a COMPATIBLE block the default rule applies (same
    /// type id, same name and ECC mode, software_version by major.minor). With one, the target also
    /// accepts the previous branch's type id for the same profile and lists the versions it loads
    /// explicitly: every older minor of its branch and the previous branch's last two minors.
    /// </summary>
    internal static DescriptorFields Descriptor(NvidiaGpuModel model, int profile, int branch, int minor, string ecc, bool acceptsOlder)
    {
        var self = new List<(string, string)>
        {
            ("device_api", "vfio-pci"),
            ("mdev_type", model.TypeId(profile, branch)),
            ("vendor", "nvidia"),
            ("vgpu_name", model.ProfileName(profile)),
            ("ecc", ecc),
            ("software_version", string.Create(CultureInfo.InvariantCulture, $"{branch}.{minor}.0")),
        };
        if (!acceptsOlder)
        {
            return HostBuilder.Fields(self, null);
        }

        var previous = NvidiaCatalog.Branches.Single(b => b.Branch == branch - 1);
        var versions = Enumerable.Range(Math.Max(0, previous.Minors - 2), Math.Min(2, previous.Minors)).Select(m => $"{previous.Branch}.{m}.0")
            .Concat(Enumerable.Range(0, minor + 1).Select(m => $"{branch}.{m}.0"));
        var block = new List<(string, string)>
        {
            ("mdev_type", $"{{t:string:\"{model.TypeId(profile, branch)}\",\"{model.TypeId(profile, branch - 1)}\"}}"),
            ("vgpu_name", "\"" + model.ProfileName(profile) + "\""),
            ("software_version", "{v:string:" + string.Join(',', versions.Select(v => "\"" + v + "\"")) + "}"),
        };
        return HostBuilder.Fields(self, [block]);
    }
}
