using CsCheck;
using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Search;

namespace MigCompat.Fleet.Tests.Search;

public class VmDirectoryPropertyTests
{
    private static readonly string[] Hosts = ["h0", "h1", "h2", "h3"];
    private static readonly string[] Names = ["web", "db", "cache"];
    private static readonly string[] Uuids = ["00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002", "00000000-0000-4000-8000-000000000003"];

    /// <summary>A host's guests: distinct names, each with a UUID or none (a UUID may repeat across hosts, never within one).</summary>
    private static readonly Gen<InventoryGuest[]> GuestsGen =
        Gen.Int[0, 7].Array[0, 3].Select(picks => picks
            .Select(p => p % Names.Length)
            .Distinct()
            .Select(n => new InventoryGuest(Names[n], n % 2 == 0 ? Uuids[n] : null, []))
            .ToArray());

    /// <summary>One step: set a host's guests (an upsert) or remove the host.</summary>
    private static readonly Gen<(int Host, bool Remove, InventoryGuest[] Guests)> StepGen =
        Gen.Select(Gen.Int[0, Hosts.Length - 1], Gen.Int[0, 4].Select(i => i == 0), GuestsGen);

    [Fact]
    public void Lookups_and_listings_after_any_upserts_and_removals_equal_a_scan_of_every_hosts_guests()
    {
        StepGen.Array[1, 12].Sample(steps =>
        {
            var directory = new VmDirectory();
            var model = new Dictionary<string, InventoryGuest[]>(StringComparer.Ordinal);
            foreach (var (host, remove, guests) in steps)
            {
                if (remove)
                {
                    directory.Remove(Hosts[host]);
                    model.Remove(Hosts[host]);
                }
                else
                {
                    directory.Set(Hosts[host], [.. guests]);
                    model[Hosts[host]] = guests;
                }
            }

            var all = model.Where(p => p.Value.Length > 0).OrderBy(p => p.Key, StringComparer.Ordinal)
                .SelectMany(p => p.Value.OrderBy(g => g.Name, StringComparer.Ordinal).Select(g => $"{p.Key}/{g.Name}"));
            Assert.Equal(all, directory.List(null).Select(v => $"{v.Host}/{v.Guest.Name}"));
            foreach (var key in Names.Concat(Uuids))
            {
                var byUuid = model.SelectMany(p => p.Value.Where(g => g.Uuid == key).Select(_ => p.Key)).ToList();
                var expected = (byUuid.Count > 0 ? byUuid : model.SelectMany(p => p.Value.Where(g => g.Name == key).Select(_ => p.Key))).Order(StringComparer.Ordinal);
                Assert.Equal(expected, directory.Find(key, null).Matches.Select(m => m.Host));
                Assert.Equal(expected.Where(h => h == "h1"), directory.Find(key, "h1").Matches.Select(m => m.Host));
                if (Uuids.Contains(key))
                {
                    Assert.Equal(expected, directory.Find(key.ToUpperInvariant(), null).Matches.Select(m => m.Host));
                }
            }
        });
    }
}
