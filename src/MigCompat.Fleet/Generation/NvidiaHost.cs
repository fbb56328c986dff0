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
        var branch = random.Next(NvidiaCatalog.Branches.Length);
        var builds = NvidiaCatalog.Branches[branch].Builds;
        var driverBuild = builds[random.Next(builds.Length)];
        var ecc = random.Next(10) == 0 ? "off" : "on";
        var gpus = random.Next(1, model.GpusPerHost + 1);
        var instancesLeft = maxInstances;
        for (var gpu = 0; gpu < gpus; gpu++)
        {
            var parent = "0000:" + Buses[gpu] + ":00.0";
            var pci = new PciIds("10de", model.PciDevice, "10de", "12a2", "030200");
            var profile = random.Next(model.ProfileSizesGb.Length);
            var existing = Math.Min(instancesLeft, random.Next(0, model.InstancesPerGpu(profile) + 1));
            instancesLeft -= existing;
            for (var i = 0; i < existing; i++)
            {
                // Most guests run the host's release; some an older branch's guest driver, which negotiated an older version.
                var negotiated = NvidiaCatalog.Branches[branch].Negotiated[random.Next(5) == 0 ? 1 : 0];
                host.Devices.Add(new InventoryDevice(
                    host.NextUuid(),
                    DeviceKind.Mdev,
                    "vfio-pci",
                    model.TypeId(profile, branch),
                    parent,
                    "nvidia",
                    driverBuild,
                    pci,
                    20 + gpu,
                    gpu / 2,
                    random.Next(10) < 7,
                    Descriptor(model, profile, branch, driverBuild, ecc, negotiated)));
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
                    driverBuild,
                    Descriptor(model, p, branch, driverBuild, ecc, negotiated: null)));
            }
        }
    }

    /// <summary>
    /// The descriptor of a vGPU or a creatable vGPU type as the NVIDIA vGPU rule pack states it: same
    /// type (the profile), GPU and ECC mode; the host driver build compared exactly; the vGPU version
    /// must lie within the target host driver's range. A running vGPU's <c>vgpu_version</c> is the
    /// version its guest driver negotiated; a type's is its whole range (any version it could negotiate).
    /// </summary>
    /// <param name="model">The GPU model.</param>
    /// <param name="profile">The profile index of the model.</param>
    /// <param name="branch">The branch index in <see cref="NvidiaCatalog.Branches"/>.</param>
    /// <param name="driverBuild">The host driver build.</param>
    /// <param name="ecc"><c>on</c> or <c>off</c>.</param>
    /// <param name="negotiated">The negotiated vGPU version of a running vGPU; null for a creatable type.</param>
    internal static DescriptorFields Descriptor(NvidiaGpuModel model, int profile, int branch, string driverBuild, string ecc, string? negotiated)
    {
        var range = NvidiaCatalog.Branches[branch].VgpuRange;
        return new DescriptorFields(
            [
                new("device_api", "vfio-pci"),
                new("mdev_type", model.TypeId(profile, branch)),
                new("gpu", model.Gpu),
                new("ecc", ecc),
                new("driver", "nvidia"),
                new("driver_build", driverBuild),
                new("vgpu_range", range),
                new("vgpu_version", negotiated ?? range),
                new("rule.vgpu_version", "within vgpu_range"),
                new("rule.driver_build", "exact"),
                new("migration.evidence", NvidiaCatalog.RulePack),
            ],
            [],
            [],
            DescriptorOrigin.Profile,
            "generated as the rule pack nvidia-vgpu 1 states it");
    }
}
