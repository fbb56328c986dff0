namespace MigCompat.Cli.Tests.Support;

/// <summary>
/// A small fake sysfs tree laid out like the kernel's: an Intel iGPU at 0000:00:02.0 (driver i915)
/// offering two GVT-g types, one mdev instance of V5_4 (with an iommufd device file, <c>class/vfio-dev/vfio0</c>),
/// and a vfio-pci bound NIC virtual function; and a fake procfs tree in which a VM holds the mdev open.
/// </summary>
public static class FakeSysfs
{
    public const string Igd = "devices/pci0000:00/0000:00:02.0";
    public const string Vf = "devices/pci0000:00/0000:3b:02.1";
    public const string MdevUuid = "d069d019-36ea-4111-8f0a-8c9a70e21366";

    public static string Build(string root)
    {
        PciDevice(root, Igd, "0x8086", "0x5912", "i915");
        PciDevice(root, "devices/pci0000:00/0000:3b:00.0", "0x15b3", "0x101d", "mlx5_core");
        PciDevice(root, Vf, "0x15b3", "0x101e", "vfio-pci");
        Link(root, Vf + "/physfn", "../0000:3b:00.0");
        Link(root, "class/mdev_bus/0000:00:02.0", "../../" + Igd);
        MdevType(root, "i915-GVTg_V5_4", "1", "low_gm_size: 128MB\nhigh_gm_size: 512MB\nfence: 4\nresolution: 1920x1200\nweight: 4");
        MdevType(root, "i915-GVTg_V5_8", "2", "low_gm_size: 64MB\nhigh_gm_size: 384MB\nfence: 4\nresolution: 1024x768\nweight: 2");
        var instance = $"{Igd}/{MdevUuid}";
        Link(root, instance + "/mdev_type", "../mdev_supported_types/i915-GVTg_V5_4");
        File(root, instance + "/remove", string.Empty);
        Link(root, $"{Igd}/mdev_supported_types/i915-GVTg_V5_4/devices/{MdevUuid}", "../../../" + MdevUuid);
        Link(root, "bus/mdev/devices/" + MdevUuid, "../../../" + instance);

        // The mdev's iommufd device file /dev/vfio/devices/vfio0, as the kernel names it in sysfs.
        File(root, instance + "/vfio-dev/vfio0/dev", "511:0\n");
        Link(root, instance + "/vfio-dev/vfio0/device", "../../../" + MdevUuid);
        Link(root, "class/vfio-dev/vfio0", "../../" + instance + "/vfio-dev/vfio0");
        return root;
    }

    /// <summary>
    /// A fake procfs tree: a VM process (4242) holding the mdev's device file open, besides the VFIO
    /// container and an anonymous inode, and another process (1) with nothing of VFIO open. The VF is free.
    /// </summary>
    public static string BuildProc(string root)
    {
        Link(root, "1/fd/0", "/dev/null");
        Link(root, "4242/fd/0", "/dev/null");
        Link(root, "4242/fd/17", "/dev/vfio/vfio");
        Link(root, "4242/fd/18", "/dev/vfio/devices/vfio0");
        Link(root, "4242/fd/19", "anon_inode:[vfio-device]");
        Directory.CreateDirectory(System.IO.Path.Combine(root, "sys"));
        return root;
    }

    private static void PciDevice(string root, string path, string vendor, string device, string driver)
    {
        File(root, path + "/vendor", vendor + "\n");
        File(root, path + "/device", device + "\n");
        File(root, path + "/subsystem_vendor", "0x0000\n");
        File(root, path + "/subsystem_device", "0x0000\n");
        File(root, path + "/class", "0x030000\n");
        Link(root, "bus/pci/devices/" + System.IO.Path.GetFileName(path), "../../../" + path);
        Directory.CreateDirectory(System.IO.Path.Combine(root, "bus/pci/drivers", driver));
        Link(root, path + "/driver", "../../../bus/pci/drivers/" + driver);
    }

    private static void MdevType(string root, string type, string available, string description)
    {
        var path = $"{Igd}/mdev_supported_types/{type}";
        Directory.CreateDirectory(System.IO.Path.Combine(root, path, "devices"));
        File(root, path + "/device_api", "vfio-pci\n");
        File(root, path + "/available_instances", available + "\n");
        File(root, path + "/description", description + "\n");
    }

    private static void File(string root, string relative, string content)
    {
        var path = System.IO.Path.Combine(root, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
    }

    private static void Link(string root, string relative, string target)
    {
        var path = System.IO.Path.Combine(root, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.CreateSymbolicLink(path, target);
    }
}
