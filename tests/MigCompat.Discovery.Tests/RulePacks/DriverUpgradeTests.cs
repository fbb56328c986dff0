using System.Collections.Immutable;
using MigCompat.Core.Matching;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.RulePacks;

namespace MigCompat.Discovery.Tests.RulePacks;

public sealed class DriverUpgradeTests
{
    private static readonly ImmutableArray<RulePack> Packs = RulePackLoader.LoadShipped().Packs;
    private static readonly PciIds A10 = new("10de", "2236", "10de", "12a2", "030200");
    private static readonly PciIds ConnectX = new("15b3", "101e", "15b3", "0016", "020000");

    private static string? Self(DescriptorFields fields, string name) => fields.Self.FirstOrDefault(f => f.Key == name).Value;

    private static CreatableType NvidiaType(string version) => new(
        "0000:3b:00.0", "nvidia-588", "NVIDIA A10-2Q", null, "vfio-pci", 12, 0, "nvidia", version,
        new DescriptorFields([new("device_api", "vfio-pci"), new("mdev_type", "nvidia-588"), new("gpu", "10de:2236"), new("ecc", "off"), new("vgpu_range", "7.1-20.1")], [], [], DescriptorOrigin.Profile, "test"));

    [Theory]
    [InlineData("580.82.07", "18.1-26.1")]
    [InlineData("550.144.02", "7.1-20.1")]
    [InlineData("535.247.01", "7.1-18.1")]
    public void An_NVIDIA_type_under_a_new_host_driver_gets_the_packs_range_for_that_branch_and_keeps_its_GPU_and_ECC_mode(string version, string range)
    {
        var fields = DriverUpgrade.Rederive(NvidiaType("550.127.05"), A10, version, Packs)!;

        Assert.Equal(range, Self(fields, "vgpu_range"));
        Assert.Equal(range, Self(fields, "vgpu_version"));
        Assert.Equal(version, Self(fields, "driver_build"));
        Assert.Equal("10de:2236", Self(fields, "gpu"));
        Assert.Equal("off", Self(fields, "ecc"));
        Assert.StartsWith("rule-pack nvidia-vgpu", Self(fields, "migration.evidence"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_type_without_its_parents_PCI_ids_takes_the_gpu_from_its_descriptor()
    {
        var fields = DriverUpgrade.Rederive(NvidiaType("550.127.05"), null, "580.82.07", Packs)!;

        Assert.Equal("10de:2236", Self(fields, "gpu"));
    }

    [Fact]
    public void A_ConnectX_VF_under_a_new_kernel_is_vouched_for_by_the_mlx5_pack_and_only_an_identical_build_takes_it_live()
    {
        InventoryDevice Vf(string build) => new("0000:17:00.1", DeviceKind.SriovVf, "vfio-pci", null, "0000:17:00.0", "mlx5_vfio_pci", build, ConnectX, 60, 0, false,
            DerivedDescriptors.ForPciDevice("vfio-pci", ConnectX, "mlx5_vfio_pci", build));
        var upgraded = DriverUpgrade.Rederive(Vf("6.8.0-45-generic"), "6.12.0-1-amd64", Packs)!;
        var same = DriverUpgrade.Rederive(Vf("5.15.0-119-generic"), "6.12.0-1-amd64", Packs)!;
        var old = DescriptorSources.ApplyTo(new HostInventory(1, "h", DateTimeOffset.UnixEpoch, [Vf("6.8.0-45-generic")], [], []), [], Packs).Devices[0].Descriptor;

        Assert.Equal("6.12.0-1-amd64", Self(upgraded, "driver_build"));
        Assert.Equal(CompatibilityLevel.Live, Matcher.Check(upgraded.Parse(null).Descriptor!, same.Parse(null).Descriptor!).Level);
        Assert.NotEqual(CompatibilityLevel.Live, Matcher.Check(old.Parse(null).Descriptor!, upgraded.Parse(null).Descriptor!).Level);
    }

    [Theory]
    [InlineData("vfio-pci", DescriptorOrigin.Derived)]
    [InlineData("frobnicator", DescriptorOrigin.Derived)]
    [InlineData("mlx5_vfio_pci", DescriptorOrigin.Driver)]
    public void Nothing_is_derived_for_a_driver_no_pack_vouches_for_or_one_that_declares_its_own_attributes(string driver, DescriptorOrigin origin)
    {
        var device = new InventoryDevice("0000:31:00.1", DeviceKind.SriovVf, "vfio-pci", null, null, driver, "6.8.0", ConnectX, null, null, false,
            DerivedDescriptors.ForPciDevice("vfio-pci", ConnectX, driver, "6.8.0") with { Origin = origin });

        Assert.Null(DriverUpgrade.Rederive(device, "6.12.0", Packs));
    }

    [Fact]
    public void A_live_move_keeps_the_negotiated_vGPU_version_and_takes_everything_else_from_the_target()
    {
        var running = new DescriptorFields([new("mdev_type", "nvidia-588"), new("vgpu_version", "18.1")], [], [], DescriptorOrigin.Profile, "test");
        var target = DriverUpgrade.Rederive(NvidiaType("550.127.05"), A10, "580.82.07", Packs)!;

        var moved = DriverUpgrade.AfterLiveMove(running, target);

        Assert.Equal("18.1", Self(moved, "vgpu_version"));
        Assert.Equal("18.1-26.1", Self(moved, "vgpu_range"));
        Assert.Same(target, DriverUpgrade.AfterLiveMove(target with { }, target));
    }
}
