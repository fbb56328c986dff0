using System.Collections.Immutable;
using System.Globalization;
using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Storage;
using MigCompat.Fleet.Storage.Sqlite;

// Writes to a SQLite fleet store until killed: each round stores the host at the next generation
// and creates one claim, and prints a line only after the write has committed:
//   host <generation>
//   claim <claim id> <idempotency key>
// Usage: MigCompat.Fleet.CrashChild <database file>
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: MigCompat.Fleet.CrashChild <database file>");
    return 2;
}

const string Host = "crash-host";
const string Parent = "0000:00:02.0";
const string TypeId = "i915-GVTg_V5_4";
var resourceKey = $"type:{Parent}/{TypeId}";
var takenAt = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

await using var store = await SqliteFleetStore.OpenAsync(args[0]);
Console.WriteLine("ready");
long generation = 0;
for (var round = 1; ; round++)
{
    // The inventory says which generation it was written as (taken_at = base + generation seconds),
    // so the test can check that the stored document and the stored generation belong together.
    var inventory = new HostInventory(
        HostInventory.CurrentSchemaVersion,
        Host,
        takenAt.AddSeconds(generation + 1),
        [],
        [new CreatableType(Parent, TypeId, null, null, "vfio-pci", 1_000_000, 0, "i915", null,
            new DescriptorFields([new("device_api", "vfio-pci"), new("mdev_type", TypeId)], [], [], DescriptorOrigin.Derived, null))],
        []);
    switch (await store.PutHostAsync(inventory, generation))
    {
        case HostStored stored:
            generation = stored.Generation;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"host {generation}"));
            break;
        case var other:
            Console.Error.WriteLine($"unexpected result of PutHost: {other}");
            return 1;
    }

    var key = string.Create(CultureInfo.InvariantCulture, $"key-{round}");
    switch (await store.CreateClaimAsync(new ClaimRequest(Host, [new ClaimItem(resourceKey, 1)], TimeSpan.FromDays(1), key)))
    {
        case ClaimCreated created:
            Console.WriteLine($"claim {created.Claim.Id} {key}");
            break;
        case var other:
            Console.Error.WriteLine($"unexpected result of CreateClaim: {other}");
            return 1;
    }
}
