using CsCheck;
using MigCompat.Core.Formatting;
using MigCompat.Core.Matching;
using MigCompat.Core.Model;
using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Publishing;
using MigCompat.Fleet.Search;
using static MigCompat.Fleet.Tests.Search.TestFleet;

namespace MigCompat.Fleet.Tests.Publishing;

public class SourceClassTests
{
    // Versions with a COMPATIBLE block (declaration evidence) so that some pairs are live, some cold, some none.
    private static readonly DescriptorFields[] Universe =
    [
        .. new[] { "nvidia-63", "nvidia-64" }.SelectMany(t => new[] { "17.0.0", "17.1.0", "18.0.0" }.SelectMany(v => new[]
        {
            Gpu(t, v),
            Gpu(t, v, compatible: [[new("device_api", "vfio-pci"), new("mdev_type", t), new("software_version", "{v:string:\"17.0.0\",\"17.1.0\"}")]]),
        })),
        Gpu("vfio_ccw-io", "1.0.0", api: "vfio-ccw"),
    ];

    private static readonly Descriptor[] Parsed = [.. Universe.Select(Parse)];

    private static readonly Gen<(int Descriptor, bool InUse, bool IsType, int Capacity)[][]> FleetGen =
        Gen.Select(Gen.Int[0, Universe.Length - 1], Gen.Bool, Gen.Bool, Gen.Int[0, 2]).Array[0, 4].Array[1, 5];

    [Fact]
    public void A_class_is_published_on_a_resource_exactly_when_the_matcher_says_live()
    {
        FleetGen.Sample(hosts =>
        {
            using var index = new FleetIndex();
            for (var h = 0; h < hosts.Length; h++)
            {
                index.Upsert(ToInventory(h, hosts[h]), drained: h == 0);
            }

            var report = index.SourceClasses();

            var sources = hosts.SelectMany(h => h.Where(r => !r.IsType)).Select(r => Parsed[r.Descriptor]).Distinct().ToList();
            Assert.Equal(sources.Select(SourceClassId.For).Order(StringComparer.Ordinal), report.Classes.Select(c => c.Id));
            Assert.Equal(hosts.Length, report.Hosts.Length);
            for (var h = 0; h < hosts.Length; h++)
            {
                var host = report.Hosts.Single(x => x.Host == $"h{h}");
                var targets = hosts[h].Select((r, j) => (r, j)).Where(p => p.r.IsType || !p.r.InUse).ToList();
                Assert.Equal(targets.Count, host.Resources.Length);
                foreach (var (resource, j) in targets)
                {
                    var published = host.Resources.Single(x => x.Id == $"r{j}");
                    var expected = sources.Where(s => Matcher.Check(s, Parsed[resource.Descriptor]).Level == CompatibilityLevel.Live).Select(SourceClassId.For).Order(StringComparer.Ordinal);
                    Assert.Equal(expected, published.Live.Select(l => l.ClassId));
                    Assert.All(published.Live, l => Assert.NotEqual(EvidenceKind.None, l.Evidence.Kind));
                }
            }
        });
    }

    [Fact]
    public void Drained_hosts_and_resources_without_free_capacity_keep_their_acceptance()
    {
        var live = Universe[1];
        using var index = Index(Source("src", Universe[2]));
        index.Upsert(Host("full", types: [Type("0000:84:00.0", live, available: 0)]), drained: true);

        var full = index.SourceClasses().Hosts.Single(h => h.Host == "full");

        Assert.True(full.Drained);
        var resource = Assert.Single(full.Resources);
        Assert.Equal(0, resource.Capacity);
        Assert.Equal(AcceptingResourceKind.CreatableType, resource.Kind);
        Assert.Equal("0000:84:00.0", resource.Parent);
        Assert.Equal([SourceClassId.For(Parse(Universe[2]))], resource.Live.Select(l => l.ClassId));
    }

    [Fact]
    public void A_source_host_lists_the_class_of_each_of_its_devices()
    {
        using var index = Index(Source("src", Universe[0], devices: 2));

        var report = index.SourceClasses();

        var source = Assert.Single(report.Classes);
        Assert.Equal(2, source.Devices);
        Assert.Equal(1, source.Hosts);
        Assert.Equal(DescriptorFormatter.Format(Parsed[0]), source.Descriptor);
        Assert.Equal(["vm-0", "vm-1"], report.Hosts.Single().Sources.Select(s => s.DeviceId));
        Assert.All(report.Hosts.Single().Sources, s => Assert.Equal(source.Id, s.ClassId));
    }

    [Fact]
    public void The_class_id_is_stable_readable_and_fits_a_label_name_and_a_trait()
    {
        Gen.Int[0, Universe.Length - 1].Sample(i =>
        {
            var id = SourceClassId.For(Parsed[i]);
            Assert.Equal(id, SourceClassId.For(Parse(Universe[i])));
            Assert.Matches("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", id);
            Assert.InRange(id.Length, 1, SourceClassId.MaxLength);
            Assert.StartsWith(Universe[i].Self.First(p => p.Key == "mdev_type").Value.Replace('_', '-') + "-", id, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData("nvidia-63", "17.0.0", "nvidia-63-")]
    [InlineData("A Very/Long::Type Name That Goes On And On And On Forever", "1.0.0", "a-very-long-type-name-that-goes-on-and-o-")]
    public void The_class_id_prefix_is_the_type_in_lower_case_with_dashes_cut_at_40(string type, string version, string prefix)
    {
        var id = SourceClassId.For(Parse(Gpu(type, version)));

        Assert.StartsWith(prefix, id, StringComparison.Ordinal);
        Assert.Equal(prefix.Length + SourceClassId.HashLength, id.Length);
    }

    [Fact]
    public void Different_descriptors_get_different_ids()
    {
        Assert.Equal(Parsed.Length, Parsed.Select(SourceClassId.For).Distinct().Count());
    }

    private static HostInventory ToInventory(int h, (int Descriptor, bool InUse, bool IsType, int Capacity)[] resources) =>
        Host(
            $"h{h}",
            resources.Select((r, j) => (r, j)).Where(p => !p.r.IsType).Select(p => Device($"r{p.j}", Universe[p.r.Descriptor], p.r.InUse)),
            resources.Select((r, j) => (r, j)).Where(p => p.r.IsType).Select(p => Type($"0000:{p.j:x2}:00.0", Universe[p.r.Descriptor], p.r.Capacity) with { TypeId = $"r{p.j}" }));
}
