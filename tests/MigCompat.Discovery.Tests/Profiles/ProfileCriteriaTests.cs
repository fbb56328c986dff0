using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Profiles;

namespace MigCompat.Discovery.Tests.Profiles;

public class ProfileCriteriaTests
{
    [Theory]
    [InlineData("i915-GVTg_V5_*", "i915-GVTg_V5_4", true)]
    [InlineData("i915-GVTg_V5_*", "i915-GVTg_V4_4", false)]
    [InlineData("nvidia-6?", "nvidia-63", true)]
    [InlineData("nvidia-6?", "nvidia-630", false)]
    [InlineData("GRID P4-*Q", "GRID P4-1Q", true)]
    [InlineData("*", "", true)]
    [InlineData("a*b*c", "aXbYbZc", true)]
    [InlineData("a*b*c", "aXbYbZ", false)]
    [InlineData("GRID", "grid", false)]
    public void Globs_match_whole_names_with_star_and_question_mark(string pattern, string text, bool expected) =>
        Assert.Equal(expected, Glob.IsMatch(pattern, text));

    [Theory]
    [InlineData(">=550.54", "550.54.14", true)]
    [InlineData(">=550.54", "550.127.05", true)]
    [InlineData(">=550.54", "550.40.07", false)]
    [InlineData("<551", "550.127.05", true)]
    [InlineData("<551", "551.0", false)]
    [InlineData(">535", "535.0.0", false)]
    [InlineData("<=535.161", "535.161.07", false)]
    [InlineData("=535.161.07", "535.161.07", true)]
    [InlineData("535.161", "535.161.0", true)]
    [InlineData(">=1.0", "v1.2-rc1", true)]
    [InlineData(">=1.0", "unknown", false)]
    public void Driver_version_bounds_compare_every_numeric_component(string bound, string version, bool expected)
    {
        var constraint = VersionConstraint.TryParse(bound, out var error);

        Assert.Null(error);
        Assert.Equal(expected, constraint!.IsSatisfiedBy(version));
    }

    [Theory]
    [InlineData(">=")]
    [InlineData(">=abc")]
    [InlineData("1..2")]
    [InlineData("")]
    public void A_malformed_version_bound_is_refused_with_a_message(string bound)
    {
        Assert.Null(VersionConstraint.TryParse(bound, out var error));
        Assert.Contains("version bound", error, StringComparison.Ordinal);
    }

    private static readonly ProfileSubject P4Instance = new(
        DeviceKind.Mdev, "nvidia", "535.161.07", new PciIds("10de", "1bb3", "10de", "11d8", "030200"), "nvidia-63", "GRID P4-1Q", "vfio-pci");

    public static TheoryData<string, bool> Criteria => new()
    {
        { "driver = nvidia", true },
        { "driver = nvidia*, i915", true },
        { "driver = i915", false },
        { "driver_version = >=535, <536", true },
        { "driver_version = >=550", false },
        { "pci_id = 10de:1bb3", true },
        { "pci_id = 10DE:1BB3", true },
        { "pci_id = 10de:1eb8", false },
        { "subsystem_id = 10de:11d8", true },
        { "type = nvidia-6*", true },
        { "type = nvidia-222", false },
        { "type_name = GRID P4-1Q", true },
        { "type_name = GRID P4-2Q", false },
        { "device_api = vfio-pci", true },
        { "device_api = vfio-ccw", false },
        { "kind = mdev", true },
        { "kind = pci, vf", false },
    };

    [Theory]
    [MemberData(nameof(Criteria))]
    public void Each_criterion_is_checked_against_the_device(string criterion, bool expected)
    {
        var profile = Assert.Single(ProfileLoader.Parse($"[match]\n{criterion}\n[descriptor]\nmdev_type=x\n", "/p/t.profile").Profiles);

        Assert.Equal(expected, profile.Criteria.Matches(P4Instance));
    }

    [Fact]
    public void A_criterion_on_something_the_device_lacks_does_not_match()
    {
        var profile = Assert.Single(ProfileLoader.Parse("[match]\ntype = *\n[descriptor]\nmdev_type=x\n", "/p/t.profile").Profiles);
        var pciDevice = new ProfileSubject(DeviceKind.PciDevice, "vfio-pci", null, null, null, null, "vfio-pci");

        Assert.False(profile.Criteria.Matches(pciDevice));
    }
}
