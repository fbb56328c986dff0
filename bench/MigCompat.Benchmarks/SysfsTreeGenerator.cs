using System.Globalization;

namespace MigCompat.Benchmarks;

/// <summary>
/// Writes a kernel-shaped fake sysfs tree for the scan benchmark: PARENTS GVT-g-like PCI parents,
/// each with TYPES mdev types and INSTANCES instances per type, with the same relative links the
/// kernel makes (class/mdev_bus, bus/mdev/devices, mdev_type, iommu_group, driver).
/// </summary>
public static class SysfsTreeGenerator
{
    public static void Generate(string root, int parents, int typesPerParent, int instancesPerType)
    {
        Directory.CreateDirectory(Path.Combine(root, "module/i915"));
        Directory.CreateDirectory(Path.Combine(root, "bus/pci/drivers/i915"));
        Directory.CreateDirectory(Path.Combine(root, "class/mdev_bus"));
        Directory.CreateDirectory(Path.Combine(root, "bus/mdev/devices"));
        Directory.CreateDirectory(Path.Combine(root, "bus/pci/devices"));
        var group = 0;
        for (var p = 0; p < parents; p++)
        {
            var address = string.Create(CultureInfo.InvariantCulture, $"0000:{p + 1:x2}:00.0");
            var parent = "devices/pci0000:00/" + address;
            Write(root, parent + "/vendor", "0x8086");
            Write(root, parent + "/device", "0x5912");
            Write(root, parent + "/subsystem_vendor", "0x1028");
            Write(root, parent + "/subsystem_device", "0x07a1");
            Write(root, parent + "/class", "0x030000");
            Write(root, parent + "/numa_node", "0");
            Link(root, parent + "/driver", "../../../bus/pci/drivers/i915");
            Link(root, "bus/pci/devices/" + address, "../../../" + parent);
            Link(root, "class/mdev_bus/" + address, "../../" + parent);
            for (var t = 0; t < typesPerParent; t++)
            {
                var typeId = string.Create(CultureInfo.InvariantCulture, $"i915-GVTg_V{t / 4}_{1 << (t % 4)}");
                var type = parent + "/mdev_supported_types/" + typeId;
                Write(root, type + "/device_api", "vfio-pci");
                Write(root, type + "/available_instances", "2");
                Write(root, type + "/description", "low_gm_size: 128MB\nhigh_gm_size: 512MB\nfence: 4\nresolution: 1920x1200\nweight: 4");
                Directory.CreateDirectory(Path.Combine(root, type, "devices"));
                for (var i = 0; i < instancesPerType; i++)
                {
                    var uuid = string.Create(CultureInfo.InvariantCulture, $"{p:x8}-{t:x4}-4000-8000-{i:x12}");
                    var instance = parent + "/" + uuid;
                    Link(root, instance + "/mdev_type", "../mdev_supported_types/" + typeId);
                    Write(root, instance + "/remove", string.Empty);
                    Write(root, instance + "/uevent", "MDEV_TYPE=" + typeId);
                    Directory.CreateDirectory(Path.Combine(root, "kernel/iommu_groups", (++group).ToString(CultureInfo.InvariantCulture)));
                    Link(root, instance + "/iommu_group", "../../../../kernel/iommu_groups/" + group.ToString(CultureInfo.InvariantCulture));
                    Link(root, type + "/devices/" + uuid, "../../../" + uuid);
                    Link(root, "bus/mdev/devices/" + uuid, "../../../" + instance);
                }
            }
        }
    }

    private static void Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text + "\n");
    }

    private static void Link(string root, string relative, string target)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, target);
    }
}
