using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Sysfs;

namespace MigCompat.Discovery.Tests.Sysfs;

public class RealSysfsTests
{
    [Fact]
    public void Scanning_this_machines_real_sys_finishes_and_every_warning_has_a_code_and_a_path()
    {
        Assert.SkipUnless(Directory.Exists("/sys/bus"), "this machine has no /sys");

        var inventory = SysfsScanner.Scan(new SysfsScanOptions { ProfilesDirectory = null, HostName = "this-host", ReadTimeout = TimeSpan.FromSeconds(2) });

        Assert.Equal("this-host", inventory.Host);
        Assert.All(inventory.Warnings, w => Assert.Matches("^MCS0[0-9]{2}$", w.Code));
        // Sysfs warnings name a /sys path; the in-use lookup's (MCS013, e.g. when not root) may name /proc or /dev/vfio too.
        Assert.All(inventory.Warnings, w => Assert.Matches(w.Code == SysfsWarningCodes.InUseUnknown ? "^/(sys|proc|dev/vfio)(/|$)" : "^/sys", w.Path));
        Assert.All(inventory.Devices, d => Assert.NotNull(d.Descriptor.OriginDetail));
        // The inventory must round-trip through its JSON form.
        var read = InventoryJson.Read(InventoryJson.Serialize(inventory));
        Assert.Equal(inventory.Devices.Length, Assert.IsType<HostInventory>(read.Inventory).Devices.Length);
    }
}
