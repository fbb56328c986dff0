using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Sysfs;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Tests.Sysfs;

/// <summary>NVIDIA vGPU 17+ on SR-IOV VFs: <c>nvidia/current_vgpu_type</c> and <c>nvidia/creatable_vgpu_types</c>.</summary>
public class NvidiaVgpuFunctionTests
{
    private const string Header = SysfsFixtures.CreatableHeader;
    private const string Pf = "0000:41:00.0";

    public static TheoryData<string, string, string[], int[]> CreatableFiles => new()
    {
        // what the case is, the file, the types it gives ("id=name"), the malformed line numbers
        { "header and two types", Header + "1414 : NVIDIA H200X-1-18C\n1428 : NVIDIA H200X-141C\n", ["1414=NVIDIA H200X-1-18C", "1428=NVIDIA H200X-141C"], [] },
        { "types without a header", "1414 : NVIDIA H200X-1-18C\n", ["1414=NVIDIA H200X-1-18C"], [] },
        { "only the header (a fully used card)", Header, [], [] },
        { "an empty file", "", [], [] },
        { "blank lines, CRLF and extra blanks", "\n" + Header + "\r\n  1414   :   NVIDIA H200X-1-18C  \r\n\n\t\n", ["1414=NVIDIA H200X-1-18C"], [] },
        { "the ID Name form", "1414 NVIDIA H200X-1-18C\n1428\tNVIDIA H200X-141C\n", ["1414=NVIDIA H200X-1-18C", "1428=NVIDIA H200X-141C"], [] },
        { "no blanks around the colon", "1414:NVIDIA H200X-1-18C\n", ["1414=NVIDIA H200X-1-18C"], [] },
        { "a colon inside the name", "1414 : NVIDIA H200X-1-18C: MIG 1g.18gb\n", ["1414=NVIDIA H200X-1-18C: MIG 1g.18gb"], [] },
        { "a lower-case header", "id : vgpu name\n1414 : A\n", ["1414=A"], [] },
        { "a name without an id", Header + "1155 : NVIDIA L40S-1Q\nNVIDIA L40S-2Q\n1157 : NVIDIA L40S-4Q\n", ["1155=NVIDIA L40S-1Q", "1157=NVIDIA L40S-4Q"], [3] },
        { "an id without a name", "1414 :\n1428\n1 : A\n", ["1=A"], [1, 2] },
        { "an id too large for 32 bits", "99999999999 : NVIDIA H200X-141C\n1414 : A\n", ["1414=A"], [1] },
        { "id 0, which means none", "0 : A\n", [], [1] },
        { "a signed id", "-1 : A\n+2 : B\n", [], [1, 2] },
        { "a hex id", "0x586 : A\n", [], [1] },
        { "a header that is not the first line", "1414 : A\nID : vGPU Name\n", ["1414=A"], [2] },
        { "an id listed twice", "1414 : A\n1414 : B\n", ["1414=A"], [] },
        { "leading zeros", "01414 : A\n", ["1414=A"], [] },
    };

    [Theory]
    [MemberData(nameof(CreatableFiles))]
    public void A_creatable_types_file_gives_its_types_and_names_every_malformed_line(string what, string text, string[] types, int[] malformedLines)
    {
        var list = NvidiaCreatableTypes.Parse(text);

        Assert.True(types.SequenceEqual(list.Types.Select(t => $"{t.Id}={t.Name}")), $"{what}: got {string.Join(", ", list.Types)}");
        Assert.Equal(malformedLines, list.Malformed.Select(l => l.LineNumber));
    }

    [Fact]
    public void Configured_vfs_become_sriov_vf_devices_of_type_nvidia_id_with_their_pf_as_parent()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.NvidiaVgpuVf);

        var devices = SysfsScanning.Scan(fixture).Devices;

        Assert.Equal(["0000:41:00.4", "0000:41:00.5"], devices.Select(d => d.Id));
        var device = devices[0];
        Assert.Equal(
            (DeviceKind.SriovVf, "vfio-pci", "nvidia-1414", Pf, "nvidia", "550.90.05", 61, 0),
            (device.Kind, device.DeviceApi, device.MdevType, device.Parent, device.Driver, device.DriverVersion, device.IommuGroup, device.NumaNode));
        Assert.Equal(new PciIds("10de", "2335", "10de", "18be", "030200"), device.Pci);
        Assert.Equal(DescriptorOrigin.Derived, device.Descriptor.Origin);
        Assert.Equal(
            ["device_api=vfio-pci", "mdev_type=nvidia-1414", "driver=nvidia", "driver_build=550.90.05", "rule.vgpu_version=within vgpu_range", "rule.driver_build=exact", "vgpu_range=7.1-20.1", "vgpu_version=7.1-20.1", "migration.capable=yes", "migration.evidence=rule-pack nvidia-vgpu 1 (shipped:nvidia-vgpu.rules)", "gpu=10de:2335"],
            device.Descriptor.Self.Select(f => f.Key + "=" + f.Value));
    }

    [Fact]
    public void Free_vfs_are_capacity_of_their_pf_and_describe_a_new_vgpu_as_the_configured_ones_are_described()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.NvidiaVgpuVf);

        var inventory = SysfsScanning.Scan(fixture);

        var type = Assert.Single(inventory.CreatableTypes, t => t.Parent == Pf);
        Assert.Equal(
            ("nvidia-1414", "NVIDIA H200X-1-18C", (string?)null, "vfio-pci", 2, 2, "nvidia", "550.90.05"),
            (type.TypeId, type.Name, type.Description, type.DeviceApi, type.AvailableInstances, type.ExistingInstances, type.Driver, type.DriverVersion));
        Assert.Equal(inventory.Devices[0].Descriptor.Self, type.Descriptor.Self);
        Assert.EndsWith("/0000:41:00.6/nvidia/creatable_vgpu_types", type.Descriptor.OriginDetail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_creatable_line_is_one_warning_naming_it_and_the_other_lines_are_still_capacity()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.NvidiaVgpuVf);

        var inventory = SysfsScanning.Scan(fixture);

        Assert.Equal(
            ["nvidia-1155:1", "nvidia-1157:1"],
            inventory.CreatableTypes.Where(t => t.Parent == "0000:c1:00.0").Select(t => $"{t.TypeId}:{t.AvailableInstances}"));
        var warning = Assert.Single(inventory.Warnings);
        Assert.Equal(SysfsWarningCodes.MalformedValue, warning.Code);
        Assert.EndsWith("/0000:c1:00.4/nvidia/creatable_vgpu_types", warning.Path, StringComparison.Ordinal);
        Assert.Contains("line 3 \"NVIDIA L40S-2Q\"", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_malformed_creatable_lines_are_still_one_warning_for_the_file_naming_each()
    {
        using var fixture = Gpu(("0", Header + "NVIDIA H200X-1-18C\n1414 : NVIDIA H200X-1-18C\n1428 :\n"));

        var inventory = SysfsScanning.Scan(fixture);

        Assert.Equal("nvidia-1414", Assert.Single(inventory.CreatableTypes).TypeId);
        var warning = Assert.Single(inventory.Warnings);
        Assert.Equal(SysfsWarningCodes.MalformedValue, warning.Code);
        Assert.Contains("2 lines are", warning.Message, StringComparison.Ordinal);
        Assert.Contains("line 2 \"NVIDIA H200X-1-18C\", line 4 \"1428 :\"", warning.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> MalformedCurrentTypes => new()
    {
        { "a name instead of an id", "NVIDIA H200X-1-18C" },
        { "a negative id", "-1" },
        { "an id too large for 32 bits", "99999999999" },
        { "an empty file", "" },
    };

    [Theory]
    [MemberData(nameof(MalformedCurrentTypes))]
    public void A_malformed_current_type_is_a_warning_and_the_vf_is_neither_a_device_nor_capacity(string what, string currentType)
    {
        using var fixture = Gpu(("1414", Header), (currentType, Header + "1414 : NVIDIA H200X-1-18C\n"));

        var inventory = SysfsScanning.Scan(fixture);

        Assert.Equal(["0000:41:00.4"], inventory.Devices.Select(d => d.Id));
        var type = Assert.Single(inventory.CreatableTypes);
        Assert.Equal((0, 1), (type.AvailableInstances, type.ExistingInstances));
        var warning = Assert.Single(inventory.Warnings);
        Assert.True(warning.Code == SysfsWarningCodes.MalformedValue, what);
        Assert.EndsWith("/0000:41:00.5/nvidia/current_vgpu_type", warning.Path, StringComparison.Ordinal);
    }

    public static TheoryData<string, string?, DescriptorOrigin> NamedTypes => new()
    {
        // a free sibling lists 1414: its name is known and a type_name profile applies
        { Header + "1414 : NVIDIA H200X-1-18C\n", "NVIDIA H200X-1-18C", DescriptorOrigin.Profile },
        // nothing lists 1414 (a full card): no name, so the type_name profile cannot apply
        { Header, null, DescriptorOrigin.Derived },
    };

    [Theory]
    [MemberData(nameof(NamedTypes))]
    public void A_configured_vf_is_a_device_whether_or_not_its_pf_lists_its_type_name(string siblingList, string? name, DescriptorOrigin origin)
    {
        using var fixture = Gpu(("1414", Header), ("0", siblingList));
        fixture.Profile("50-h200x-1-18c.profile", """
            [match]
            kind = vf
            driver = nvidia
            type_name = NVIDIA H200X-1-18C

            [descriptor]
            SELF:
              device_api=vfio-pci
              mdev_type=nvidia-h200x-1-18c
              software_version=17.3.0
            """);

        var inventory = SysfsScanning.Scan(fixture);

        var device = Assert.Single(inventory.Devices);
        Assert.Equal(("nvidia-1414", origin), (device.MdevType, device.Descriptor.Origin));
        var type = Assert.Single(inventory.CreatableTypes);
        Assert.Equal(("nvidia-1414", name, origin), (type.TypeId, type.Name, type.Descriptor.Origin));
        Assert.Equal(name is null ? 0 : 1, type.AvailableInstances);
        Assert.Empty(inventory.Warnings);
    }

    [Fact]
    public void Capacity_is_ordered_by_numeric_type_id_and_counts_only_free_vfs_that_list_the_type()
    {
        using var fixture = Gpu(
            ("0", Header + "1428 : NVIDIA H200X-141C\n999 : NVIDIA H200X-71C\n"),
            ("0", Header + "999 : NVIDIA H200X-71C\n"),
            ("0", null));

        var inventory = SysfsScanning.Scan(fixture);

        Assert.Empty(inventory.Devices);
        Assert.Equal(["nvidia-999:2:0", "nvidia-1428:1:0"], inventory.CreatableTypes.Select(t => $"{t.TypeId}:{t.AvailableInstances}:{t.ExistingInstances}"));
        var warning = Assert.Single(inventory.Warnings);
        Assert.Equal(SysfsWarningCodes.UnexpectedLayout, warning.Code);
        Assert.EndsWith("/0000:41:00.6/nvidia/creatable_vgpu_types", warning.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vgpu_vf_is_read_whatever_driver_it_is_bound_to()
    {
        using var fixture = Gpu(("1414", Header));
        File.Delete(fixture.Full(SysfsFixtures.H200Port + "/0000:41:00.4/driver"));
        fixture.Dir("bus/pci/drivers/vfio-pci").Link(SysfsFixtures.H200Port + "/0000:41:00.4/driver", "../../../../bus/pci/drivers/vfio-pci");

        var device = Assert.Single(SysfsScanning.Scan(fixture).Devices);

        Assert.Equal(("vfio-pci", "nvidia-1414"), (device.Driver, device.MdevType));
        Assert.Contains(device.Descriptor.Self, f => f.Key == "driver" && f.Value == "nvidia");
    }

    [Fact]
    public void A_device_with_an_nvidia_current_type_but_no_physfn_is_reported_and_not_read_as_a_vgpu()
    {
        using var fixture = new SysfsFixture();
        fixture.PciDevice(Pf, "0x10de", "0x2335", driver: "nvidia", iommuGroup: 60, pciClass: "0x030200", parentPath: SysfsFixtures.H200Port)
            .NvidiaVgpu(SysfsFixtures.H200Port, Pf, "1414", Header);

        var inventory = SysfsScanning.Scan(fixture);

        Assert.Empty(inventory.Devices);
        Assert.Empty(inventory.CreatableTypes);
        Assert.Equal(SysfsWarningCodes.UnexpectedLayout, Assert.Single(inventory.Warnings).Code);
    }

    /// <summary>An H200 PF (<c>0000:41:00.0</c>, driver <c>nvidia</c> 550.90.05) with one VF per (current type, creatable list), from <c>0000:41:00.4</c> on.</summary>
    private static SysfsFixture Gpu(params (string Current, string? Creatable)[] vfs)
    {
        var fixture = new SysfsFixture();
        var addresses = vfs.Select((_, i) => $"0000:41:00.{4 + i}").ToArray();
        fixture.Module("nvidia", "550.90.05")
            .PciDevice(Pf, "0x10de", "0x2335", driver: "nvidia", iommuGroup: 60, pciClass: "0x030200", parentPath: SysfsFixtures.H200Port)
            .SriovPhysicalFunction(SysfsFixtures.H200Port, Pf, "0x2335", 32, addresses);
        for (var i = 0; i < vfs.Length; i++)
        {
            fixture.PciDevice(addresses[i], "0x10de", "0x2335", driver: "nvidia", iommuGroup: 61 + i, pciClass: "0x030200", physfn: Pf, parentPath: SysfsFixtures.H200Port)
                .NvidiaVgpu(SysfsFixtures.H200Port, addresses[i], vfs[i].Current, vfs[i].Creatable);
        }

        return fixture;
    }
}
