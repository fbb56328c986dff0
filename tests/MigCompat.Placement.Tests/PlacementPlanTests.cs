using CsCheck;
using MigCompat.Core.Matching;
using MigCompat.Fleet.Publishing;

namespace MigCompat.Placement.Tests;

public sealed class PlacementPlanTests
{
    private static readonly Evidence Declared = new(EvidenceKind.Declaration, "test");

    [Theory]
    [InlineData("gpu-07", "0000:84:00.0", "gpu-07_pci_0000_84_00_0")]
    [InlineData("compute-1.example.org", "0000:3B:00.4", "compute-1.example.org_pci_0000_3b_00_4")]
    [InlineData("gpu-07", "0.0.0026", null)]
    [InlineData("gpu-07", "matrix", null)]
    [InlineData("gpu-07", null, null)]
    public void The_pgpu_provider_is_named_as_nova_names_it_and_only_for_a_pci_parent(string host, string? parent, string? expected)
    {
        Assert.Equal(expected, PlacementNames.GpuProvider(host, parent));
    }

    [Fact]
    public void Every_class_id_makes_a_valid_custom_trait_of_at_most_255_characters()
    {
        Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-_ ./:"], 0, 300].Sample(text =>
        {
            var descriptor = MigCompat.Core.Syntax.DescriptorParser.FromFields([new("device_api", "vfio-pci"), new("mdev_type", text.Length == 0 ? "x" : text)], [], []).Descriptor;
            if (descriptor is null)
            {
                return;
            }

            var trait = PlacementNames.Trait(SourceClassId.For(descriptor));
            Assert.True(PlacementNames.IsCustomTrait(trait), trait);
            Assert.StartsWith(PlacementNames.TraitPrefix, trait, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void The_plan_unites_the_live_classes_of_every_type_on_a_pgpu_keeps_pgpus_that_accept_nothing_and_leaves_out_what_nova_has_no_pgpu_for()
    {
        var report = new SourceClassReport(
            [new SourceClass("nvidia-63-aaaaaaaaaa", "", 1, 1), new SourceClass("nvidia-64-bbbbbbbbbb", "", 1, 1)],
            [
                new HostAcceptance("gpu-02", Drained: true, [], [
                    Resource("type:0000:84:00.0/nvidia-63", AcceptingResourceKind.CreatableType, "nvidia-63", "0000:84:00.0", "nvidia-63", "nvidia-63-aaaaaaaaaa"),
                    Resource("type:0000:84:00.0/nvidia-64", AcceptingResourceKind.CreatableType, "nvidia-64", "0000:84:00.0", "nvidia-64", "nvidia-64-bbbbbbbbbb"),
                    Resource("type:0000:85:00.0/nvidia-63", AcceptingResourceKind.CreatableType, "nvidia-63", "0000:85:00.0", "nvidia-63"),
                    Resource("device:0000:3b:00.2", AcceptingResourceKind.Device, "0000:3b:00.2", "0000:3b:00.0", null, "nvidia-63-aaaaaaaaaa"),
                    Resource("type:0.0.0026/vfio_ccw-io", AcceptingResourceKind.CreatableType, "vfio_ccw-io", "0.0.0026", "vfio_ccw-io", "nvidia-63-aaaaaaaaaa"),
                ]),
            ]);

        var plan = PlacementPlan.From(report);

        Assert.Equal(
            [
                new PlannedProvider("gpu-02", "0000:84:00.0", "gpu-02_pci_0000_84_00_0", ["CUSTOM_MIGCOMPAT_LIVE_NVIDIA_63_AAAAAAAAAA", "CUSTOM_MIGCOMPAT_LIVE_NVIDIA_64_BBBBBBBBBB"]),
                new PlannedProvider("gpu-02", "0000:85:00.0", "gpu-02_pci_0000_85_00_0", []),
            ],
            plan.Providers);
    }

    private static ResourceAcceptance Resource(string key, AcceptingResourceKind kind, string id, string parent, string? type, params string[] live) =>
        new(key, kind, id, parent, type, 0, [.. live.Select(c => new ClassAcceptance(c, Declared))]);
}
