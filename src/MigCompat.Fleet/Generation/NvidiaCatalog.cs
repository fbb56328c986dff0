using System.Globalization;

namespace MigCompat.Fleet.Generation;

/// <summary>A data-center GPU with its vGPU profiles, as NVIDIA's vGPU manager lists them.</summary>
/// <param name="Model">The marketing model (e.g. <c>T4</c>).</param>
/// <param name="PciDevice">The PCI device id (vendor 10de).</param>
/// <param name="NamePrefix">How the type's <c>name</c> attribute starts (<c>GRID T4</c>, <c>NVIDIA A10</c>).</param>
/// <param name="FramebufferGb">Frame buffer of one physical GPU, in GB.</param>
/// <param name="ProfileSizesGb">Q-profile sizes offered, in GB.</param>
/// <param name="TypeIdBase">The first <c>nvidia-N</c> id of the model on the oldest branch.</param>
/// <param name="GpusPerHost">How many physical GPUs a host of this model has at most.</param>
internal sealed record NvidiaGpuModel(string Model, string PciDevice, string NamePrefix, int FramebufferGb, int[] ProfileSizesGb, int TypeIdBase, int GpusPerHost)
{
    /// <summary>The <c>nvidia-N</c> type id of profile <paramref name="profile"/> on the driver branch at <paramref name="branch"/> in <see cref="NvidiaCatalog.Branches"/> (ids differ between branches).</summary>
    public string TypeId(int profile, int branch) => "nvidia-" + (TypeIdBase + (branch * 30) + profile).ToString(CultureInfo.InvariantCulture);

    /// <summary>The type's <c>name</c> attribute, e.g. <c>GRID T4-2Q</c>.</summary>
    public string ProfileName(int profile) => NamePrefix + "-" + ProfileSizesGb[profile].ToString(CultureInfo.InvariantCulture) + "Q";

    /// <summary>How many instances of a profile fit on one GPU.</summary>
    public int InstancesPerGpu(int profile) => FramebufferGb / ProfileSizesGb[profile];

    /// <summary>The <c>gpu</c> field: <c>10de:DEVICE</c>.</summary>
    public string Gpu => "10de:" + PciDevice;
}

/// <summary>A host driver branch of the NVIDIA vGPU manager.</summary>
/// <param name="HostDriver">The branch (<c>550</c>).</param>
/// <param name="VgpuRange">The vGPU versions its host driver accepts, <c>MIN-MAX</c> (NVML <c>hostSupportedVgpuRange</c>).</param>
/// <param name="Builds">Host driver builds of the branch (<c>550.127.05</c>).</param>
/// <param name="Negotiated">
/// vGPU versions running vGPUs negotiated with their guest drivers: first the branch's own maximum (a guest
/// driver of the same release), then an older one (a guest driver of the previous branch).
/// </param>
internal sealed record NvidiaBranch(string HostDriver, string VgpuRange, string[] Builds, string[] Negotiated);

/// <summary>The NVIDIA GPUs and vGPU host driver branches the generator draws from.</summary>
internal static class NvidiaCatalog
{
    /// <summary>The rule pack the generated descriptors name as their evidence.</summary>
    public const string RulePack = "rule-pack nvidia-vgpu 1";

    /// <summary>
    /// The branches, oldest first, with the vGPU version ranges of their host drivers (the open
    /// kernel modules' constants, ../shared/docs/drivers.md).
    /// </summary>
    public static readonly NvidiaBranch[] Branches =
    [
        new("535", "7.1-18.1", ["535.183.06", "535.247.01"], ["18.1", "16.1"]),
        new("550", "7.1-20.1", ["550.127.05", "550.144.02"], ["20.1", "18.1"]),
        new("570", "18.1-24.2", ["570.133.10", "570.148.06"], ["24.2", "20.1"]),
        new("580", "18.1-26.1", ["580.65.06", "580.82.07"], ["26.1", "24.2"]),
    ];

    /// <summary>The GPU models.</summary>
    public static readonly NvidiaGpuModel[] Models =
    [
        new("T4", "1eb8", "GRID T4", 16, [1, 2, 4, 8, 16], 222, 4),
        new("A10", "2236", "NVIDIA A10", 24, [2, 4, 6, 8, 12, 24], 588, 2),
        new("A16", "25b6", "NVIDIA A16", 16, [1, 2, 4, 8, 16], 709, 4),
    ];
}
