namespace MigCompat.Discovery.Tests.Sysfs;

/// <summary>
/// Writes a fake sysfs tree into a temp directory, laid out like the kernel's: devices under
/// <c>devices/</c>, and <c>bus/</c>, <c>class/</c> entries as relative links into it.
/// </summary>
public sealed class SysfsFixture : IDisposable
{
    public const string PciRoot = "devices/pci0000:00";

    private readonly List<string> unreadable = [];

    public SysfsFixture()
    {
        Base = Path.Combine(Path.GetTempPath(), "migcompat-sysfs-" + Guid.NewGuid().ToString("N"));
        Root = Path.Combine(Base, "sys");
        Directory.CreateDirectory(Root);
    }

    /// <summary>A directory next to the tree (outside the root), for profiles or link-escape targets.</summary>
    public string Base { get; }

    public string Root { get; }

    public string ProfilesDirectory => Path.Combine(Base, "profiles.d");

    public string Full(string relative) => Path.Combine(Root, relative);

    public SysfsFixture Dir(string relative)
    {
        Directory.CreateDirectory(Full(relative));
        return this;
    }

    public SysfsFixture File(string relative, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Full(relative))!);
        System.IO.File.WriteAllText(Full(relative), content);
        return this;
    }

    public SysfsFixture Link(string relative, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Full(relative))!);
        System.IO.File.CreateSymbolicLink(Full(relative), target);
        return this;
    }

    public SysfsFixture Fifo(string relative)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Full(relative))!);
        using var process = System.Diagnostics.Process.Start("mkfifo", [Full(relative)]);
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("mkfifo failed");
        }

        return this;
    }

    public SysfsFixture Profile(string fileName, string text)
    {
        Directory.CreateDirectory(ProfilesDirectory);
        System.IO.File.WriteAllText(Path.Combine(ProfilesDirectory, fileName), text);
        return this;
    }

    public SysfsFixture Module(string name, string? version)
    {
        Dir("module/" + name);
        return version is null ? this : File($"module/{name}/version", version + "\n");
    }

    /// <summary>
    /// A PCI device at <c>PARENTPATH/ADDRESS</c> (<c>devices/pci0000:00/ADDRESS</c> by default; a device behind a
    /// root port is <c>devices/pci0000:40/0000:40:01.1/ADDRESS</c>) with ids, driver, IOMMU group, and its
    /// <c>bus/pci/devices</c> link.
    /// </summary>
    public SysfsFixture PciDevice(string address, string vendor, string device, string? driver, int? iommuGroup = null,
        string subsystemVendor = "0x0000", string subsystemDevice = "0x0000", string pciClass = "0x030000", int numaNode = -1, string? physfn = null,
        string parentPath = PciRoot)
    {
        var path = $"{parentPath}/{address}";
        var up = string.Concat(Enumerable.Repeat("../", path.Split('/').Length));
        File(path + "/vendor", vendor + "\n")
            .File(path + "/device", device + "\n")
            .File(path + "/subsystem_vendor", subsystemVendor + "\n")
            .File(path + "/subsystem_device", subsystemDevice + "\n")
            .File(path + "/class", pciClass + "\n")
            .File(path + "/numa_node", numaNode + "\n")
            .File(path + "/uevent", "PCI_SLOT_NAME=" + address + "\n")
            .Link($"bus/pci/devices/{address}", $"../../../{path}");
        if (driver is not null)
        {
            Dir($"bus/pci/drivers/{driver}").Link(path + "/driver", $"{up}bus/pci/drivers/{driver}");
        }

        if (iommuGroup is { } group)
        {
            Dir($"kernel/iommu_groups/{group}").Link(path + "/iommu_group", $"{up}kernel/iommu_groups/{group}");
        }

        if (physfn is not null)
        {
            Link(path + "/physfn", "../" + physfn);
        }

        return this;
    }

    /// <summary>
    /// Makes the PCI device at <c>PARENTPATH/ADDRESS</c> an SR-IOV PF with <paramref name="virtualFunctions"/>
    /// enabled: <c>sriov_totalvfs</c>, <c>sriov_numvfs</c>, <c>sriov_offset</c>, <c>sriov_stride</c>,
    /// <c>sriov_vf_device</c>, and <c>virtfnN</c> links to the sibling VF directories (which
    /// <see cref="PciDevice"/> with <c>physfn</c> creates).
    /// </summary>
    public SysfsFixture SriovPhysicalFunction(string parentPath, string address, string vfDevice, int totalVfs, params string[] virtualFunctions)
    {
        var path = $"{parentPath}/{address}";
        File(path + "/sriov_totalvfs", totalVfs + "\n")
            .File(path + "/sriov_numvfs", virtualFunctions.Length + "\n")
            .File(path + "/sriov_offset", "4\n")
            .File(path + "/sriov_stride", "1\n")
            .File(path + "/sriov_vf_device", vfDevice.Replace("0x", string.Empty, StringComparison.Ordinal) + "\n");
        for (var i = 0; i < virtualFunctions.Length; i++)
        {
            Link($"{path}/virtfn{i}", "../" + virtualFunctions[i]);
        }

        return this;
    }

    /// <summary>
    /// The vendor directory of an NVIDIA vGPU VF (vGPU 17 and later) at <c>PARENTPATH/ADDRESS</c>:
    /// <c>nvidia/current_vgpu_type</c> (the configured type id, 0 for none) and, unless null,
    /// <c>nvidia/creatable_vgpu_types</c> written as given.
    /// </summary>
    public SysfsFixture NvidiaVgpu(string parentPath, string address, string currentType, string? creatableTypes)
    {
        var path = $"{parentPath}/{address}/nvidia";
        File(path + "/current_vgpu_type", currentType + "\n");
        return creatableTypes is null ? this : File(path + "/creatable_vgpu_types", creatableTypes);
    }

    /// <summary>Registers a device (path under the root) as an mdev parent: <c>class/mdev_bus/ID</c>.</summary>
    public SysfsFixture MdevParent(string devicePath, string? driver = null, string bus = "pci")
    {
        var id = Path.GetFileName(devicePath);
        Link($"class/mdev_bus/{id}", "../../" + devicePath);
        if (driver is not null && !Path.Exists(Full(devicePath + "/driver")))
        {
            Dir($"bus/{bus}/drivers/{driver}");
            var depth = devicePath.Split('/').Length;
            Link(devicePath + "/driver", string.Concat(Enumerable.Repeat("../", depth)) + $"bus/{bus}/drivers/{driver}");
        }

        return this;
    }

    /// <summary>
    /// A creatable type <c>DEVICEPATH/mdev_supported_types/TYPEID</c> as the kernel lays it out: write-only
    /// <c>create</c> (mode 0200), <c>device_api</c>, <c>available_instances</c>, <c>devices/</c>, and
    /// <c>name</c> and <c>description</c> when given (a real type has <c>description</c> only when its
    /// driver supplies one: mtty does not).
    /// </summary>
    public SysfsFixture MdevType(string devicePath, string typeId, string? name, string deviceApi, int available, string? description = null)
    {
        var path = $"{devicePath}/mdev_supported_types/{typeId}";
        Dir(path + "/devices").File(path + "/device_api", deviceApi + "\n").File(path + "/available_instances", available + "\n")
            .WriteOnly(path + "/create");
        if (name is not null)
        {
            File(path + "/name", name + "\n");
        }

        if (description is not null)
        {
            File(path + "/description", description + "\n");
        }

        return this;
    }

    /// <summary>
    /// An mdev instance <c>DEVICEPATH/UUID</c> with its <c>mdev_type</c> link, write-only <c>remove</c>
    /// (mode 0200), <c>uevent</c>, the type's <c>devices/</c> link and <c>bus/mdev/devices/UUID</c>.
    /// </summary>
    public SysfsFixture MdevInstance(string devicePath, string typeId, string uuid, int? iommuGroup = null, params (string Name, string Value)[] attributes)
    {
        var path = $"{devicePath}/{uuid}";
        var depth = path.Split('/').Length;
        Link(path + "/mdev_type", "../mdev_supported_types/" + typeId)
            .WriteOnly(path + "/remove")
            .File(path + "/uevent", "MDEV_TYPE=" + typeId + "\n")
            .Link($"{devicePath}/mdev_supported_types/{typeId}/devices/{uuid}", "../../../" + uuid)
            .Link($"bus/mdev/devices/{uuid}", "../../../" + path);
        if (iommuGroup is { } group)
        {
            Dir($"kernel/iommu_groups/{group}").Link(path + "/iommu_group", string.Concat(Enumerable.Repeat("../", depth - 1)) + $"kernel/iommu_groups/{group}");
        }

        foreach (var (name, value) in attributes)
        {
            File($"{path}/{name}", value + "\n");
        }

        return this;
    }

    /// <summary>
    /// Binds the instance <c>DEVICEPATH/UUID</c> to an mdev driver as the kernel does:
    /// <c>driver -&gt; ../../../bus/mdev/drivers/DRIVER</c> (relative to the root) and
    /// <c>subsystem -&gt; ../../../bus/mdev</c>.
    /// </summary>
    public SysfsFixture MdevInstanceDriver(string devicePath, string uuid, string driver)
    {
        var path = $"{devicePath}/{uuid}";
        var up = string.Concat(Enumerable.Repeat("../", path.Split('/').Length));
        return Dir($"bus/mdev/drivers/{driver}")
            .Link(path + "/driver", $"{up}bus/mdev/drivers/{driver}")
            .Link(path + "/subsystem", $"{up}bus/mdev");
    }

    /// <summary>
    /// An empty file with write permission only (mode 0200), like sysfs's action files (<c>create</c>,
    /// <c>remove</c>, <c>assign_adapter</c>): the kernel refuses to open them for reading, even for root.
    /// </summary>
    public SysfsFixture WriteOnly(string relative)
    {
        File(relative, string.Empty);
        if (!OperatingSystem.IsWindows())
        {
            System.IO.File.SetUnixFileMode(Full(relative), UnixFileMode.UserWrite);
        }

        return this;
    }

    /// <summary>Takes every permission away from a file (chmod 000); Dispose gives them back.</summary>
    public SysfsFixture Unreadable(string relative)
    {
        if (!OperatingSystem.IsWindows())
        {
            System.IO.File.SetUnixFileMode(Full(relative), UnixFileMode.None);
            unreadable.Add(Full(relative));
        }

        return this;
    }

    public void Dispose()
    {
        try
        {
            foreach (var file in unreadable)
            {
                if (!OperatingSystem.IsWindows())
                {
                    System.IO.File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
            }

            // Directory.Delete removes links without following them.
            Directory.Delete(Base, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
