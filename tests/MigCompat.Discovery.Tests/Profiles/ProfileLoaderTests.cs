using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Profiles;

namespace MigCompat.Discovery.Tests.Profiles;

public class ProfileLoaderTests
{
    private const string Good = """
        # a comment
        [match]
        driver = nvidia, nvidia-vgpu   # alternatives
        driver_version = >=535.0, <536
        type_name = GRID P4-*

        [descriptor]
        SELF:
          mdev_type=grid-p4
          software_version=1.0.0
        COMPATIBLE:
          mdev_type={t:string:"grid-p4","nvidia-63"}
        """;

    [Fact]
    public void A_well_formed_profile_loads_with_its_criteria_and_descriptor()
    {
        var result = ProfileLoader.Parse(Good, "/p/good.profile");

        Assert.Empty(result.Warnings);
        var profile = Assert.Single(result.Profiles);
        Assert.Equal(["nvidia", "nvidia-vgpu"], profile.Criteria.Drivers);
        Assert.Equal(2, profile.Criteria.DriverVersion.Length);
        Assert.Equal(["GRID P4-*"], profile.Criteria.TypeNames);
        Assert.Equal("1.0.0", profile.Descriptor.SelfText("software_version"));
        Assert.Single(profile.Descriptor.Compatible);
    }

    public static TheoryData<string, string, string> BadProfiles => new()
    {
        // text, expected FILE:LINE:COLUMN suffix, a fragment of the message
        { "[match]\ndriver = i915\nflavour = x\n[descriptor]\nmdev_type=a\n", ":3:1", "unknown criterion \"flavour\"" },
        { "[match]\ndriver = i915\n[descriptor]\nmdev_type=a{\n", ":4:", "MC1" },
        { "[match]\n  driver_version = >=abc\n[descriptor]\nmdev_type=a\n", ":2:20", "is not a version bound" },
        { "[match]\nkind = gpu\n[descriptor]\nmdev_type=a\n", ":2:8", "kind \"gpu\"" },
        { "[match]\ndriver = a\ndriver = b\n[descriptor]\nmdev_type=a\n", ":3:1", "given twice" },
        { "[match]\ndriver\n[descriptor]\nmdev_type=a\n", ":2:1", "expected \"key = value\"" },
        { "[match]\ndriver =\n[descriptor]\nmdev_type=a\n", ":2:9", "has no value" },
        { "[match]\n[descriptor]\nmdev_type=a\n", ":1:1", "no criteria" },
        { "driver = i915\n[match]\ndriver = i915\n[descriptor]\nmdev_type=a\n", ":1:1", "outside a section" },
        { "[match]\ndriver = i915\n", ":3:1", "no [descriptor] section" },
        { "[descriptor]\nmdev_type=a\n", ":1:1", "[descriptor] before [match]" },
    };

    [Theory]
    [MemberData(nameof(BadProfiles))]
    public void A_bad_profile_is_not_used_and_the_warning_points_at_the_line_and_column(string text, string location, string fragment)
    {
        var result = ProfileLoader.Parse(text, "/p/bad.profile");

        Assert.Empty(result.Profiles);
        Assert.Contains(result.Warnings, w => w.Code == SysfsWarningCodes.ProfileInvalid
            && w.Path.StartsWith("/p/bad.profile" + location, StringComparison.Ordinal)
            && w.Message.Contains(fragment, StringComparison.Ordinal));
    }

    [Fact]
    public void Descriptor_diagnostics_count_lines_from_the_top_of_the_profile_file()
    {
        var text = "# header\n[match]\ndriver = i915\n\n[descriptor]\nSELF:\n  mdev_type=a\nCOMPATIBLE:\n  mdev_type={t:int:1,2\n";

        var result = ProfileLoader.Parse(text, "/p/lines.profile");

        Assert.Empty(result.Profiles);
        Assert.Contains(result.Warnings, w => w.Path.StartsWith("/p/lines.profile:9:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_directory_with_one_bad_file_still_loads_the_others_in_file_name_order_and_ignores_other_files()
    {
        using var directory = new TempDirectory();
        directory.Write("20-second.profile", "[match]\ndriver = b\n[descriptor]\nmdev_type=b\n");
        directory.Write("10-first.profile", "[match]\ndriver = a\n[descriptor]\nmdev_type=a\n");
        directory.Write("15-broken.profile", "[match]\nnonsense = 1\n[descriptor]\nmdev_type=a\n");
        directory.Write("README.md", "not a profile");

        var result = ProfileLoader.LoadDirectory(directory.Path);

        Assert.Equal(["10-first.profile", "20-second.profile"], result.Profiles.Select(p => System.IO.Path.GetFileName(p.FilePath)));
        var warning = Assert.Single(result.Warnings);
        Assert.Contains("15-broken.profile:2:1", warning.Path, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF }, 43)]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, 43)]
    [InlineData(new byte[] { 0xC0, 0xAF }, 43)]
    public void A_profile_that_is_not_utf8_is_not_used_and_never_read_as_a_replacement_character(byte[] bad, int offset)
    {
        using var directory = new TempDirectory();
        File.WriteAllBytes(System.IO.Path.Combine(directory.Path, "10-bad.profile"), [.. "[match]\ndriver = a\n[descriptor]\nmdev_type=a"u8, .. bad, .. "\n"u8]);
        directory.Write("20-good.profile", "[match]\ndriver = b\n[descriptor]\nmdev_type=b\n");

        var result = ProfileLoader.LoadDirectory(directory.Path);

        Assert.Equal(["20-good.profile"], result.Profiles.Select(p => System.IO.Path.GetFileName(p.FilePath)));
        var warning = Assert.Single(result.Warnings);
        Assert.EndsWith("10-bad.profile", warning.Path, StringComparison.Ordinal);
        Assert.Contains($"invalid UTF-8 at byte {offset} (0x{bad[0]:X2})", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\uFFFD", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/nonexistent/profiles.d")]
    [InlineData(null)]
    public void A_missing_profiles_directory_means_no_profiles_and_no_warning(string? directory)
    {
        var result = ProfileLoader.LoadDirectory(directory);

        Assert.Empty(result.Profiles);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void A_profile_self_field_replaces_the_derived_one_and_drops_driver_facts()
    {
        var profile = Assert.Single(ProfileLoader.Parse(Good, "/p/good.profile").Profiles);
        var derived = DerivedDescriptors.ForMdev("vfio-pci", "nvidia-63", "nvidia", "535.161.07");

        var applied = ProfileDescriptors.Apply(profile, derived);

        Assert.Equal(
            [KeyValuePair.Create("device_api", "vfio-pci"), KeyValuePair.Create("mdev_type", "grid-p4"), KeyValuePair.Create("software_version", "1.0.0"), KeyValuePair.Create("migration.evidence", "profile /p/good.profile")],
            applied.Self);
        Assert.Equal((DescriptorOrigin.Profile, "/p/good.profile"), (applied.Origin, applied.OriginDetail));
        Assert.Single(applied.Compatible);
    }

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "migcompat-profiles-" + Guid.NewGuid().ToString("N"));

        public TempDirectory() => Directory.CreateDirectory(Path);

        public void Write(string name, string text) => File.WriteAllText(System.IO.Path.Combine(Path, name), text);

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
