using MigCompat.Core.Matching;
using MigCompat.Discovery.Sysfs;

namespace MigCompat.Discovery.Tests.Sysfs;

public class VfioDebugfsTests
{
    private const string Mdev = "b1d2c3e4-0000-4000-8000-000000000063";

    [Theory]
    [InlineData(true, "yes")]
    [InlineData(false, "no")]
    public void The_kernels_debugfs_says_whether_a_vfio_device_can_migrate(bool hasMigrationDirectory, string capable)
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.NvidiaMdev);
        fixture.Dir($"kernel/debug/vfio/{Mdev}");
        if (hasMigrationDirectory)
        {
            fixture.File($"kernel/debug/vfio/{Mdev}/migration/state", "RUNNING\n");
        }

        var inventory = SysfsScanning.Scan(fixture);

        var device = inventory.Devices.Single(d => d.Id == Mdev);
        Assert.Equal(capable, device.Descriptor.Self.Single(f => f.Key == MigrationSupport.CapableField).Value);
        Assert.Empty(inventory.Warnings);
    }

    [Fact]
    public void Without_debugfs_nothing_is_concluded_and_nothing_is_warned()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.Gvtg);
        var inventory = SysfsScanning.Scan(fixture);
        Assert.All(inventory.Devices, d => Assert.DoesNotContain(d.Descriptor.Self, f => f.Key == MigrationSupport.CapableField && f.Value == "yes"));
    }

    [Fact]
    public void A_device_debugfs_does_not_list_keeps_what_its_rule_pack_says()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.NvidiaMdev);
        fixture.Dir("kernel/debug/vfio/0000:99:00.0/migration");
        var inventory = SysfsScanning.Scan(fixture);
        Assert.Equal("yes", inventory.Devices.Single(d => d.Id == Mdev).Descriptor.Self.Single(f => f.Key == MigrationSupport.CapableField).Value);
    }
}
