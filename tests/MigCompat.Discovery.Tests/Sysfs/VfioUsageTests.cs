using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Sysfs;

namespace MigCompat.Discovery.Tests.Sysfs;

/// <summary>
/// Which scanned devices are in use: the VFIO files the processes of a fake proc tree hold open. The
/// host: three GVT-g mdevs (IOMMU groups 12, 13, 14) and two vfio-pci VFs (groups 31, 32); the VF
/// 0000:65:01.1 and the mdev 5e9f4c31 also have iommufd device files (<c>class/vfio-dev/vfio0</c>, <c>vfio1</c>).
/// </summary>
public sealed partial class VfioUsageTests : IDisposable
{
    private const string MdevGroup12 = "d069d019-36ea-4111-8f0a-8c9a70e21366";
    private const string MdevGroup13 = "3d4a8ad5-1c5f-4b52-8f55-1b7a7f0d1a10";
    private const string MdevGroup14 = "5e9f4c31-8d6b-4a35-9d53-f2c0f3a4c1b2";
    private const string VfGroup31 = "0000:65:01.0";
    private const string VfGroup32 = "0000:65:01.1";

    private readonly SysfsFixture fixture;
    private readonly FakeProc proc;

    public VfioUsageTests()
    {
        fixture = SysfsFixtures.Build(SysfsFixtures.Gvtg);
        fixture.PciDevice("0000:65:00.0", "0x8086", "0x1592", driver: "ice", iommuGroup: 30, pciClass: "0x020000")
            .PciDevice(VfGroup31, "0x8086", "0x1889", driver: "vfio-pci", iommuGroup: 31, pciClass: "0x020000", physfn: "0000:65:00.0")
            .PciDevice(VfGroup32, "0x8086", "0x1889", driver: "vfio-pci", iommuGroup: 32, pciClass: "0x020000", physfn: "0000:65:00.0");
        VfioDeviceFile("vfio0", SysfsFixture.PciRoot + "/" + VfGroup32);
        VfioDeviceFile("vfio1", SysfsFixtures.IgdPath + "/" + MdevGroup14);

        // Always there: a process with an ordinary open file, one that has exited (no fd/ left), and
        // entries that are not processes (one even holds a VFIO group file: it must not count).
        proc = new FakeProc(Path.Combine(fixture.Base, "proc"))
            .Process(1, "/dev/null", "socket:[4711]")
            .OtherDirectory("2")
            .OtherDirectory("self-test", "/dev/vfio/12")
            .OtherDirectory("sys");
    }

    public void Dispose()
    {
        proc.Unlock();
        fixture.Dispose();
    }

    public static TheoryData<string, string[], string[]> OpenFileCases()
    {
        (string Case, string[] OpenFiles, string[] InUse)[] cases =
        [
            ("a legacy group file marks the mdev in that IOMMU group", ["4242 /dev/vfio/12"], [MdevGroup12]),
            ("a legacy group file marks the VF in that IOMMU group", ["4242 /dev/vfio/31"], [VfGroup31]),
            ("a no-IOMMU group file marks the device in that group", ["4242 /dev/vfio/noiommu-32"], [VfGroup32]),
            ("a device file named by class/vfio-dev marks that PCI device", ["4242 /dev/vfio/devices/vfio0"], [VfGroup32]),
            ("a device file named by class/vfio-dev marks that mdev", ["4242 /dev/vfio/devices/vfio1"], [MdevGroup14]),
            ("the files of several processes mark their devices",
                ["4242 /dev/vfio/13", "4243 /dev/vfio/vfio", "4243 /dev/vfio/31", "987654 /dev/vfio/devices/vfio1"], [MdevGroup13, MdevGroup14, VfGroup31]),
            ("the container, anonymous inodes and other files mark nothing",
                ["4242 /dev/vfio/vfio", "4242 anon_inode:[vfio-device]", "4242 /dev/null", "4242 /dev/vfio/12 (deleted)", "4242 /dev/vfio/012",
                 "4242 /dev/vfio/devices/vfio01", "4242 /dev/vfio/-1", "4242 /dev/vfio/99999999999", "4242 /dev/vfio12", "4242 /dev/vfio/devices/",
                 "4242 /dev/vfio/99", "4242 /dev/iommu"], []),
        ];
        var data = new TheoryData<string, string[], string[]>();
        foreach (var (name, openFiles, inUse) in cases)
        {
            data.Add(name, openFiles, inUse);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(OpenFileCases))]
    public void Open_vfio_files_mark_their_devices_in_use_and_every_other_device_free(string openFilesCase, string[] openFiles, string[] inUse)
    {
        Assert.NotEmpty(openFilesCase);
        foreach (var process in openFiles.Select(f => f.Split(' ', 2)).GroupBy(f => int.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture)))
        {
            proc.Process(process.Key, [.. process.Select(f => f[1])]);
        }

        var inventory = Scan();

        Assert.Equal(Expected(inUse, others: false), InUse(inventory));
        Assert.Empty(inventory.Warnings);
    }

    [Fact]
    public void A_device_opened_through_its_device_file_takes_the_other_devices_of_its_iommu_group_with_it()
    {
        fixture.PciDevice("0000:66:00.0", "0x10de", "0x2236", driver: "vfio-pci", iommuGroup: 40, pciClass: "0x030200")
            .PciDevice("0000:66:00.1", "0x10de", "0x22ba", driver: "vfio-pci", iommuGroup: 40, pciClass: "0x040300");
        VfioDeviceFile("vfio2", SysfsFixture.PciRoot + "/0000:66:00.0");
        proc.Process(4242, "/dev/vfio/devices/vfio2");

        var inventory = Scan();

        var expected = Expected([], others: false);
        expected["0000:66:00.0"] = true;
        expected["0000:66:00.1"] = true;
        Assert.Equal(expected, InUse(inventory));
        Assert.Empty(inventory.Warnings);
    }

    [Fact]
    public void A_proc_root_of_null_reads_no_processes_and_leaves_every_device_unknown()
    {
        proc.Process(4242, "/dev/vfio/12");

        var inventory = SysfsScanner.Scan(SysfsScanning.Options(fixture) with { ProcRoot = null });

        Assert.All(inventory.Devices, d => Assert.Null(d.InUse));
        Assert.Empty(inventory.Warnings);
    }

    [Fact]
    public void A_missing_proc_root_named_by_the_caller_leaves_every_device_unknown_with_a_warning()
    {
        var missing = Path.Combine(fixture.Base, "no-such-proc");

        var inventory = SysfsScanner.Scan(SysfsScanning.Options(fixture) with { ProcRoot = missing });

        Assert.All(inventory.Devices, d => Assert.Null(d.InUse));
        var warning = Assert.Single(inventory.Warnings);
        Assert.Equal((SysfsWarningCodes.InUseUnknown, missing), (warning.Code, warning.Path));
        Assert.Contains("does not exist", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_proc_root_named_by_the_caller_is_reported_even_when_there_are_no_devices()
    {
        using var empty = new SysfsFixture();
        var missing = Path.Combine(empty.Base, "no-such-proc");

        var inventory = SysfsScanner.Scan(SysfsScanning.Options(empty) with { ProcRoot = missing });

        Assert.Equal((SysfsWarningCodes.InUseUnknown, missing), (Assert.Single(inventory.Warnings).Code, inventory.Warnings[0].Path));
    }

    [Fact]
    public void A_non_numeric_entry_of_the_proc_root_is_not_a_process()
    {
        // "self-test/fd/0" holds /dev/vfio/12 open; only numeric directories are processes.
        var inventory = Scan();

        Assert.Equal(Expected([], others: false), InUse(inventory));
    }

    [Fact]
    public void A_process_without_an_fd_directory_has_exited_and_counts_as_read()
    {
        // Process 2 has no fd/ (it exited between the listing and the read): nothing is unknown.
        proc.OtherDirectory("3");

        var inventory = Scan();

        Assert.All(inventory.Devices, d => Assert.False(d.InUse));
        Assert.Empty(inventory.Warnings);
    }

    [Fact]
    public void Open_files_are_listed_from_fdinfo_where_it_can_be_listed_and_one_closed_since_is_skipped()
    {
        // As procfs: 4242's fdinfo/ lists its open files 3 and 4, and 5, closed between the listing and
        // the read (no fd/5 link); 4243's fdinfo/ cannot be listed, so its fd/ is.
        proc.Process(4242, "/dev/vfio/12", "/dev/null").Fdinfo(4242, 3, 4, 5)
            .Process(4243, "/dev/vfio/31").BrokenFdinfo(4243)
            .Process(4244, "/dev/vfio/devices/vfio0").Fdinfo(4244, 3);

        var inventory = Scan();

        Assert.Equal(Expected([MdevGroup12, VfGroup31, VfGroup32], others: false), InUse(inventory));
        Assert.Empty(inventory.Warnings);
    }

    [Fact]
    public void An_unreadable_fd_directory_leaves_devices_not_found_open_unknown_with_one_warning_unless_the_scan_runs_as_root()
    {
        proc.Process(4242, "/dev/vfio/12").Process(4243, "/dev/vfio/31").Process(4244, "/dev/null").LockFd(4243).LockFd(4244);
        var readableAnyway = FakeProc.CanList(proc.Full("4243/fd"));

        var inventory = Scan();

        if (readableAnyway)
        {
            // Root (CAP_DAC_READ_SEARCH) lists a mode-000 directory: every process is read.
            Assert.Equal(Expected([MdevGroup12, VfGroup31], others: false), InUse(inventory));
            Assert.Empty(inventory.Warnings);
        }
        else
        {
            Assert.Equal(Expected([MdevGroup12], others: null), InUse(inventory));
            var warning = Assert.Single(inventory.Warnings);
            Assert.Equal((SysfsWarningCodes.InUseUnknown, proc.Root + "/4243/fd"), (warning.Code, warning.Path));
            Assert.Contains("2 processes of 5", warning.Message, StringComparison.Ordinal);
            Assert.Contains("permission denied", warning.Message, StringComparison.Ordinal);
            Assert.Contains("CAP_SYS_PTRACE", warning.Message, StringComparison.Ordinal);
            Assert.Contains("hostPID", warning.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_fd_directory_that_cannot_be_listed_leaves_devices_not_found_open_unknown_with_one_warning()
    {
        proc.Process(4242, "/dev/vfio/12").ProcessWithBrokenFd(4243).ProcessWithBrokenFd(4244);

        var inventory = Scan();

        Assert.Equal(Expected([MdevGroup12], others: null), InUse(inventory));
        var warning = Assert.Single(inventory.Warnings);
        Assert.Equal((SysfsWarningCodes.InUseUnknown, proc.Root + "/4243/fd"), (warning.Code, warning.Path));
        Assert.StartsWith("cannot read the open files of 2 processes of 5 (", warning.Message, StringComparison.Ordinal);
        Assert.Contains("the 4 devices not found open are left unknown", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("CAP_SYS_PTRACE", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_proc_root_without_processes_leaves_every_device_unknown_with_a_warning()
    {
        var empty = new FakeProc(Path.Combine(fixture.Base, "empty-proc")).OtherDirectory("sys");

        var inventory = SysfsScanner.Scan(SysfsScanning.Options(fixture) with { ProcRoot = empty.Root });

        Assert.All(inventory.Devices, d => Assert.Null(d.InUse));
        var warning = Assert.Single(inventory.Warnings);
        Assert.Equal((SysfsWarningCodes.InUseUnknown, empty.Root), (warning.Code, warning.Path));
        Assert.Contains("no process directories", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_proc_root_that_does_not_list_process_1_hides_processes_and_leaves_devices_not_found_open_unknown()
    {
        // What a non-root scan sees of a /proc mounted with hidepid=invisible: its own processes only.
        var hidden = new FakeProc(Path.Combine(fixture.Base, "hidepid-proc")).Process(4242, "/dev/vfio/12").Process(4243, "/dev/null");

        var inventory = SysfsScanner.Scan(SysfsScanning.Options(fixture) with { ProcRoot = hidden.Root });

        Assert.Equal(Expected([MdevGroup12], others: null), InUse(inventory));
        var warning = Assert.Single(inventory.Warnings);
        Assert.Equal((SysfsWarningCodes.InUseUnknown, hidden.Root), (warning.Code, warning.Path));
        Assert.Contains("does not list process 1", warning.Message, StringComparison.Ordinal);
        Assert.Contains("hidepid=", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pid:[4026531836]", false)]
    [InlineData("pid:[4026532198]", true)]
    public void A_proc_root_of_a_pid_namespace_other_than_the_hosts_leaves_devices_not_found_open_unknown(string namespaceLink, bool container)
    {
        proc.PidNamespace(namespaceLink).Process(4242, "/dev/vfio/12");

        var inventory = Scan();

        Assert.Equal(Expected([MdevGroup12], others: container ? null : false), InUse(inventory));
        if (container)
        {
            var warning = Assert.Single(inventory.Warnings);
            Assert.Equal((SysfsWarningCodes.InUseUnknown, proc.Root + "/1/ns/pid"), (warning.Code, warning.Path));
            Assert.Contains("a PID namespace other than the host's (pid:[4026532198])", warning.Message, StringComparison.Ordinal);
            Assert.Contains("docker run --pid=host", warning.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(inventory.Warnings);
        }
    }

    [Fact]
    public void Reaching_the_open_file_limit_stops_the_lookup_and_leaves_devices_not_found_open_unknown()
    {
        // Process 1 has two open files, 4242 four: the third file examined is /dev/vfio/12, the fourth the last one allowed.
        proc.Process(4242, "/dev/vfio/12", "/dev/null", "/dev/null", "/dev/vfio/31");

        var inventory = Scan(limit: 4);

        Assert.Equal(Expected([MdevGroup12], others: null), InUse(inventory));
        var warning = Assert.Single(inventory.Warnings);
        Assert.Equal((SysfsWarningCodes.InUseUnknown, proc.Root), (warning.Code, warning.Path));
        Assert.StartsWith("stopped after examining 4 open files", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_file_sysfs_does_not_name_leaves_devices_not_found_open_unknown_with_a_warning()
    {
        proc.Process(4242, "/dev/vfio/devices/vfio7", "/dev/vfio/12", "/dev/vfio/devices/vfio0");

        var inventory = Scan();

        Assert.Equal(Expected([MdevGroup12, VfGroup32], others: null), InUse(inventory));
        var warning = Assert.Single(inventory.Warnings);
        Assert.Equal((SysfsWarningCodes.InUseUnknown, fixture.Root + "/class/vfio-dev/vfio7"), (warning.Code, warning.Path));
        Assert.StartsWith("a process holds /dev/vfio/devices/vfio7 open, but sysfs does not say which device it is", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dev/vfio/99", null)]
    [InlineData("/dev/vfio/12", false)]
    public void A_device_whose_iommu_group_is_unknown_is_free_only_when_every_open_group_belongs_to_another_device(string openFile, bool? expected)
    {
        fixture.PciDevice("0000:66:00.0", "0x8086", "0x1889", driver: "vfio-pci", iommuGroup: null, pciClass: "0x020000");
        proc.Process(4242, openFile);

        var inventory = Scan();

        var device = Assert.Single(inventory.Devices, d => d.Id == "0000:66:00.0");
        Assert.Null(device.IommuGroup);
        Assert.Equal(expected, device.InUse);
        Assert.All(inventory.Devices.Where(d => d.Id != "0000:66:00.0"), d => Assert.Equal(d.Id == MdevGroup12 && openFile.EndsWith("/12", StringComparison.Ordinal), d.InUse));
        if (expected is null)
        {
            var warning = Assert.Single(inventory.Warnings);
            Assert.Equal((SysfsWarningCodes.InUseUnknown, "/dev/vfio/99"), (warning.Code, warning.Path));
        }
        else
        {
            Assert.Empty(inventory.Warnings);
        }
    }

    [Fact]
    public void Devices_in_use_and_free_are_written_as_in_use_true_and_false()
    {
        proc.Process(4242, "/dev/vfio/12");

        var json = InventoryJson.Serialize(Scan());

        Assert.Contains("\"id\": \"" + MdevGroup12 + "\"", json, StringComparison.Ordinal);
        Assert.Equal(1, Occurrences(json, "\"in_use\": true"));
        Assert.Equal(4, Occurrences(json, "\"in_use\": false"));
    }

    private HostInventory Scan(int limit = 1_000_000) =>
        SysfsScanner.Scan(SysfsScanning.Options(fixture) with { ProcRoot = proc.Root, MaxOpenFilesExamined = limit });

    private static Dictionary<string, bool?> InUse(HostInventory inventory) => inventory.Devices.ToDictionary(d => d.Id, d => d.InUse);

    private static Dictionary<string, bool?> Expected(string[] inUse, bool? others) =>
        new[] { MdevGroup13, MdevGroup14, MdevGroup12, VfGroup31, VfGroup32 }.ToDictionary(id => id, id => inUse.Contains(id) ? true : others);

    private static int Occurrences(string text, string value) => (text.Length - text.Replace(value, string.Empty, StringComparison.Ordinal).Length) / value.Length;

    /// <summary>An iommufd device file <c>NAME</c> of the device at <paramref name="devicePath"/>, as the kernel lays it out.</summary>
    private void VfioDeviceFile(string name, string devicePath)
    {
        var node = $"{devicePath}/vfio-dev/{name}";
        fixture.File(node + "/dev", "511:" + name[4..] + "\n")
            .Link(node + "/device", "../../../" + Path.GetFileName(devicePath))
            .Link($"class/vfio-dev/{name}", "../../" + node);
    }
}
