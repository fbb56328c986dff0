using System.Text.RegularExpressions;

namespace MigCompat.Placement;

/// <summary>
/// The names MigCompat uses in Placement: Nova's names for the providers (the compute node provider is named by
/// the hypervisor hostname, each pGPU's child provider <c>&lt;hostname&gt;_pci_0000_84_00_0</c>, after libvirt's
/// node device name) and MigCompat's trait per source class (<c>CUSTOM_MIGCOMPAT_LIVE_&lt;CLASS&gt;</c>).
/// </summary>
public static partial class PlacementNames
{
    /// <summary>What every trait MigCompat sets starts with; sync removes only traits with this prefix.</summary>
    public const string TraitPrefix = "CUSTOM_MIGCOMPAT_LIVE_";

    /// <summary>The longest trait name Placement accepts.</summary>
    public const int MaxTraitLength = 255;

    /// <summary>The trait that says "accepts source class <paramref name="classId"/> live": the class id upper-cased, dashes as underscores.</summary>
    /// <param name="classId">A source class id (<c>[a-z0-9-]</c>).</param>
    public static string Trait(string classId)
    {
        ArgumentNullException.ThrowIfNull(classId);
        var trait = TraitPrefix + classId.ToUpperInvariant().Replace('-', '_');
        if (!IsCustomTrait(trait))
        {
            throw new ArgumentException($"'{classId}' does not make a valid custom trait", nameof(classId));
        }

        return trait;
    }

    /// <summary>True when <paramref name="name"/> is a valid custom trait: <c>^CUSTOM_[A-Z0-9_]+$</c>, at most 255 characters.</summary>
    /// <param name="name">The name.</param>
    public static bool IsCustomTrait(string name) => name.Length <= MaxTraitLength && CustomTrait().IsMatch(name);

    /// <summary>
    /// Nova's name of the pGPU provider of PCI device <paramref name="pciAddress"/> on compute node <paramref name="hypervisorHostname"/>
    /// (<c>gpu-07_pci_0000_84_00_0</c>), or null when the parent is not a PCI address (vfio-ccw, vfio-ap).
    /// </summary>
    /// <param name="hypervisorHostname">The compute node's hypervisor hostname (MigCompat's host name).</param>
    /// <param name="pciAddress">The mdev parent, e.g. <c>0000:84:00.0</c>.</param>
    public static string? GpuProvider(string hypervisorHostname, string? pciAddress) =>
        pciAddress is not null && PciAddress().IsMatch(pciAddress)
            ? hypervisorHostname + "_pci_" + pciAddress.ToLowerInvariant().Replace(':', '_').Replace('.', '_')
            : null;

    [GeneratedRegex("^CUSTOM_[A-Z0-9_]+$", RegexOptions.CultureInvariant)]
    private static partial Regex CustomTrait();

    [GeneratedRegex("^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]$", RegexOptions.CultureInvariant)]
    private static partial Regex PciAddress();
}
