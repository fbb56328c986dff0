using MigCompat.Core.Model;
using MigCompat.Core.Versioning;

namespace MigCompat.Core.Tests;

public class VersionTests
{
    [Theory]
    [InlineData("1.2.3", 1, 2, 3, 3, "")]
    [InlineData("3", 3, 0, 0, 1, "")]
    [InlineData("550.127.08", 550, 127, 8, 3, "")]
    [InlineData("6.19.14.31400000", 6, 19, 14, 4, "")]
    [InlineData("v2.1", 2, 1, 0, 2, "")]
    [InlineData("V2.1", 2, 1, 0, 2, "")]
    [InlineData("1.2.0-rc1", 1, 2, 0, 3, "rc1")]
    [InlineData("17.0+deb12", 17, 0, 0, 2, "deb12")]
    [InlineData("2.0~beta.1", 2, 0, 0, 2, "beta.1")]
    [InlineData("  4.5  ", 4, 5, 0, 2, "")]
    [InlineData("1.2.3.4.5.6.7.8", 1, 2, 3, 8, "")]
    public void Lenient_version_forms_are_read(string text, long major, long minor, long bugfix, int components, string suffix)
    {
        var version = DeviceVersion.Parse(text);
        Assert.Equal((major, minor, bugfix, components, suffix, text.Trim()), (version.Major, version.Minor, version.Bugfix, version.ComponentCount, version.Suffix, version.Raw));
    }

    [Theory]
    [InlineData("", "a version cannot be empty")]
    [InlineData("   ", "a version cannot be empty")]
    [InlineData("abc", "a version starts with a number (major[.minor[.bugfix]], e.g. 1.2.0)")]
    [InlineData("v", "a version starts with a number (major[.minor[.bugfix]], e.g. 1.2.0)")]
    [InlineData("1.", "expected a number after '.' in the version")]
    [InlineData("1..2", "expected a number after '.' in the version")]
    [InlineData("1.2 3", "unexpected ' ' in the version; write major.minor.bugfix with an optional -suffix")]
    [InlineData("1.2-", "unexpected '-' in the version; write major.minor.bugfix with an optional -suffix")]
    [InlineData("1.2-a b", "unexpected ' ' in the version suffix")]
    [InlineData("1.2.3.4.5.6.7.8.9", "a version has at most 8 components")]
    [InlineData("1234567890123456789", "a version component has more than 18 digits")]
    [InlineData("-1.0", "a version starts with a number (major[.minor[.bugfix]], e.g. 1.2.0)")]
    public void Non_versions_are_rejected_with_the_reason(string text, string error)
    {
        Assert.False(DeviceVersion.TryParse(text, out _, out var actual));
        Assert.Equal(error, actual);
        Assert.Equal(error, Assert.Throws<FormatException>(() => DeviceVersion.Parse(text)).Message);
    }

    [Fact]
    public void A_version_longer_than_256_characters_is_rejected()
    {
        Assert.False(DeviceVersion.TryParse("1." + new string('1', 300), out _, out var error));
        Assert.Equal("a version is at most 256 characters long", error);
    }

    [Theory]
    [InlineData("1.2.0", "1.2.0", true)]
    [InlineData("1.2.0", "1.2.9", true)]
    [InlineData("1.2.9", "1.2.0", true)]
    [InlineData("1.2.0", "1.3.0", true)]
    [InlineData("1.3.0", "1.2.0", false)]
    [InlineData("1.2.0", "2.2.0", false)]
    [InlineData("2.2.0", "1.9.0", false)]
    [InlineData("550.127.08", "550.144.03", true)]
    [InlineData("550.144.03", "550.127.08", false)]
    [InlineData("v2.1", "2.1.5-rc1", false)]
    [InlineData("2.1.5-rc1", "2.1.5-rc1", true)]
    [InlineData("1.2.0", "1.2.0-rc1", false)]
    [InlineData("1.2.0-rc1", "1.2.0", true)]
    [InlineData("1.2.0", "1.3.0~beta", false)]
    [InlineData("1.2.0", "1.2.0+deb12", true)]
    [InlineData("3", "3.0.1", true)]
    [InlineData("6.19.14.31400000", "6.19.0.1", true)]
    public void The_target_accepts_a_source_of_the_same_major_and_a_minor_no_higher_than_its_own(string source, string target, bool accepts) =>
        Assert.Equal(accepts, DeviceVersion.Parse(target).Accepts(DeviceVersion.Parse(source)));

    [Theory]
    [InlineData("version", true)]
    [InlineData("software_version", true)]
    [InlineData("interface_version", true)]
    [InlineData("versions", false)]
    [InlineData("version_major", false)]
    public void Version_fields_are_named_version_or_end_in_underscore_version(string name, bool isVersion) =>
        Assert.Equal(isVersion, DeviceVersion.IsVersionFieldName(name));

    [Theory]
    [InlineData("software_version", "1.2.3", ValueKind.Version)]
    [InlineData("software_version", "banana", ValueKind.String)]
    [InlineData("aggregator", "1.2.3", ValueKind.String)]
    [InlineData("aggregator", "2", ValueKind.Integer)]
    [InlineData("interface_version", "3", ValueKind.Version)]
    [InlineData("pv_mode", "none+ppgtt", ValueKind.FeatureSet)]
    [InlineData("pv_mode", "", ValueKind.Empty)]
    [InlineData("pv_mode", "a+", ValueKind.String)]
    [InlineData("pv_mode", "a b+c", ValueKind.String)]
    [InlineData("n", "-1", ValueKind.String)]
    [InlineData("n", "1234567890123456789", ValueKind.String)]
    public void Value_types_are_inferred_from_the_field_name_and_text(string field, string text, ValueKind kind) =>
        Assert.Equal(kind, FieldValue.Create(field, text).Kind);

    [Fact]
    public void Feature_sets_compare_as_sets()
    {
        Assert.Equal(FieldValue.Create("m", "none+ppgtt+context").Comparable, FieldValue.Create("m", "context+none+ppgtt").Comparable);
        Assert.NotEqual(FieldValue.Create("m", "none+ppgtt").Comparable, FieldValue.Create("m", "none+context").Comparable);
    }

    [Theory]
    [InlineData("context+none+ppgtt", "context+none+ppgtt")]
    [InlineData("none+ppgtt+context", "context+none+ppgtt")]
    [InlineData("b+a+b+a", "a+b")]
    [InlineData("a+a", "a")]
    [InlineData("B+a+_+.", ".+B+_+a")]
    public void The_comparable_form_of_a_feature_set_is_its_distinct_parts_in_ordinal_order(string text, string comparable)
    {
        var value = FieldValue.Create("m", text);
        Assert.Equal(comparable, value.Comparable);
        Assert.Equal(comparable, FieldValue.ComparableText(text));
        Assert.Equal(text.Split('+'), value.Features);
    }

    [Fact]
    public void A_feature_set_with_many_parts_sorts_the_same_way()
    {
        var parts = Enumerable.Range(0, 40).Select(i => "f" + ((i * 7) % 40).ToString("D2", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var expected = string.Join('+', parts.Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(expected, FieldValue.Create("m", string.Join('+', parts) + "+f00").Comparable);
    }

    [Fact]
    public void Versions_are_equal_when_their_raw_texts_are()
    {
        Assert.Equal(DeviceVersion.Parse("1.2"), DeviceVersion.Parse(" 1.2 "));
        Assert.NotEqual(DeviceVersion.Parse("1.2"), DeviceVersion.Parse("1.2.0"));
    }
}
