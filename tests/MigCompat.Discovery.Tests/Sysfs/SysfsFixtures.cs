namespace MigCompat.Discovery.Tests.Sysfs;

/// <summary>The fake hosts the scanner tests and golden inventories use, by name.</summary>
public static class SysfsFixtures
{
    public const string Gvtg = "gvtg";
    public const string NvidiaMdev = "nvidia-mdev";
    public const string NvidiaMdevWithProfile = "nvidia-mdev-profile";
    public const string NvgraceVariant = "nvgrace-variant";
    public const string SriovVfs = "sriov-vfs";
    public const string VfioCcw = "vfio-ccw";
    public const string VfioAp = "vfio-ap";
    public const string MigrationLayouts = "migration-layouts";
    public const string Hostile = "hostile";
    public const string NvidiaVgpuVf = "nvidia-vgpu-vf";
    public const string Mtty = "mtty";

    public const string IgdPath = SysfsFixture.PciRoot + "/0000:00:02.0";
    public const string TeslaP4Path = SysfsFixture.PciRoot + "/0000:3b:00.0";
    public const string MttyPath = "devices/virtual/mtty/mtty";

    /// <summary>The root ports the NVIDIA vGPU VF fixture's GPUs sit behind (as discrete GPUs do).</summary>
    public const string H200Port = "devices/pci0000:40/0000:40:01.1";
    public const string L40sPort = "devices/pci0000:c0/0000:c0:01.1";

    /// <summary>The header line NVIDIA's driver writes first in <c>creatable_vgpu_types</c>.</summary>
    public const string CreatableHeader = "ID    : vGPU Name\n";

    public static IEnumerable<string> All =>
        [Gvtg, NvidiaMdev, NvidiaMdevWithProfile, NvgraceVariant, SriovVfs, VfioCcw, VfioAp, MigrationLayouts, Hostile, NvidiaVgpuVf, Mtty];

    public static SysfsFixture Build(string name)
    {
        var fixture = new SysfsFixture();
        switch (name)
        {
            case Gvtg: BuildGvtg(fixture); break;
            case NvidiaMdev: BuildNvidiaMdev(fixture); break;
            case NvidiaMdevWithProfile: BuildNvidiaMdev(fixture); fixture.Profile("50-grid-p4.profile", NvidiaP4Profile); break;
            case NvgraceVariant: BuildNvgrace(fixture); break;
            case SriovVfs: BuildSriov(fixture); break;
            case VfioCcw: BuildCcw(fixture); break;
            case VfioAp: BuildAp(fixture); break;
            case MigrationLayouts: BuildMigrationLayouts(fixture); break;
            case Hostile: BuildHostile(fixture); break;
            case NvidiaVgpuVf: BuildNvidiaVgpuVf(fixture); break;
            case Mtty: BuildMtty(fixture); break;
            default: throw new ArgumentOutOfRangeException(nameof(name), name, "unknown fixture");
        }

        return fixture;
    }

    public const string NvidiaP4Profile = """
        # Test profile: GRID P4-1Q on the 535 branch.
        [match]
        driver = nvidia
        driver_version = >=535.0, <536
        type_name = GRID P4-1Q

        [descriptor]
        SELF:
          device_api=vfio-pci
          mdev_type=grid-p4-1q      # the stable interface name; nvidia-63 on this branch
          software_version=1.0.0
        COMPATIBLE:
          device_api=vfio-pci
          mdev_type=grid-p4-1q
        """;

    private static void BuildGvtg(SysfsFixture f)
    {
        f.PciDevice("0000:00:02.0", "0x8086", "0x5912", driver: "i915", iommuGroup: 0, subsystemVendor: "0x1028", subsystemDevice: "0x07a1")
            .Module("i915", null)
            .MdevParent(IgdPath)
            .MdevType(IgdPath, "i915-GVTg_V5_1", null, "vfio-pci", 0, "low_gm_size: 512MB\nhigh_gm_size: 2048MB\nfence: 4\nresolution: 1920x1200\nweight: 16")
            .MdevType(IgdPath, "i915-GVTg_V5_2", null, "vfio-pci", 0, "low_gm_size: 256MB\nhigh_gm_size: 1024MB\nfence: 4\nresolution: 1920x1200\nweight: 8")
            .MdevType(IgdPath, "i915-GVTg_V5_4", null, "vfio-pci", 1, "low_gm_size: 128MB\nhigh_gm_size: 512MB\nfence: 4\nresolution: 1920x1200\nweight: 4")
            .MdevType(IgdPath, "i915-GVTg_V5_8", null, "vfio-pci", 2, "low_gm_size: 64MB\nhigh_gm_size: 384MB\nfence: 4\nresolution: 1024x768\nweight: 2")
            .MdevInstance(IgdPath, "i915-GVTg_V5_4", "d069d019-36ea-4111-8f0a-8c9a70e21366", iommuGroup: 12)
            .MdevInstance(IgdPath, "i915-GVTg_V5_8", "3d4a8ad5-1c5f-4b52-8f55-1b7a7f0d1a10", iommuGroup: 13)
            .MdevInstance(IgdPath, "i915-GVTg_V5_8", "5e9f4c31-8d6b-4a35-9d53-f2c0f3a4c1b2", iommuGroup: 14);
    }

    private static void BuildNvidiaMdev(SysfsFixture f)
    {
        f.PciDevice("0000:3b:00.0", "0x10de", "0x1bb3", driver: "nvidia", iommuGroup: 40, subsystemVendor: "0x10de", subsystemDevice: "0x11d8", pciClass: "0x030200", numaNode: 0)
            .Module("nvidia", "535.161.07")
            .MdevParent(TeslaP4Path)
            .MdevType(TeslaP4Path, "nvidia-63", "GRID P4-1Q", "vfio-pci", 7, "num_heads=4, frl_config=60, framebuffer=1024M, max_resolution=5120x2880, max_instance=8")
            .MdevType(TeslaP4Path, "nvidia-64", "GRID P4-2Q", "vfio-pci", 0, "num_heads=4, frl_config=60, framebuffer=2048M, max_resolution=7680x4320, max_instance=4")
            .MdevInstance(TeslaP4Path, "nvidia-63", "b1d2c3e4-0000-4000-8000-000000000063", iommuGroup: 41);
    }

    private static void BuildNvgrace(SysfsFixture f)
    {
        f.PciDevice("0009:01:00.0", "0x10de", "0x2342", driver: "nvgrace_gpu_vfio_pci", iommuGroup: 5, subsystemVendor: "0x10de", subsystemDevice: "0x16eb", pciClass: "0x030200", numaNode: 0)
            .Module("nvgrace_gpu_vfio_pci", null)
            .PciDevice("0000:00:1f.0", "0x8086", "0xa1c1", driver: "lpc_ich", iommuGroup: 6, pciClass: "0x060100");
    }

    private static void BuildSriov(SysfsFixture f)
    {
        f.PciDevice("0000:65:00.0", "0x8086", "0x1592", driver: "ice", iommuGroup: 30, pciClass: "0x020000", numaNode: 1)
            .PciDevice("0000:65:01.0", "0x8086", "0x1889", driver: "vfio-pci", iommuGroup: 31, pciClass: "0x020000", numaNode: 1, physfn: "0000:65:00.0")
            .PciDevice("0000:65:01.1", "0x8086", "0x1889", driver: "vfio-pci", iommuGroup: 32, pciClass: "0x020000", numaNode: 1, physfn: "0000:65:00.0")
            .PciDevice("0000:65:01.2", "0x8086", "0x1889", driver: "iavf", iommuGroup: 33, pciClass: "0x020000", numaNode: 1, physfn: "0000:65:00.0")
            .PciDevice("0000:ca:00.0", "0x15b3", "0x101d", driver: "mlx5_core", iommuGroup: 50, pciClass: "0x020000")
            .PciDevice("0000:ca:00.1", "0x15b3", "0x101e", driver: "mlx5_vfio_pci", iommuGroup: 51, pciClass: "0x020000", physfn: "0000:ca:00.0")
            .Module("vfio_pci", null)
            .Module("mlx5_vfio_pci", null);
    }

    private static void BuildCcw(SysfsFixture f)
    {
        const string subchannel = "devices/css0/0.0.0013";
        f.File(subchannel + "/type", "0\n")
            .MdevParent(subchannel, driver: "vfio_ccw", bus: "css")
            .MdevType(subchannel, "vfio_ccw-io", "I/O subchannel (Non-QDIO)", "vfio-ccw", 0)
            .MdevInstance(subchannel, "vfio_ccw-io", "7e270a25-e163-4922-af60-757fc8ed48c6", iommuGroup: 0);
    }

    private static void BuildAp(SysfsFixture f)
    {
        const string matrix = "devices/vfio_ap/matrix";
        const string instance = matrix + "/ee0b88c4-f554-4dc1-809d-b2a01e8e48ad";
        f.MdevParent(matrix, driver: "vfio_ap", bus: "matrix")
            .MdevType(matrix, "vfio_ap-passthrough", "VFIO AP Passthrough Device", "vfio-ap", 62)
            .MdevInstance(matrix, "vfio_ap-passthrough", "ee0b88c4-f554-4dc1-809d-b2a01e8e48ad", iommuGroup: 1,
                ("matrix", "05.0004\n05.00ab"), ("control_domains", "00ab"))
            .MdevInstanceDriver(matrix, "ee0b88c4-f554-4dc1-809d-b2a01e8e48ad", "vfio_ap_mdev");

        // vfio_ap's write-only actions sit among the instance's attributes: not values, not unreadable.
        foreach (var action in VfioApActions)
        {
            f.WriteOnly($"{instance}/{action}");
        }
    }

    /// <summary>vfio_ap's write-only instance attributes (mode 0200).</summary>
    public static readonly string[] VfioApActions =
        ["assign_adapter", "unassign_adapter", "assign_domain", "unassign_domain", "assign_control_domain", "unassign_control_domain"];

    /// <summary>
    /// The kernel's mtty sample as a real kernel (6.12) lays it out: the parent is a class device
    /// (<c>devices/virtual/mtty/mtty</c>, <c>class/mtty/mtty</c>) with no driver and no bus; types
    /// <c>mtty-1</c> and <c>mtty-2</c> with <c>name</c>, no <c>description</c>, write-only <c>create</c>; one
    /// pool of 24 ports (<c>available_instances</c> = free ports / ports per type); each instance bound to
    /// the mdev driver <c>mtty</c> with a <c>vendor/</c> attribute group, an emulated IOMMU group and
    /// <c>vfio-dev/vfio&lt;N&gt;</c> (CONFIG_VFIO_DEVICE_CDEV); module <c>mtty</c> version 0.1. As listed in a
    /// real guest by <c>lab/run-mtty</c> (docs/lab.md).
    /// </summary>
    private static void BuildMtty(SysfsFixture f)
    {
        const string p = MttyPath;
        f.Module("mtty", "0.1")
            .File(p + "/uevent", string.Empty)
            .Dir(p + "/power")
            .Link(p + "/subsystem", "../../../../class/mtty")
            .Link("class/mtty/mtty", "../../" + p)
            .MdevParent(p)
            // One mtty-1 and one mtty-2 exist: 3 of the 24 ports are taken.
            .MdevType(p, "mtty-1", "Single port serial", "vfio-pci", 21)
            .MdevType(p, "mtty-2", "Dual port serial", "vfio-pci", 10);
        foreach (var (type, uuid, group) in new[] { ("mtty-1", MttyOnePort, 0), ("mtty-2", MttyTwoPorts, 1) })
        {
            f.MdevInstance(p, type, uuid, iommuGroup: group)
                .MdevInstanceDriver(p, uuid, "mtty")
                .File($"{p}/{uuid}/vendor/sample_mdev_dev", "This is MDEV " + uuid + "\n")
                .Dir($"{p}/{uuid}/power")
                .Dir($"{p}/{uuid}/vfio-dev/vfio{group}");
        }
    }

    public const string MttyOnePort = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001";
    public const string MttyTwoPorts = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1002";

    private static void BuildMigrationLayouts(SysfsFixture f)
    {
        const string p = MttyPath;

        // As on a real kernel: the parent has no driver link, the instances are bound to mtty (below).
        f.MdevParent(p)
            .Module("mtty", "0.1")
            // Sept 2020 per-type attributes on mtty-1.
            .MdevType(p, "mtty-1", "Single port serial", "vfio-pci", 20)
            .File(p + "/mdev_supported_types/mtty-1/software_version", "1.2.0\n")
            .File(p + "/mdev_supported_types/mtty-1/compatible_type", "mtty-1,mtty-legacy\n")
            .File(p + "/mdev_supported_types/mtty-1/compatible_aggregator", "1,2,4\n")
            .File(p + "/mdev_supported_types/mtty-1/dynamic_resources", "aggregator\n")
            // 2019 opaque migration_version on the mtty-2 type node.
            .MdevType(p, "mtty-2", "Dual port serial", "vfio-pci", 10)
            .File(p + "/mdev_supported_types/mtty-2/migration_version", "mtty-2-v1-8086:1234\n")
            // A: Sept 2020, value of the dynamic resource from the instance.
            .MdevInstance(p, "mtty-1", "a0000000-0000-4000-8000-00000000000a", null, ("aggregator", "2"))
            // B: 2019 on the type node.
            .MdevInstance(p, "mtty-2", "b0000000-0000-4000-8000-00000000000b")
            // C: 2019 on the device node (wins over the type node).
            .MdevInstance(p, "mtty-2", "c0000000-0000-4000-8000-00000000000c", null, ("migration_version", "mtty-2 {instance c} \"v2\""))
            // D: July 2020 migration_compatible on the instance.
            .MdevInstance(p, "mtty-2", "d0000000-0000-4000-8000-00000000000d", null, ("migration_compatible", """
                SELF:
                  device_api=vfio-pci
                  mdev_type=mtty-2
                  aggregator=1
                  software_version=1.1.0   # the interface
                COMPATIBLE:
                  device_api=vfio-pci
                  mdev_type=mtty-{val1:int:1,2}
                COMPATIBLE:
                  device_api=vfio-pci
                  mdev_type=mtty-legacy
                """))
            // E: Aug 2020 migration/self + migration/compatible as multi-line files.
            .MdevInstance(p, "mtty-2", "e0000000-0000-4000-8000-00000000000e")
            .File(p + "/e0000000-0000-4000-8000-00000000000e/migration/self", "device_api=vfio-pci\ntype=mtty-2\nsoftware_version=2.0.1\n")
            .File(p + "/e0000000-0000-4000-8000-00000000000e/migration/compatible", "device_api=vfio-pci\ntype=mtty-{t:int:1,2}\n")
            // F: Aug 2020 as directories of one-value files (type -> mdev_type).
            .MdevInstance(p, "mtty-2", "f0000000-0000-4000-8000-00000000000f")
            .File(p + "/f0000000-0000-4000-8000-00000000000f/migration/self/device_api", "vfio-pci\n")
            .File(p + "/f0000000-0000-4000-8000-00000000000f/migration/self/type", "mtty-2\n")
            .File(p + "/f0000000-0000-4000-8000-00000000000f/migration/self/software_version", "2.1.0\n")
            .File(p + "/f0000000-0000-4000-8000-00000000000f/migration/self/aggregator", "1\n")
            .File(p + "/f0000000-0000-4000-8000-00000000000f/migration/compatible/device_api", "vfio-pci\n")
            .File(p + "/f0000000-0000-4000-8000-00000000000f/migration/compatible/type", "mtty-{t:int:1,2}\n")
            .File(p + "/f0000000-0000-4000-8000-00000000000f/migration/compatible/aggregator", "{t}\n")
            // G: a broken July 2020 file: warning, then the type node's 2019 version is used.
            .MdevInstance(p, "mtty-2", "90000000-0000-4000-8000-000000000009", null, ("migration_compatible", "COMPATIBLE:\n  mdev_type=mtty-{val1:int:1,2\n"))
            // A VF on vfio-pci with July 2020 migration_compatible on the PCI device node.
            .PciDevice("0000:81:00.1", "0x1d0f", "0x0051", driver: "vfio-pci", iommuGroup: 70, physfn: "0000:81:00.0")
            .File(SysfsFixture.PciRoot + "/0000:81:00.1/migration_compatible", "device_api=vfio-pci\npci_id=1d0f:0051\nsoftware_version=3.0.0\nCOMPATIBLE:\n  device_api=vfio-pci\n  pci_id=1d0f:0051\n");
        foreach (var uuid in Directory.GetDirectories(f.Full(p), "*-*").Select(Path.GetFileName))
        {
            f.MdevInstanceDriver(p, uuid!, "mtty");
        }
    }

    /// <summary>
    /// NVIDIA vGPU 17+ on SR-IOV VFs (no mdev): an H200 SXM PF on <c>nvidia</c> with four VFs, two
    /// configured as type 1414 (<c>NVIDIA H200X-1-18C</c>), two free that can still take 1414 only
    /// (the list shrinks to the framebuffer size in use); an L40S PF with one free VF whose
    /// <c>creatable_vgpu_types</c> has a malformed line. (The L40S type ids are illustrative.)
    /// </summary>
    private static void BuildNvidiaVgpuVf(SysfsFixture f)
    {
        const string h200 = "0000:41:00.0";
        const string onlyOneSize = CreatableHeader + "1414 : NVIDIA H200X-1-18C\n";
        f.Module("nvidia", "550.90.05")
            .PciDevice("0000:40:01.1", "0x1022", "0x14ab", driver: "pcieport", iommuGroup: 59, pciClass: "0x060400", numaNode: 0, parentPath: "devices/pci0000:40")
            .PciDevice(h200, "0x10de", "0x2335", driver: "nvidia", iommuGroup: 60, subsystemVendor: "0x10de", subsystemDevice: "0x18be", pciClass: "0x030200", numaNode: 0, parentPath: H200Port)
            .SriovPhysicalFunction(H200Port, h200, "0x2335", 32, "0000:41:00.4", "0000:41:00.5", "0000:41:00.6", "0000:41:00.7");
        string[] vfs = ["0000:41:00.4", "0000:41:00.5", "0000:41:00.6", "0000:41:00.7"];
        for (var i = 0; i < vfs.Length; i++)
        {
            f.PciDevice(vfs[i], "0x10de", "0x2335", driver: "nvidia", iommuGroup: 61 + i, subsystemVendor: "0x10de", subsystemDevice: "0x18be", pciClass: "0x030200", numaNode: 0, physfn: h200, parentPath: H200Port)
                .NvidiaVgpu(H200Port, vfs[i], i < 2 ? "1414" : "0", i < 2 ? CreatableHeader : onlyOneSize);
        }

        const string l40s = "0000:c1:00.0";
        f.PciDevice("0000:c0:01.1", "0x1022", "0x14ab", driver: "pcieport", iommuGroup: 79, pciClass: "0x060400", numaNode: 1, parentPath: "devices/pci0000:c0")
            .PciDevice(l40s, "0x10de", "0x26b9", driver: "nvidia", iommuGroup: 80, subsystemVendor: "0x10de", subsystemDevice: "0x1851", pciClass: "0x030200", numaNode: 1, parentPath: L40sPort)
            .SriovPhysicalFunction(L40sPort, l40s, "0x26b9", 32, "0000:c1:00.4")
            .PciDevice("0000:c1:00.4", "0x10de", "0x26b9", driver: "nvidia", iommuGroup: 81, subsystemVendor: "0x10de", subsystemDevice: "0x1851", pciClass: "0x030200", numaNode: 1, physfn: l40s, parentPath: L40sPort)
            .NvidiaVgpu(L40sPort, "0000:c1:00.4", "0", CreatableHeader + "1155 : NVIDIA L40S-1Q\nNVIDIA L40S-2Q\n1157 : NVIDIA L40S-4Q\n");
    }

    private static void BuildHostile(SysfsFixture f)
    {
        BuildGvtg(f);
        Directory.CreateDirectory(Path.Combine(f.Base, "outside"));
        File.WriteAllText(Path.Combine(f.Base, "outside", "vendor"), "0x8086\n");
        f.Link("bus/pci/devices/0000:ff:00.0", "../../../../outside")                    // climbs out of the root
            .Link("bus/pci/devices/0000:fe:00.0", Path.Combine(f.Base, "outside"))       // absolute, not under the root
            .Link("bus/pci/devices/0000:fd:00.0", "../../../bus/pci/devices/0000:fd:00.0") // a loop onto itself
            .Link("bus/pci/devices/0000:fc:00.0", "../../../devices/pci0000:00/0000:fc:00.0") // dangling
            .Link("class/mdev_bus/loop", "../../class/mdev_bus/loop2")
            .Link("class/mdev_bus/loop2", "../../class/mdev_bus/loop")
            .Link(IgdPath + "/mdev_supported_types/i915-GVTg_V5_4/name", "/etc/passwd")          // absolute link out of the root
            .File(IgdPath + "/mdev_supported_types/i915-GVTg_V5_2/available_instances", "lots\n")
            .File(IgdPath + "/mdev_supported_types/i915-GVTg_V5_1/description", new string('x', 10 * 1024 * 1024))
            .Dir(IgdPath + "/99999999-0000-4000-8000-000000000000")
            .Link("bus/mdev/devices/99999999-0000-4000-8000-000000000000", "../../../" + IgdPath + "/99999999-0000-4000-8000-000000000000")
            .Link(IgdPath + "/88888888-0000-4000-8000-000000000000/mdev_type", "../../../../../etc")
            .Link("bus/mdev/devices/88888888-0000-4000-8000-000000000000", "../../../" + IgdPath + "/88888888-0000-4000-8000-000000000000")
            // A vfio-pci device whose iommu_group link names no number.
            .PciDevice("0000:02:00.0", "0x1af4", "0x1041", driver: "virtio_vfio_pci", pciClass: "0x020000")
            .Link(SysfsFixture.PciRoot + "/0000:02:00.0/iommu_group", "../../../kernel/iommu_groups/none");
    }
}
