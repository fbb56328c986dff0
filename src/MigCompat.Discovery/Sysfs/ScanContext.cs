using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Nvidia;
using MigCompat.Discovery.Profiles;
using MigCompat.Discovery.RulePacks;

namespace MigCompat.Discovery.Sysfs;

/// <summary>What the parts of one scan share: the tree, the warnings, module versions, profiles, driver attributes, NVML.</summary>
internal sealed class ScanContext
{
    public ScanContext(SysfsTree tree, ScanWarnings warnings, DescriptorSources sources, NvmlReader nvml)
    {
        Tree = tree;
        Warnings = warnings;
        Sources = sources;
        Nvml = nvml;
        Modules = new ModuleVersions(tree);
        DriverAttributes = new DriverDescriptorReader(tree, warnings);
    }

    public SysfsTree Tree { get; }

    public ScanWarnings Warnings { get; }

    public DescriptorSources Sources { get; }

    public ModuleVersions Modules { get; }

    public DriverDescriptorReader DriverAttributes { get; }

    /// <summary>NVIDIA vGPU state through NVML (started at the first NVIDIA vGPU device or type).</summary>
    public NvmlReader Nvml { get; }

    /// <summary>Descriptor precedence: driver-exposed, then the first matching profile, then derived completed by rule packs (<see cref="DescriptorSources"/>).</summary>
    public DescriptorFields Choose(DescriptorFields? driverExposed, ProfileSubject subject, DescriptorFields derived) =>
        Sources.Choose(driverExposed, subject, derived);

    /// <summary>PCI ids from <c>vendor</c>, <c>device</c>, <c>subsystem_*</c>, <c>class</c>; null when vendor or device is missing.</summary>
    public PciIds? ReadPciIds(SysfsDirectory device)
    {
        var vendor = Tree.ReadText(device, "vendor");
        var deviceId = Tree.ReadText(device, "device");
        if (vendor is null || deviceId is null)
        {
            return null;
        }

        return new PciIds(
            DerivedDescriptors.NormalizeHex(vendor),
            DerivedDescriptors.NormalizeHex(deviceId),
            Normalize(Tree.ReadText(device, "subsystem_vendor")),
            Normalize(Tree.ReadText(device, "subsystem_device")),
            Normalize(Tree.ReadText(device, "class")));
    }

    /// <summary>The number a link such as <c>iommu_group</c> names (<c>../../kernel/iommu_groups/12</c> is 12).</summary>
    public int? LinkNumber(SysfsDirectory directory, string name)
    {
        var last = Tree.LinkName(directory, name);
        if (last is null)
        {
            return null;
        }

        if (int.TryParse(last, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        Warnings.Add(SysfsWarningCodes.MalformedValue, Tree.Display(directory.ChildPath(name)), $"the link names \"{ScanWarnings.Shorten(last)}\", not a number; treated as unknown");
        return null;
    }

    private static string? Normalize(string? hex) => hex is null ? null : DerivedDescriptors.NormalizeHex(hex);
}
