using System.Collections.Immutable;
using MigCompat.Core.Matching;
using MigCompat.Core.Model;

namespace MigCompat.Fleet.Publishing;

/// <summary>
/// Which hosts accept which source classes live: what <c>placement sync</c> publishes as Placement traits and
/// <c>export kubevirt|dra</c> as node labels and device attributes. Built by <see cref="Search.FleetIndex.SourceClasses"/>.
/// </summary>
/// <param name="Classes">The fleet's source classes, ordered by id.</param>
/// <param name="Hosts">Every indexed host (drained ones and ones without free capacity included), ordered by name.</param>
public sealed record SourceClassReport(ImmutableArray<SourceClass> Classes, ImmutableArray<HostAcceptance> Hosts)
{
    /// <summary>Equal when both arrays are equal by value.</summary>
    public bool Equals(SourceClassReport? other) =>
        other is not null && ArrayEquality.Equal(Classes, other.Classes) && ArrayEquality.Equal(Hosts, other.Hosts);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ArrayEquality.Hash(Classes), ArrayEquality.Hash(Hosts));
}

/// <summary>
/// A source class: one distinct descriptor of the fleet's existing devices, i.e. what a VM could bring along.
/// </summary>
/// <param name="Id">The stable id (<see cref="SourceClassId"/>).</param>
/// <param name="Descriptor">The descriptor's canonical text (docs/format.md).</param>
/// <param name="Devices">How many existing devices in the fleet have this descriptor.</param>
/// <param name="Hosts">How many hosts have such a device.</param>
public sealed record SourceClass(string Id, string Descriptor, int Devices, int Hosts);

/// <summary>One host: the classes of its devices and, per resource, the classes it accepts live.</summary>
/// <param name="Host">The host name.</param>
/// <param name="Drained">True when the host takes no new VMs (its resources are listed all the same).</param>
/// <param name="Sources">The class of each of its devices whose descriptor parses, by device id.</param>
/// <param name="Resources">Its resources (free devices, creatable types), ordered by key.</param>
public sealed record HostAcceptance(string Host, bool Drained, ImmutableArray<SourceDevice> Sources, ImmutableArray<ResourceAcceptance> Resources)
{
    /// <summary>Equal when every member is equal, the arrays by value.</summary>
    public bool Equals(HostAcceptance? other) =>
        other is not null && Host == other.Host && Drained == other.Drained
        && ArrayEquality.Equal(Sources, other.Sources) && ArrayEquality.Equal(Resources, other.Resources);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Host, Drained, ArrayEquality.Hash(Sources), ArrayEquality.Hash(Resources));
}

/// <summary>An existing device and its source class.</summary>
/// <param name="DeviceId">The device id (mdev UUID or PCI address).</param>
/// <param name="ClassId">Its class id.</param>
public sealed record SourceDevice(string DeviceId, string ClassId);

/// <summary>What a resource is.</summary>
public enum AcceptingResourceKind
{
    /// <summary>An existing device not in use.</summary>
    Device,

    /// <summary>An mdev type a parent (one pGPU) can create instances of.</summary>
    CreatableType,
}

/// <summary>One resource of a host and the source classes it accepts live.</summary>
/// <param name="Key">The resource key (<c>device:ID</c>, <c>type:PARENT/TYPEID</c>), as in claims.</param>
/// <param name="Kind">Device or creatable type.</param>
/// <param name="Id">The device id or the type id.</param>
/// <param name="Parent">The parent device (the pGPU, the PF), when known.</param>
/// <param name="TypeId">The mdev type, when known.</param>
/// <param name="Capacity">The inventory's capacity (0 is listed too: capacity is the scheduler's business).</param>
/// <param name="Live">The classes the matcher judges live onto this resource, ordered by class id, each with its evidence.</param>
public sealed record ResourceAcceptance(string Key, AcceptingResourceKind Kind, string Id, string? Parent, string? TypeId, int Capacity, ImmutableArray<ClassAcceptance> Live)
{
    /// <summary>Equal when every member is equal, the array by value.</summary>
    public bool Equals(ResourceAcceptance? other) =>
        other is not null && Key == other.Key && Kind == other.Kind && Id == other.Id && Parent == other.Parent
        && TypeId == other.TypeId && Capacity == other.Capacity && ArrayEquality.Equal(Live, other.Live);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Key, Kind, Capacity, ArrayEquality.Hash(Live));
}

/// <summary>A source class a resource accepts live, and what vouches for it.</summary>
/// <param name="ClassId">The class id.</param>
/// <param name="Evidence">The verdict's evidence (never none: a verdict without evidence is not live).</param>
public sealed record ClassAcceptance(string ClassId, Evidence Evidence);
