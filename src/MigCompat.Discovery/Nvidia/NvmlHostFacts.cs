using System.Collections.Immutable;
using System.Globalization;

namespace MigCompat.Discovery.Nvidia;

/// <summary>
/// A vGPU version in NVIDIA's external encoding: major in bits 31:16, minor in bits 15:0 (<c>0x120001</c> is
/// 18.1). NVIDIA bumps it only when a change breaks migration compatibility.
/// </summary>
/// <param name="Major">The major version (bits 31:16).</param>
/// <param name="Minor">The minor version (bits 15:0).</param>
internal readonly record struct VgpuVersion(int Major, int Minor) : IComparable<VgpuVersion>
{
    /// <summary>Decodes an NVML value such as <c>nvmlVgpuVersion_t.maxVersion</c> or <c>guestVgpuVersion</c>.</summary>
    public static VgpuVersion FromEncoded(uint encoded) => new((int)(encoded >> 16), (int)(encoded & 0xFFFF));

    public int CompareTo(VgpuVersion other) => (Major, Minor).CompareTo((other.Major, other.Minor));

    /// <summary>Decimal <c>MAJOR.MINOR</c>: <c>18.1</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}");
}

/// <summary>A closed range of vGPU versions, e.g. what a host driver accepts.</summary>
/// <param name="Min">The lowest version.</param>
/// <param name="Max">The highest version.</param>
internal readonly record struct VgpuVersionRange(VgpuVersion Min, VgpuVersion Max)
{
    /// <summary>The range of one version.</summary>
    public static VgpuVersionRange Of(VgpuVersion version) => new(version, version);

    /// <summary>The smallest range holding both.</summary>
    public VgpuVersionRange Span(VgpuVersionRange other) =>
        new(Min.CompareTo(other.Min) <= 0 ? Min : other.Min, Max.CompareTo(other.Max) >= 0 ? Max : other.Max);

    /// <summary><c>MIN-MAX</c>: <c>7.1-20.1</c>.</summary>
    public override string ToString() => $"{Min}-{Max}";
}

/// <summary>What NVML says about one physical GPU; each part is null when its call failed (a warning says why).</summary>
/// <param name="BusId">The PCI address it was looked up by.</param>
/// <param name="HostRange">The vGPU versions the host driver accepts (<c>nvmlVgpuPgpuMetadata_t.hostSupportedVgpuRange</c>).</param>
/// <param name="HostMigrationCapable">Bit 0 of <c>pgpuVirtualizationCaps</c>: the GPU and host driver support vGPU migration.</param>
/// <param name="EccEnabled">The current ECC mode; null also when the GPU has no ECC (<c>NVML_ERROR_NOT_SUPPORTED</c>).</param>
/// <param name="RunningVgpus">The running vGPUs (<c>nvmlDeviceGetActiveVgpus</c>); null when the call failed.</param>
internal sealed record NvmlGpuFacts(
    string BusId,
    VgpuVersionRange? HostRange,
    bool? HostMigrationCapable,
    bool? EccEnabled,
    ImmutableArray<NvmlVgpuFacts>? RunningVgpus);

/// <summary>What NVML says about one running vGPU.</summary>
/// <param name="Instance">NVML's instance id.</param>
/// <param name="MdevUuid">The mdev UUID of an mdev-based vGPU; null for one on an SR-IOV VF or when unknown.</param>
/// <param name="Negotiated">The version negotiated with the guest driver; null until the guest driver has loaded (<c>guestInfoState</c> not INITIALIZED) or when unknown.</param>
/// <param name="MigrationCapable">Bit 0 of <c>vgpuVirtualizationCaps</c>, once the guest driver has loaded; else null.</param>
internal sealed record NvmlVgpuFacts(uint Instance, string? MdevUuid, VgpuVersion? Negotiated, bool? MigrationCapable);
