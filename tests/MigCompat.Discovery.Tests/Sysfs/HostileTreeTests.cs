using System.Diagnostics;
using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Sysfs;

namespace MigCompat.Discovery.Tests.Sysfs;

public class HostileTreeTests
{
    public static TheoryData<string, string> ExpectedWarnings => new()
    {
        { SysfsWarningCodes.LinkEscapesRoot, "/bus/pci/devices/0000:ff:00.0" },
        { SysfsWarningCodes.LinkEscapesRoot, "/bus/pci/devices/0000:fe:00.0" },
        { SysfsWarningCodes.LinkEscapesRoot, "/i915-GVTg_V5_4/name" },
        { SysfsWarningCodes.LinkEscapesRoot, "/88888888-0000-4000-8000-000000000000/mdev_type" },
        { SysfsWarningCodes.LinkLoop, "/bus/pci/devices/0000:fd:00.0" },
        { SysfsWarningCodes.LinkLoop, "/class/mdev_bus/loop" },
        { SysfsWarningCodes.DanglingLink, "/bus/pci/devices/0000:fc:00.0" },
        { SysfsWarningCodes.AttributeTooLarge, "/i915-GVTg_V5_1/description" },
        { SysfsWarningCodes.MalformedValue, "/i915-GVTg_V5_2/available_instances" },
        { SysfsWarningCodes.UnexpectedLayout, "/bus/mdev/devices/99999999-0000-4000-8000-000000000000" },
    };

    [Theory]
    [MemberData(nameof(ExpectedWarnings))]
    public void Each_hostile_entry_is_skipped_with_a_warning_that_names_its_path(string code, string pathEnd)
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.Hostile);

        var inventory = SysfsScanning.Scan(fixture);

        Assert.Contains(inventory.Warnings, w => w.Code == code && w.Path.EndsWith(pathEnd, StringComparison.Ordinal) && w.Message.Length > 20);
    }

    [Fact]
    public void The_healthy_part_of_a_hostile_tree_is_still_scanned()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.Hostile);

        var inventory = SysfsScanning.Scan(fixture);

        Assert.Equal(4, inventory.Devices.Length);
        Assert.Equal(4, inventory.CreatableTypes.Length);
        Assert.Null(Assert.Single(inventory.CreatableTypes, t => t.TypeId == "i915-GVTg_V5_1").Description);
        Assert.Equal(0, Assert.Single(inventory.CreatableTypes, t => t.TypeId == "i915-GVTg_V5_2").AvailableInstances);
    }

    [Fact]
    public void A_link_out_of_the_root_is_never_read_even_when_its_target_exists()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.Hostile);

        var inventory = SysfsScanning.Scan(fixture);

        // ../outside holds a readable vendor file; a scanner that followed the link would list 0000:ff:00.0.
        Assert.DoesNotContain(inventory.Devices, d => d.Id is "0000:ff:00.0" or "0000:fe:00.0");
        Assert.DoesNotContain(inventory.CreatableTypes, t => t.Name is not null && t.Name.Contains("root", StringComparison.Ordinal));
    }

    [Fact]
    public void An_attribute_that_blocks_on_read_is_abandoned_after_the_timeout_and_the_scan_finishes()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.Gvtg);
        const string instance = SysfsFixtures.IgdPath + "/d069d019-36ea-4111-8f0a-8c9a70e21366";
        fixture.Fifo(instance + "/blocking_attr").File(instance + "/zz_after_attr", "1\n");
        var options = SysfsScanning.Options(fixture) with { ReadTimeout = TimeSpan.FromMilliseconds(300) };
        var clock = Stopwatch.StartNew();
        try
        {
            var inventory = SysfsScanner.Scan(options);

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the scan took {clock.Elapsed}");
            Assert.Contains(inventory.Warnings, w => w.Code == SysfsWarningCodes.ReadTimedOut && w.Path.EndsWith("/blocking_attr", StringComparison.Ordinal));
            // The rest of the stalled directory is skipped with its own warning, the other devices are read.
            Assert.Contains(inventory.Warnings, w => w.Code == SysfsWarningCodes.ReadTimedOut && w.Path.EndsWith("/zz_after_attr", StringComparison.Ordinal));
            Assert.Equal(3, inventory.Devices.Length);
        }
        finally
        {
            // Release the abandoned reader: opening the FIFO for writing lets its open() return.
            using var writer = new FileStream(fixture.Full(instance + "/blocking_attr"), FileMode.Open, FileAccess.Write);
        }
    }

    [Fact]
    public void An_unreadable_attribute_is_reported_as_permission_denied_unless_the_scan_runs_as_root()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.Gvtg);
        const string attribute = SysfsFixtures.IgdPath + "/d069d019-36ea-4111-8f0a-8c9a70e21366/secret";
        fixture.File(attribute, "42\n").Unreadable(attribute);
        var readableAnyway = CanOpen(fixture.Full(attribute));

        var inventory = SysfsScanning.Scan(fixture);

        var device = Assert.Single(inventory.Devices, d => d.Id.StartsWith("d069d019", StringComparison.Ordinal));
        if (readableAnyway)
        {
            // Root (CAP_DAC_OVERRIDE) reads a mode-000 file; the scanner must then simply use the value.
            Assert.Contains(KeyValuePair.Create("secret", "42"), device.Descriptor.Self);
            Assert.DoesNotContain(inventory.Warnings, w => w.Code == SysfsWarningCodes.PermissionDenied);
        }
        else
        {
            Assert.Contains(inventory.Warnings, w => w.Code == SysfsWarningCodes.PermissionDenied && w.Path.EndsWith("/secret", StringComparison.Ordinal));
            Assert.DoesNotContain(device.Descriptor.Self, f => f.Key == "secret");
        }
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0x31, 0x0A }, 0)]
    [InlineData(new byte[] { 0x31, 0x2E, 0xC3, 0x28, 0x0A }, 2)]
    [InlineData(new byte[] { 0x76, 0xED, 0xA0, 0x80 }, 1)]
    public void An_attribute_that_is_not_utf8_text_is_unknown_with_a_warning_never_read_with_replacement_characters(byte[] content, int badByte)
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.Gvtg);
        const string attribute = SysfsFixtures.IgdPath + "/d069d019-36ea-4111-8f0a-8c9a70e21366/migration_version";
        fixture.File(attribute, "");
        File.WriteAllBytes(fixture.Full(attribute), content);

        var inventory = SysfsScanning.Scan(fixture);

        // Two different invalid values would both read as U+FFFD and compare equal: the value must stay unknown.
        var device = Assert.Single(inventory.Devices, d => d.Id.StartsWith("d069d019", StringComparison.Ordinal));
        Assert.DoesNotContain(device.Descriptor.Self, f => f.Key == "migration_version");
        Assert.DoesNotContain(inventory.Devices.SelectMany(d => d.Descriptor.Self), f => f.Value.Contains('\uFFFD', StringComparison.Ordinal));
        var warning = Assert.Single(inventory.Warnings, w => w.Path.EndsWith("/migration_version", StringComparison.Ordinal));
        Assert.Equal(SysfsWarningCodes.MalformedValue, warning.Code);
        Assert.Contains($"invalid UTF-8 at byte {badByte}", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_warning_of_the_hostile_tree_has_a_code_a_path_and_a_message()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.Hostile);

        var warnings = SysfsScanning.Scan(fixture).Warnings;

        Assert.NotEmpty(warnings);
        Assert.All(warnings, w => Assert.Matches("^MCS0[0-9]{2}$", w.Code));
        Assert.All(warnings, w => Assert.StartsWith(fixture.Root, w.Path, StringComparison.Ordinal));
        Assert.All(warnings, w => Assert.False(string.IsNullOrWhiteSpace(w.Message)));
    }

    private static bool CanOpen(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
