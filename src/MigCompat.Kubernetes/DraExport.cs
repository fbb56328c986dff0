using System.Collections.Immutable;
using System.Globalization;
using k8s.Models;
using MigCompat.Fleet.Publishing;

namespace MigCompat.Kubernetes;

/// <summary>
/// DRA's side: a host's resources as <c>ResourceSlice</c> devices (resource.k8s.io/v1) with typed attributes — what a DRA
/// driver for these devices would publish so that a claim's CEL selector can ask for a device that accepts a class live
/// (<c>device.attributes["migcompat.dev"].live_&lt;hash&gt;</c>). Only the owning DRA driver publishes slices in a
/// cluster; this output is that driver's attribute set, checked against the API's limits.
/// </summary>
public static class DraExport
{
    /// <summary>The most devices one slice holds (the API's limit).</summary>
    public const int MaxDevicesPerSlice = 128;

    /// <summary>The most attributes and capacities one device holds (the API's limit).</summary>
    public const int MaxAttributesPerDevice = 32;

    /// <summary>The longest string attribute value.</summary>
    public const int MaxStringLength = 64;

    /// <summary>The slices of <paramref name="host"/>, at most 128 devices each, all in one pool named after the host.</summary>
    /// <param name="host">The host and its resources.</param>
    /// <param name="driverOf">The driver and its version of a resource, when the inventory says.</param>
    /// <param name="warnings">What had to be left out (a string too long, classes beyond the attribute limit).</param>
    public static IReadOnlyList<V1ResourceSlice> Slices(HostAcceptance host, Func<ResourceAcceptance, (string? Driver, string? Version)> driverOf, out ImmutableArray<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(driverOf);
        var notes = ImmutableArray.CreateBuilder<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var devices = host.Resources.Select(r => Device(r, driverOf(r), notes, names)).ToList();
        var chunks = devices.Chunk(MaxDevicesPerSlice).ToList();
        var node = KubernetesNames.ToDnsLabel(host.Host);
        warnings = notes.ToImmutable();
        return [.. chunks.Select((chunk, i) => new V1ResourceSlice
        {
            ApiVersion = "resource.k8s.io/v1",
            Kind = "ResourceSlice",
            Metadata = new V1ObjectMeta
            {
                Name = string.Create(CultureInfo.InvariantCulture, $"{node}-migcompat-{i}"),
                Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["app.kubernetes.io/managed-by"] = "migcompat" },
            },
            Spec = new V1ResourceSliceSpec
            {
                Driver = KubernetesNames.DriverName,
                NodeName = host.Host,
                Pool = new V1ResourcePool { Name = host.Host, Generation = 1, ResourceSliceCount = chunks.Count },
                Devices = [.. chunk],
            },
        })];
    }

    private static V1Device Device(ResourceAcceptance resource, (string? Driver, string? Version) driver, ImmutableArray<string>.Builder notes, HashSet<string> names)
    {
        var attributes = new Dictionary<string, V1DeviceAttribute>(StringComparer.Ordinal);
        void Text(string name, string? value)
        {
            if (value is null)
            {
                return;
            }

            if (value.Length > MaxStringLength)
            {
                notes.Add($"{resource.Key}: {name} is longer than {MaxStringLength} characters and is left out");
                return;
            }

            attributes[KubernetesNames.Domain + "/" + name] = new V1DeviceAttribute { StringValue = value };
        }

        Text("kind", resource.Kind == AcceptingResourceKind.Device ? "device" : "type");
        Text("resourceKey", resource.Key);
        Text("parent", resource.Parent);
        Text("mdevType", resource.TypeId);
        Text("driver", driver.Driver);
        Text("driverVersionRaw", driver.Version);
        if (SemanticVersion.Normalize(driver.Version) is { } version)
        {
            attributes[KubernetesNames.Domain + "/driverVersion"] = new V1DeviceAttribute { Version = version };
        }

        attributes[KubernetesNames.Domain + "/capacity"] = new V1DeviceAttribute { IntValue = resource.Capacity };
        var room = MaxAttributesPerDevice - attributes.Count - 1;
        var live = resource.Live.Select(l => l.ClassId).ToList();
        foreach (var classId in live.Take(room))
        {
            attributes[KubernetesNames.LiveAttribute(classId)] = new V1DeviceAttribute { BoolValue = true };
        }

        if (live.Count > room)
        {
            attributes[KubernetesNames.Domain + "/liveTruncated"] = new V1DeviceAttribute { BoolValue = true };
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"{resource.Key}: accepts {live.Count} classes live, but a device holds at most {MaxAttributesPerDevice} attributes; the first {room} are listed and liveTruncated is set (a class not listed is not claimed)"));
        }

        // Two keys may make the same DNS label (nvidia_63 and nvidia-63): the second gets a hash of its key.
        var name = KubernetesNames.ToDnsLabel(resource.Key);
        if (!names.Add(name))
        {
            name = KubernetesNames.ToDnsLabel(resource.Key + new string('/', 64));
            names.Add(name);
        }

        return new V1Device { Name = name, Attributes = attributes };
    }
}
