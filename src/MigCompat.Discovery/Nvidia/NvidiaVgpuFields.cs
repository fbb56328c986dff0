using System.Collections.Immutable;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Nvidia;

/// <summary>
/// The SELF fields an NVIDIA vGPU device or creatable type gets from the host (docs/discovery.md, "NVIDIA
/// vGPU state through NVML"): <c>gpu</c> from sysfs always; <c>ecc</c>, <c>vgpu_range</c>, <c>vgpu_version</c>
/// and <c>migration.capable</c> from NVML, each only when known. They are appended to whatever descriptor
/// was chosen. What the host says beats a rule pack's branch table: in a derived descriptor (completed
/// by rule packs) a field of the same name is replaced; a driver's or an operator profile's own value
/// is left as it is.
/// </summary>
internal static class NvidiaVgpuFields
{
    /// <summary>The physical GPU's PCI <c>vendor:device</c>, lower-case hex (<c>10de:2335</c>).</summary>
    public const string Gpu = "gpu";

    /// <summary>The GPU's current ECC mode: <c>on</c> or <c>off</c>.</summary>
    public const string Ecc = "ecc";

    /// <summary>The vGPU versions the host driver accepts: <c>MIN-MAX</c> (<c>7.1-20.1</c>).</summary>
    public const string VgpuRange = "vgpu_range";

    /// <summary>
    /// The version a running vGPU negotiated with its guest driver (<c>18.1</c>); while none is known (the guest
    /// driver has not loaded, a creatable type), the versions it could negotiate here: the host range <c>MIN-MAX</c>.
    /// </summary>
    public const string VgpuVersion = "vgpu_version";

    /// <summary>Bit 0 of NVML's virtualization caps (host, and the guest's once its driver has loaded): <c>yes</c> or <c>no</c>.</summary>
    public const string MigrationCapable = "migration.capable";

    /// <summary>The driver of an NVIDIA vGPU parent (mdev parent or SR-IOV PF).</summary>
    public const string Driver = "nvidia";

    /// <summary>
    /// Appends the fields to <paramref name="descriptor"/>'s SELF.
    /// </summary>
    /// <param name="descriptor">The chosen descriptor.</param>
    /// <param name="gpuPci">The physical GPU's PCI ids from sysfs (the mdev parent, or the VF's PF).</param>
    /// <param name="gpu">What NVML says about that GPU; null when unknown.</param>
    /// <param name="negotiated">The versions the device may have negotiated (one version when known); null: any of the host range.</param>
    /// <param name="guestMigrationCapable">The guest side's migration capability, when known.</param>
    public static DescriptorFields Append(DescriptorFields descriptor, PciIds? gpuPci, NvmlGpuFacts? gpu, VgpuVersionRange? negotiated, bool? guestMigrationCapable)
    {
        var self = descriptor.Self.IsDefault ? [] : descriptor.Self;
        var builder = self.ToBuilder();
        var replace = descriptor.Origin is DescriptorOrigin.Derived or DescriptorOrigin.Imported;
        void Add(string name, string? value) => AddField(builder, name, value, replace);
        Add(Gpu, gpuPci is null ? null : $"{DerivedDescriptors.NormalizeHex(gpuPci.Vendor)}:{DerivedDescriptors.NormalizeHex(gpuPci.Device)}");
        Add(Ecc, gpu?.EccEnabled switch { true => "on", false => "off", null => null });
        Add(VgpuRange, gpu?.HostRange?.ToString());
        Add(VgpuVersion, negotiated is { } versions
            ? versions.Min == versions.Max ? versions.Min.ToString() : versions.ToString()
            : gpu?.HostRange?.ToString());
        var host = gpu?.HostMigrationCapable;
        Add(MigrationCapable, host == false || guestMigrationCapable == false ? "no" : host == true || guestMigrationCapable == true ? "yes" : null);
        var result = builder.ToImmutable();
        return result.SequenceEqual(self) ? descriptor : descriptor with { Self = result };
    }

    private static void AddField(ImmutableArray<KeyValuePair<string, string>>.Builder self, string name, string? value, bool replace)
    {
        if (value is null)
        {
            return;
        }

        for (var i = 0; i < self.Count; i++)
        {
            if (self[i].Key == name)
            {
                if (replace)
                {
                    self[i] = KeyValuePair.Create(name, value);
                }

                return;
            }
        }

        self.Add(KeyValuePair.Create(name, value));
    }
}
