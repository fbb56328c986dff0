using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Sysfs;

namespace MigCompat.Discovery.Tests.Sysfs;

/// <summary>
/// Devices that go away in the middle of a scan (hot-unplug, an mdev removed by another tool): the
/// scan finishes, says what it lost, and keeps everything else. The removal happens right after the
/// scanner lists a directory and before it reads anything in it (<c>AfterListing</c>), which is when
/// a real removal hurts most.
/// </summary>
public class VanishingDeviceTests
{
    private const string Type = SysfsFixtures.IgdPath + "/mdev_supported_types/i915-GVTg_V5_4";
    private const string Instance = SysfsFixtures.IgdPath + "/d069d019-36ea-4111-8f0a-8c9a70e21366";

    [Theory]
    [InlineData("description")]
    [InlineData("available_instances")]
    [InlineData("name")]
    public void An_attribute_removed_after_its_directory_was_listed_is_reported_as_vanished(string attribute)
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.Gvtg);
        if (!File.Exists(fixture.Full(Type + "/" + attribute)))
        {
            fixture.File(Type + "/" + attribute, "GVTg_V5_4\n");
        }

        var inventory = Scan(fixture, Type, () => File.Delete(fixture.Full(Type + "/" + attribute)));

        var warning = Assert.Single(inventory.Warnings, w => w.Code == SysfsWarningCodes.Vanished);
        Assert.EndsWith("/i915-GVTg_V5_4/" + attribute, warning.Path, StringComparison.Ordinal);
        Assert.Contains("removed during the scan", warning.Message, StringComparison.Ordinal);
        Assert.Contains(inventory.CreatableTypes, t => t.TypeId == "i915-GVTg_V5_4");
        Assert.Equal(3, inventory.Devices.Length);
    }

    [Fact]
    public void An_mdev_removed_after_it_was_listed_is_left_out_with_a_warning_and_the_others_are_kept()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.Gvtg);

        var inventory = Scan(fixture, Instance, () => Directory.Delete(fixture.Full(Instance), recursive: true));

        Assert.DoesNotContain(inventory.Devices, d => d.Id == "d069d019-36ea-4111-8f0a-8c9a70e21366");
        Assert.Equal(2, inventory.Devices.Length);
        Assert.Equal(4, inventory.CreatableTypes.Length);
        Assert.Contains(inventory.Warnings, w => w.Path.Contains("d069d019-36ea-4111-8f0a-8c9a70e21366", StringComparison.Ordinal));
    }

    [Fact]
    public void A_parent_removed_after_it_was_listed_loses_its_types_and_mdevs_with_warnings_and_the_scan_finishes()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.Gvtg);

        var inventory = Scan(fixture, SysfsFixtures.IgdPath, () => Directory.Delete(fixture.Full(SysfsFixtures.IgdPath), recursive: true));

        Assert.Empty(inventory.Devices);
        Assert.Empty(inventory.CreatableTypes);
        Assert.NotEmpty(inventory.Warnings);
        Assert.All(inventory.Warnings, w => Assert.StartsWith("MCS", w.Code, StringComparison.Ordinal));
    }

    private static Inventory.HostInventory Scan(SysfsFixture fixture, string removeAfterListing, Action remove)
    {
        var removed = false;
        var options = SysfsScanning.Options(fixture) with
        {
            AfterListing = path =>
            {
                if (!removed && path == removeAfterListing)
                {
                    removed = true;
                    remove();
                }
            },
        };

        var inventory = SysfsScanner.Scan(options);

        Assert.True(removed, $"{removeAfterListing} was never listed");
        return inventory;
    }
}
