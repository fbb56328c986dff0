namespace MigCompat.Fleet.Generation;

/// <summary>A data-center GPU with its vGPU profiles, as NVIDIA's vGPU manager lists them.</summary>
/// <param name="Model">The marketing model (e.g. <c>T4</c>).</param>
/// <param name="PciDevice">The PCI device id (vendor 10de).</param>
/// <param name="NamePrefix">How the type's <c>name</c> attribute starts (<c>GRID T4</c>, <c>NVIDIA A10</c>).</param>
/// <param name="FramebufferGb">Frame buffer of one physical GPU, in GB.</param>
/// <param name="ProfileSizesGb">Q-profile sizes offered, in GB.</param>
/// <param name="TypeIdBase">The first <c>nvidia-N</c> id of the model on vGPU branch 16.</param>
/// <param name="GpusPerHost">How many physical GPUs a host of this model has at most.</param>
internal sealed record NvidiaGpuModel(string Model, string PciDevice, string NamePrefix, int FramebufferGb, int[] ProfileSizesGb, int TypeIdBase, int GpusPerHost)
{
    /// <summary>The <c>nvidia-N</c> type id of profile <paramref name="profile"/> on vGPU branch <paramref name="branch"/> (ids differ between branches).</summary>
    public string TypeId(int profile, int branch) => "nvidia-" + (TypeIdBase + ((branch - NvidiaCatalog.OldestBranch) * 40) + profile).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The type's <c>name</c> attribute, e.g. <c>GRID T4-2Q</c>.</summary>
    public string ProfileName(int profile) => NamePrefix + "-" + ProfileSizesGb[profile].ToString(System.Globalization.CultureInfo.InvariantCulture) + "Q";

    /// <summary>How many instances of a profile fit on one GPU.</summary>
    public int InstancesPerGpu(int profile) => FramebufferGb / ProfileSizesGb[profile];
}

/// <summary>The NVIDIA GPUs and vGPU software branches the generator draws from.</summary>
internal static class NvidiaCatalog
{
    /// <summary>The oldest vGPU software branch generated (16.x, host driver 535).</summary>
    public const int OldestBranch = 16;

    /// <summary>The branches: vGPU software major version and host driver branch.</summary>
    public static readonly (int Branch, string HostDriver, int Minors)[] Branches = [(16, "535", 5), (17, "550", 4), (18, "570", 2)];

    /// <summary>The GPU models.</summary>
    public static readonly NvidiaGpuModel[] Models =
    [
        new("T4", "1eb8", "GRID T4", 16, [1, 2, 4, 8, 16], 222, 4),
        new("A10", "2236", "NVIDIA A10", 24, [2, 4, 6, 8, 12, 24], 588, 2),
        new("A16", "25b6", "NVIDIA A16", 16, [1, 2, 4, 8, 16], 709, 4),
    ];
}
