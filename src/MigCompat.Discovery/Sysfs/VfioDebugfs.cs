using System.Collections.Immutable;
using MigCompat.Core.Matching;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.RulePacks;

namespace MigCompat.Discovery.Sysfs;

/// <summary>
/// What the kernel itself says about migration (Linux 6.8+, root only, debugfs mounted at
/// <c>/sys/kernel/debug</c>): VFIO core creates <c>vfio/&lt;device&gt;/</c> for every registered VFIO
/// device and a <c>migration/</c> directory in it only when the device's driver has migration ops
/// (Documentation/ABI/testing/debugfs-vfio). So a device listed there without <c>migration/</c>
/// cannot migrate, whatever a pack or profile says; one with it can. Not a stable ABI: when debugfs is
/// absent or unreadable nothing is concluded.
/// </summary>
internal static class VfioDebugfs
{
    /// <summary>The devices with <c>migration.capable</c> set from debugfs where it lists them.</summary>
    public static ImmutableArray<InventoryDevice> Mark(ImmutableArray<InventoryDevice> devices, SysfsTree tree)
    {
        var vfio = tree.OpenDirectory("kernel/debug/vfio");
        if (vfio is null)
        {
            return devices;
        }

        return [.. devices.Select(device =>
        {
            if (!vfio.Has(device.Id) || tree.OpenDirectory("kernel/debug/vfio/" + device.Id) is not { } entry)
            {
                return device;
            }

            // The kernel's "no" beats everything; its "yes" fills in what nothing else said.
            var capable = entry.Has("migration");
            var fields = capable
                ? DescriptorSources.WithField(device.Descriptor, MigrationSupport.CapableField, "yes")
                : DescriptorSources.ReplaceField(device.Descriptor, MigrationSupport.CapableField, "no");
            return device with { Descriptor = fields };
        })];
    }
}
