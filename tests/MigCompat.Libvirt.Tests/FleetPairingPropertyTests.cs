using System.Collections.Immutable;
using CsCheck;
using MigCompat.Discovery.Inventory;
using MigCompat.Libvirt.Tests.Support;

namespace MigCompat.Libvirt.Tests;

/// <summary>
/// The pairing of the hook's fleet mode, in process: mtty mdevs are live exactly when their stream versions are equal,
/// so a VM's devices can all move live exactly when the incoming devices' versions are the source's, as a multiset —
/// whatever order the XML lists them in. The fleet is read from in-memory inventories here (the HTTP side is
/// covered against a real server in <see cref="FleetDecisionTests"/>).
/// </summary>
public sealed class FleetPairingPropertyTests
{
    private const string Vm = "instance-0000002a";
    private const string Uuid = "6e0e2f1c-1111-4c5e-9a3b-0d1f2e3a4b5c";

    private static readonly Gen<string> Version = Gen.OneOfConst("1.0", "2.0", "3.0");

    [Fact]
    public void The_hook_passes_exactly_when_the_incoming_versions_are_a_permutation_of_the_source_versions()
    {
        Gen.Select(Version.Array[1, 4], Version.Array[1, 4], Gen.Int)
            .Where(t => t.Item1.Length == t.Item2.Length)
            .Sample((sources, targets, seed) =>
            {
                var sourceIds = sources.Select((_, i) => $"53764d0e-85a0-42b4-af5c-{i:d12}").ToArray();
                var targetIds = targets.Select((_, i) => $"aaaaaaaa-0000-4000-8000-{i:d12}").ToArray();
                var source = new HostInventory(1, "gpu-02", DateTimeOffset.UnixEpoch, [.. sources.Select((v, i) => Fixture.Device(sourceIds[i], true, v, true))], [], [])
                {
                    Guests = [new InventoryGuest(Vm, Uuid, [.. sourceIds])],
                };
                var here = new HostInventory(1, "gpu-07", DateTimeOffset.UnixEpoch, [.. targets.Select((v, i) => Fixture.Device(targetIds[i], true, v, false))], [], []);
                var order = new Random(seed);
                var xml = FleetDecisionTests.NovaXml(Vm, Uuid, [.. targetIds.OrderBy(_ => order.Next())]);

                var decision = IncomingMigration.Check(xml, () => new HookInventory(here, null), null, DateTimeOffset.UtcNow, fleet: new InMemoryFleet(source));

                var permutation = sources.Order().SequenceEqual(targets.Order());
                Assert.True(decision.Allowed == permutation, string.Join("\n", decision.Reasons));
                Assert.Null(decision.Xml);
                Assert.Equal(permutation, decision.Reasons.IsEmpty);
                Assert.All(decision.Reasons, r => Assert.Equal("VALUE_MISMATCH", r.Code));
            });
    }

    /// <summary>One stored source host, as the fleet server would answer for it.</summary>
    private sealed class InMemoryFleet(HostInventory source) : IFleetReader
    {
        public FleetVmLookup FindVm(string nameOrUuid) =>
            source.Guests.FirstOrDefault(g => g.Name == nameOrUuid || g.Uuid == nameOrUuid) is { } guest
                ? new FleetVmLookup(FleetLookupStatus.Found, new FleetVm(guest.Name, guest.Uuid, source.Host, guest.DeviceIds), null)
                : new FleetVmLookup(FleetLookupStatus.NotFound, null, "HTTP 404");

        public FleetHostLookup ReadHost(string name) =>
            name == source.Host ? new FleetHostLookup(source, null) : new FleetHostLookup(null, "HTTP 404");
    }
}
