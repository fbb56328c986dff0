using MigCompat.Fleet.Publishing;

namespace MigCompat.Server.Contracts;

/// <summary>The answer of <c>GET /v1/source-classes</c>: the fleet's source classes and, per host and resource, the classes it accepts live.</summary>
/// <param name="Classes">The source classes, ordered by id.</param>
/// <param name="Hosts">Every host, drained ones included, ordered by name.</param>
internal sealed record SourceClassesResponse(IReadOnlyList<SourceClassResponse> Classes, IReadOnlyList<HostAcceptanceResponse> Hosts)
{
    public static SourceClassesResponse From(SourceClassReport report) => new(
        [.. report.Classes.Select(c => new SourceClassResponse(c.Id, c.Descriptor, c.Devices, c.Hosts))],
        [.. report.Hosts.Select(HostAcceptanceResponse.From)]);
}

/// <summary>A source class: one distinct descriptor of the fleet's existing devices.</summary>
/// <param name="Id">The stable class id (readable prefix and a hash of the canonical descriptor).</param>
/// <param name="Descriptor">The canonical descriptor text.</param>
/// <param name="Devices">How many existing devices have it.</param>
/// <param name="Hosts">On how many hosts.</param>
internal sealed record SourceClassResponse(string Id, string Descriptor, int Devices, int Hosts);

/// <summary>One host: its devices' classes and its resources' live acceptance.</summary>
/// <param name="Name">The host name.</param>
/// <param name="Drained">True when the host takes no new VMs (listed all the same).</param>
/// <param name="Sources">Each device's class.</param>
/// <param name="Resources">The resources, ordered by key.</param>
internal sealed record HostAcceptanceResponse(string Name, bool Drained, IReadOnlyList<SourceDeviceResponse> Sources, IReadOnlyList<ResourceAcceptanceResponse> Resources)
{
    public static HostAcceptanceResponse From(HostAcceptance host) => new(
        host.Host,
        host.Drained,
        [.. host.Sources.Select(s => new SourceDeviceResponse(s.DeviceId, s.ClassId))],
        [.. host.Resources.Select(r => new ResourceAcceptanceResponse(
            r.Key,
            r.Kind == AcceptingResourceKind.Device ? "device" : "type",
            r.Id,
            r.Parent,
            r.TypeId,
            r.Capacity,
            [.. r.Live.Select(l => new ClassAcceptanceResponse(l.ClassId, EvidenceResponse.From(l.Evidence)))]))]);
}

/// <summary>A device and its class.</summary>
/// <param name="DeviceId">The device id.</param>
/// <param name="ClassId">The class id.</param>
internal sealed record SourceDeviceResponse(string DeviceId, string ClassId);

/// <summary>A resource and the classes it accepts live.</summary>
/// <param name="ResourceKey">The resource key, as in claims.</param>
/// <param name="Kind"><c>device</c> or <c>type</c>.</param>
/// <param name="Id">The device id or the type id.</param>
/// <param name="Parent">The parent device (pGPU, PF), when known.</param>
/// <param name="TypeId">The mdev type, when known.</param>
/// <param name="Capacity">The inventory's capacity (0 is listed too).</param>
/// <param name="Live">The classes judged live onto it, with their evidence.</param>
internal sealed record ResourceAcceptanceResponse(string ResourceKey, string Kind, string Id, string? Parent, string? TypeId, int Capacity, IReadOnlyList<ClassAcceptanceResponse> Live);

/// <summary>A class accepted live, and what vouches for it.</summary>
/// <param name="ClassId">The class id.</param>
/// <param name="Evidence">The evidence.</param>
internal sealed record ClassAcceptanceResponse(string ClassId, EvidenceResponse Evidence);
