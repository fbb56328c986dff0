using System.Text;
using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Sysfs;

namespace MigCompat.Discovery.Tests.Sysfs;

/// <summary>
/// Which VM holds the devices: the QEMU process that holds their VFIO files, by its <c>-name</c> and
/// <c>-uuid</c>, from real QEMU command lines (libvirt's test outputs in <c>QemuArgs/</c>) written as
/// fake <c>/proc/&lt;pid&gt;/cmdline</c> files.
/// </summary>
public sealed partial class VfioUsageTests
{
    public static TheoryData<string, string, string?> RealCommandLines => new()
    {
        { "hostdev-mdev-precreated.x86_64-latest.args", "QEMUGuest2", "c7a5fdbd-edaf-9455-926a-d65c16db1809" },
        { "hostdev-mdev-precreated.args", "QEMUGuest2", "c7a5fdbd-edaf-9455-926a-d65c16db1809" },
        { "hostdev-vfio-multidomain.x86_64-latest.args", "QEMUGuest2", "c7a5fdbd-edaf-9466-926a-d65c16db1809" },
        { "name-escape.x86_64-latest.args", "foo=1,bar=2", "c7a5fdbd-edaf-9455-926a-d65c16db1809" },
    };

    [Theory]
    [MemberData(nameof(RealCommandLines))]
    public void The_qemu_holding_a_devices_group_file_is_its_guest_by_name_and_uuid(string args, string name, string? uuid)
    {
        proc.Process(4242, "/dev/vfio/vfio", "/dev/vfio/12", "anon_inode:[vfio-device]").CommandLine(4242, Argv(args));

        var inventory = Scan();

        Assert.Equal([new InventoryGuest(name, uuid, [MdevGroup12])], inventory.Guests);
        Assert.True(inventory.Devices.Single(d => d.Id == MdevGroup12).InUse);
        Assert.Empty(inventory.Warnings);
    }

    [Fact]
    public void Each_qemu_is_one_guest_with_the_devices_of_its_group_files_and_device_files()
    {
        proc.Process(4242, "/dev/vfio/13", "/dev/vfio/devices/vfio0").CommandLine(4242, Argv("hostdev-mdev-precreated.x86_64-latest.args"))
            .Process(4300, "/dev/vfio/31").CommandLine(4300, "/usr/libexec/qemu-kvm", "-name", "guest=vm-b,,x", "-uuid", "6E0E2F1C-1111-4C5E-9A3B-0D1F2E3A4B5C")
            .Process(4400, "/dev/vfio/devices/vfio1").CommandLine(4400, "/usr/bin/qemu-system-x86_64", "-name", "vm-c");

        var inventory = Scan();

        Assert.Equal(
            [
                new InventoryGuest("QEMUGuest2", "c7a5fdbd-edaf-9455-926a-d65c16db1809", [MdevGroup13, VfGroup32]),
                new InventoryGuest("vm-b,x", "6e0e2f1c-1111-4c5e-9a3b-0d1f2e3a4b5c", [VfGroup31]),
                new InventoryGuest("vm-c", null, [MdevGroup14]),
            ],
            inventory.Guests);
        Assert.Empty(inventory.Warnings);
        Assert.Empty(InventoryJson.Read(InventoryJson.Serialize(inventory), "scan.json").Diagnostics);
    }

    [Theory]
    [InlineData("a holder that is no QEMU", new[] { "/usr/bin/cloud-hypervisor", "--kernel", "vmlinux" })]
    [InlineData("a QEMU without -name", new[] { "/usr/bin/qemu-system-x86_64", "-uuid", "c7a5fdbd-edaf-9455-926a-d65c16db1809" })]
    [InlineData("a QEMU with a blank name", new[] { "/usr/bin/qemu-system-x86_64", "-name", "guest=,debug-threads=on" })]
    [InlineData("a qemu-img, not a VM", new[] { "/usr/bin/qemu-img", "-name", "x" })]
    [InlineData("a holder whose command line is empty (a kernel thread)", new string[0])]
    public void A_holder_that_names_no_vm_gives_no_guest_and_its_device_stays_in_use(string holder, string[] argv)
    {
        Assert.NotEmpty(holder);
        proc.Process(4242, "/dev/vfio/12").CommandLine(4242, argv);

        var inventory = Scan();

        Assert.Empty(inventory.Guests);
        Assert.True(inventory.Devices.Single(d => d.Id == MdevGroup12).InUse);
        Assert.Empty(inventory.Warnings);
    }

    [Fact]
    public void A_process_that_exited_before_its_command_line_was_read_gives_no_guest_and_no_warning()
    {
        proc.Process(4242, "/dev/vfio/12");

        var inventory = Scan();

        Assert.Empty(inventory.Guests);
        Assert.True(inventory.Devices.Single(d => d.Id == MdevGroup12).InUse);
        Assert.Empty(inventory.Warnings);
    }

    [Fact]
    public void A_command_line_over_the_limit_is_not_read_whole_and_is_a_warning()
    {
        proc.Process(4242, "/dev/vfio/12")
            .CommandLine(4242, "/usr/bin/qemu-system-x86_64", "-name", "guest=big", "-append", new string('x', QemuGuests.MaxCommandLineBytes));

        var inventory = Scan();

        Assert.Empty(inventory.Guests);
        var warning = Assert.Single(inventory.Warnings);
        Assert.Equal((SysfsWarningCodes.GuestUnknown, proc.Root + "/4242/cmdline"), (warning.Code, warning.Path));
        Assert.Contains("not tied to a VM", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_qemus_of_one_name_form_one_guest_and_a_device_belongs_to_the_first_holder()
    {
        proc.Process(4242, "/dev/vfio/12", "/dev/vfio/13").CommandLine(4242, "/usr/bin/qemu-system-x86_64", "-name", "guest=vm", "-uuid", "c7a5fdbd-edaf-9455-926a-d65c16db1809")
            .Process(4300, "/dev/vfio/13", "/dev/vfio/14").CommandLine(4300, "/usr/bin/qemu-system-x86_64", "-name", "guest=other", "-uuid", "c7a5fdbd-edaf-9455-926a-d65c16db1809")
            .Process(4400, "/dev/vfio/31").CommandLine(4400, "/usr/bin/qemu-system-x86_64", "-name", "guest=vm", "-incoming", "defer");

        var inventory = Scan();

        Assert.Equal(
            [
                new InventoryGuest("vm", "c7a5fdbd-edaf-9455-926a-d65c16db1809", [MdevGroup13, MdevGroup12, VfGroup31]),
                new InventoryGuest("other", null, [MdevGroup14]),
            ],
            inventory.Guests);
        Assert.Empty(InventoryJson.Read(InventoryJson.Serialize(inventory), "scan.json").Diagnostics);
    }

    [Fact]
    public void Files_of_devices_the_scan_does_not_list_give_no_guest()
    {
        proc.Process(4242, "/dev/vfio/99").CommandLine(4242, "/usr/bin/qemu-system-x86_64", "-name", "elsewhere");

        Assert.Empty(Scan().Guests);
    }

    [Theory]
    [InlineData(new[] { "/usr/bin/qemu-system-x86_64", "-name", "guest=a,,b,,,debug-threads=on" }, "a,b,", null)]
    [InlineData(new[] { "qemu-system-aarch64", "--name", "legacy,process=qemu:x" }, "legacy", null)]
    [InlineData(new[] { "/usr/bin/qemu-system-x86_64", "-name", "debug-threads=on,guest=late" }, "late", null)]
    [InlineData(new[] { "/usr/bin/qemu-system-x86_64", "-name", "first", "-name", "second", "-uuid", "not-a-uuid" }, "second", null)]
    [InlineData(new[] { "/usr/bin/qemu-system-x86_64", "-uuid", "C7A5FDBD-EDAF-9455-926A-D65C16DB1809", "-name" }, null, "c7a5fdbd-edaf-9455-926a-d65c16db1809")]
    public void A_qemu_command_line_gives_the_guest_name_with_qemus_comma_escaping_and_the_uuid(string[] argv, string? name, string? uuid)
    {
        Assert.Equal((name, uuid), QemuGuests.Parse(argv));
    }

    /// <summary>The argv of a libvirt <c>*.args</c> file: its shell words after the leading environment assignments.</summary>
    private static string[] Argv(string file)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Sysfs", "QemuArgs", file)).Replace("\\\n", " ", StringComparison.Ordinal);
        var words = new List<string>();
        var word = new StringBuilder();
        var quoted = false;
        var inWord = false;
        foreach (var c in text)
        {
            if (c == '\'')
            {
                quoted = !quoted;
                inWord = true;
            }
            else if (!quoted && char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        Assert.False(quoted, file);
        return [.. words.SkipWhile(w => w.Contains('=', StringComparison.Ordinal) && !w.StartsWith('/'))];
    }
}
