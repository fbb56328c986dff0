using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Profiles;
using MigCompat.Discovery.Sysfs;
using MigCompat.Discovery.Tests.Sysfs;

namespace MigCompat.Discovery.Tests.Profiles;

public class ProfileScanTests
{
    private static readonly string ExamplesDirectory = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../examples/profiles.d"));

    [Fact]
    public void The_shipped_example_profiles_load_without_warnings()
    {
        var result = ProfileLoader.LoadDirectory(ExamplesDirectory);

        Assert.Empty(result.Warnings);
        Assert.Equal(3, result.Profiles.Length);
        Assert.All(result.Profiles, p => Assert.Contains("EXAMPLE ONLY", File.ReadAllText(p.FilePath), StringComparison.Ordinal));
    }

    public static TheoryData<string, string, string> ExampleMatches => new()
    {
        // fixture, device or type id, the example profile that must describe it
        { SysfsFixtures.Gvtg, "d069d019-36ea-4111-8f0a-8c9a70e21366", "example-intel-gvtg.profile" },
        { SysfsFixtures.Gvtg, "i915-GVTg_V5_8", "example-intel-gvtg.profile" },
        { SysfsFixtures.NvidiaMdev, "b1d2c3e4-0000-4000-8000-000000000063", "example-nvidia-grid-p4-1q-r535.profile" },
        { SysfsFixtures.NvidiaMdev, "nvidia-63", "example-nvidia-grid-p4-1q-r535.profile" },
    };

    [Theory]
    [MemberData(nameof(ExampleMatches))]
    public void The_example_profiles_describe_the_matching_fixture_devices(string fixtureName, string id, string profileFile)
    {
        using var fixture = SysfsFixtures.Build(fixtureName);

        var inventory = SysfsScanner.Scan(SysfsScanning.Options(fixture) with { ProfilesDirectory = ExamplesDirectory });

        var descriptor = inventory.Devices.FirstOrDefault(d => d.Id == id)?.Descriptor
            ?? Assert.Single(inventory.CreatableTypes, t => t.TypeId == id).Descriptor;
        Assert.Equal(DescriptorOrigin.Profile, descriptor.Origin);
        Assert.EndsWith(profileFile, descriptor.OriginDetail, StringComparison.Ordinal);
        Assert.Empty(inventory.Warnings);
    }

    [Fact]
    public void The_nvidia_example_gives_a_stable_mdev_type_while_the_device_keeps_its_real_type_id()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.NvidiaMdev);

        var inventory = SysfsScanner.Scan(SysfsScanning.Options(fixture) with { ProfilesDirectory = ExamplesDirectory });

        var device = Assert.Single(inventory.Devices);
        Assert.Equal("nvidia-63", device.MdevType);
        Assert.Contains(KeyValuePair.Create("mdev_type", "nvidia-grid-p4-1q"), device.Descriptor.Self);
        // nvidia-64 (GRID P4-2Q) matches no example: derived.
        Assert.Equal(DescriptorOrigin.Derived, Assert.Single(inventory.CreatableTypes, t => t.TypeId == "nvidia-64").Descriptor.Origin);
    }

    [Fact]
    public void Driver_exposed_attributes_win_over_a_matching_profile_which_wins_over_derived()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.Gvtg);
        fixture.File(SysfsFixtures.IgdPath + "/d069d019-36ea-4111-8f0a-8c9a70e21366/migration_version", "gvt-1\n")
            .Profile("10-v5-8.profile", "[match]\ntype = i915-GVTg_V5_8\n[descriptor]\nsoftware_version=1.0.0\n");

        var inventory = SysfsScanning.Scan(fixture);

        Assert.Equal(
            [(DescriptorOrigin.Profile, "i915-GVTg_V5_8"), (DescriptorOrigin.Profile, "i915-GVTg_V5_8"), (DescriptorOrigin.Driver, "i915-GVTg_V5_4")],
            inventory.Devices.Select(d => (d.Descriptor.Origin, d.MdevType!)));
        Assert.Equal(DescriptorOrigin.Derived, Assert.Single(inventory.CreatableTypes, t => t.TypeId == "i915-GVTg_V5_1").Descriptor.Origin);
    }

    [Fact]
    public void When_two_profiles_match_the_first_by_file_name_is_used_and_the_overlap_is_reported_once()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.Gvtg);
        fixture.Profile("20-b.profile", "[match]\ndriver = i915\n[descriptor]\nsoftware_version=2.0.0\n")
            .Profile("10-a.profile", "[match]\ntype = i915-*\n[descriptor]\nsoftware_version=1.0.0\n");

        var inventory = SysfsScanning.Scan(fixture);

        Assert.All(inventory.Devices, d => Assert.EndsWith("10-a.profile", d.Descriptor.OriginDetail, StringComparison.Ordinal));
        var warning = Assert.Single(inventory.Warnings);
        Assert.Equal((SysfsWarningCodes.ProfileAmbiguous, Path.Combine(fixture.ProfilesDirectory, "20-b.profile")), (warning.Code, warning.Path));
    }

    [Fact]
    public void A_bad_profile_in_the_scanned_directory_becomes_an_inventory_warning_and_the_scan_goes_on()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.Gvtg);
        fixture.Profile("10-bad.profile", "[match]\ndriver = i915\n[descriptor]\nmdev_type={x\n");

        var inventory = SysfsScanning.Scan(fixture);

        Assert.Equal(3, inventory.Devices.Length);
        Assert.All(inventory.Devices, d => Assert.Equal(DescriptorOrigin.Derived, d.Descriptor.Origin));
        Assert.Contains(inventory.Warnings, w => w.Code == SysfsWarningCodes.ProfileInvalid && w.Path.EndsWith("10-bad.profile:4:11", StringComparison.Ordinal));
    }
}
