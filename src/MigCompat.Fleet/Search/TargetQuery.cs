using System.Collections.Immutable;
using MigCompat.Core.Model;

namespace MigCompat.Fleet.Search;

/// <summary>A request for migration targets: where the VM runs now and which devices it owns.</summary>
/// <param name="SourceHost">The host the VM runs on; never returned as a target. Must be in the index, unless it is empty and every device is given inline.</param>
/// <param name="Devices">The VM's devices, in the order the answer's <see cref="DeviceAssignment.DeviceIndex"/> refers to.</param>
/// <param name="Limit">How many candidates to return at most (1 or more).</param>
/// <param name="IncludeCold">True to also return hosts that can take some devices only by a cold migration.</param>
/// <param name="MaxRejected">How many rejected hosts to summarize at most (0 or more); see <see cref="TargetSearchResult.Rejected"/>.</param>
public sealed record TargetQuery(string SourceHost, ImmutableArray<VmDeviceRef> Devices, int Limit = 10, bool IncludeCold = true, int MaxRejected = 20)
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(TargetQuery? other) =>
        other is not null
        && Equals(SourceHost, other.SourceHost)
        && ArrayEquality.Equal(Devices, other.Devices)
        && Equals(Limit, other.Limit)
        && Equals(IncludeCold, other.IncludeCold)
        && Equals(MaxRejected, other.MaxRejected)
        && ExplainHost == other.ExplainHost
        && Vm == other.Vm;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(SourceHost, ArrayEquality.Hash(Devices), Limit, IncludeCold, MaxRejected, ExplainHost, Vm);

    /// <summary>
    /// A host to explain in full (<see cref="TargetSearchResult.Explanation"/>): every device's verdict
    /// against every resource there, with capacity, drain and evidence. Null for none.
    /// </summary>
    public string? ExplainHost { get; init; }

    /// <summary>
    /// The VM by name or UUID, as a host's inventory lists it (<see cref="MigCompat.Discovery.Inventory.HostInventory.Guests"/>):
    /// its devices are the query's and its host the source host. <see cref="Devices"/> is then empty, and
    /// <see cref="SourceHost"/>, when given, the only host where the VM is looked for. Null for none.
    /// </summary>
    public string? Vm { get; init; }
}

/// <summary>One device of the VM: either the id of a device in the source host's inventory, or an inline self descriptor.</summary>
/// <param name="DeviceId">The device id (mdev UUID or PCI address) on the source host; compared case-insensitively.</param>
/// <param name="Descriptor">The device's descriptor, when not looked up by id.</param>
public sealed record VmDeviceRef(string? DeviceId, Descriptor? Descriptor);
