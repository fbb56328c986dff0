using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Sysfs;

namespace MigCompat.Discovery.Tests.Sysfs;

/// <summary>Scans a fixture with a fixed clock and host name, and prints the inventory with stable paths.</summary>
public static class SysfsScanning
{
    public static readonly DateTimeOffset FixedTime = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    public static SysfsScanOptions Options(SysfsFixture fixture) => new()
    {
        SysfsRoot = fixture.Root,
        ProfilesDirectory = fixture.ProfilesDirectory,
        HostName = "host-a",
        TimeProvider = new FixedClock(FixedTime),
        ReadTimeout = TimeSpan.FromSeconds(5),

        // Not this machine's processes: tests that look up devices in use name a fake proc tree.
        ProcRoot = null,

        // Not this machine's NVML: NVML tests name a fake one (Nvidia/FakeNvml.cs).
        NvmlLibrary = null,

        // Not this machine's operator rule packs: only the shipped ones.
        RulesDirectory = null,
    };

    public static HostInventory Scan(SysfsFixture fixture) => SysfsScanner.Scan(Options(fixture));

    /// <summary>The inventory JSON with the temp paths replaced by <c>/sys</c>, <c>/etc/migcompat/profiles.d</c> and <c>/tmp/base</c>.</summary>
    public static string StableJson(HostInventory inventory, SysfsFixture fixture) =>
        InventoryJson.Serialize(inventory)
            .Replace(fixture.Root, "/sys", StringComparison.Ordinal)
            .Replace(fixture.ProfilesDirectory, "/etc/migcompat/profiles.d", StringComparison.Ordinal)
            .Replace(fixture.Base, "/tmp/base", StringComparison.Ordinal);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
