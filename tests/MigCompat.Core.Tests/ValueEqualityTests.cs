using MigCompat.Core.Matching;
using static MigCompat.Core.Tests.Descriptors;

namespace MigCompat.Core.Tests;

public class ValueEqualityTests
{
    [Theory]
    [InlineData("device_api=vfio-pci\nsoftware_version=1.0", "device_api=vfio-pci\nsoftware_version=1.2")]
    [InlineData("device_api=vfio-pci\nsoftware_version=1.3\nx=a", "device_api=vfio-pci\nsoftware_version=1.2\nx=b")]
    [InlineData("device_api=vfio-pci\nmdev_type=i915-GVTg_V5_4\naggregator=1", "device_api=vfio-pci\nmdev_type=i915-GVTg_V5_2\nCOMPATIBLE:\nmdev_type=i915-GVTg_V5_{n:int:4}\naggregator={n}/4")]
    public void Two_verdicts_of_the_same_pair_are_equal_because_their_arrays_compare_by_value(string source, string target)
    {
        var first = Check(source, target);
        var second = Check(source, target);
        Assert.NotSame(first, second);
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.NotEqual(first, first with { Reasons = [.. first.Reasons, new Reason("X", "f", null, null, "m", null)] });
    }
}
