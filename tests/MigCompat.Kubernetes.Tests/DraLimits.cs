using k8s.Models;

namespace MigCompat.Kubernetes.Tests;

/// <summary>The ResourceSlice limits the Kubernetes API documents (resource.k8s.io/v1), checked on an emitted slice.</summary>
internal static class DraLimits
{
    public static void AssertValid(V1ResourceSlice slice)
    {
        Assert.Equal("resource.k8s.io/v1", slice.ApiVersion);
        Assert.Equal("ResourceSlice", slice.Kind);
        Assert.True(KubernetesNames.IsDnsSubdomain(slice.Metadata.Name), slice.Metadata.Name);
        Assert.True(KubernetesNames.IsDnsSubdomain(slice.Spec.Driver), slice.Spec.Driver);
        Assert.False(string.IsNullOrEmpty(slice.Spec.Pool.Name));
        Assert.InRange(slice.Spec.Devices.Count, 0, 128);
        Assert.Equal(slice.Spec.Devices.Count, slice.Spec.Devices.Select(d => d.Name).Distinct().Count());
        foreach (var device in slice.Spec.Devices)
        {
            Assert.True(KubernetesNames.IsDnsLabel(device.Name), device.Name);
            Assert.InRange(device.Attributes.Count + (device.Capacity?.Count ?? 0), 1, 32);
            foreach (var (name, value) in device.Attributes)
            {
                Assert.True(KubernetesNames.IsAttributeName(name), name);
                Assert.Equal(1, new object?[] { value.BoolValue, value.IntValue, value.StringValue, value.Version }.Count(v => v is not null));
                Assert.True(value.StringValue is null || value.StringValue.Length <= 64, name);
                Assert.True(value.Version is null || (value.Version.Length <= 64 && SemanticVersion.IsStrict(value.Version)), name);
            }
        }
    }
}
