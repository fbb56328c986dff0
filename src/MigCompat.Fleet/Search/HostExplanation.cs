using System.Collections.Immutable;
using MigCompat.Core.Matching;
using MigCompat.Core.Model;

namespace MigCompat.Fleet.Search;

/// <summary>
/// The answer to "why (not) this host?" for one VM: what the search decided for the host, and every VM
/// device's verdict against every resource the host offers, with capacity and evidence.
/// </summary>
/// <param name="Host">The host explained.</param>
/// <param name="Outcome">What the search decided: <c>live</c> or <c>cold</c> (the host can take the VM at that level, ranked or not), <c>rejected</c>, <c>drained</c>, or <c>source</c> (the VM runs there).</param>
/// <param name="Reasons">For a rejected, drained or source host: why, as in <see cref="RejectedHost.Reasons"/>; empty otherwise.</param>
/// <param name="Devices">Per VM device, in query order: its verdict against each resource of the host.</param>
public sealed record HostExplanation(string Host, string Outcome, ImmutableArray<ReasonCount> Reasons, ImmutableArray<DeviceExplanation> Devices)
{
    /// <summary>The host can take the VM with every device live.</summary>
    public const string Live = "live";

    /// <summary>The host can take the VM, some device only cold.</summary>
    public const string Cold = "cold";

    /// <summary>The host cannot take the VM.</summary>
    public const string Rejected = "rejected";

    /// <summary>The host is drained: no VM is sent there.</summary>
    public const string Drained = "drained";

    /// <summary>The VM runs on this host now.</summary>
    public const string Source = "source";

    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(HostExplanation? other) =>
        other is not null && Host == other.Host && Outcome == other.Outcome
        && ArrayEquality.Equal(Reasons, other.Reasons) && ArrayEquality.Equal(Devices, other.Devices);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Host, Outcome, ArrayEquality.Hash(Reasons), ArrayEquality.Hash(Devices));
}

/// <summary>One VM device against every resource of the explained host.</summary>
/// <param name="DeviceIndex">The device's position in the query.</param>
/// <param name="SourceDeviceId">Its id on the source host, when the query named it by id.</param>
/// <param name="Resources">Its verdict against each resource, in the host's resource order.</param>
public sealed record DeviceExplanation(int DeviceIndex, string? SourceDeviceId, ImmutableArray<ResourceVerdict> Resources)
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(DeviceExplanation? other) =>
        other is not null && DeviceIndex == other.DeviceIndex && SourceDeviceId == other.SourceDeviceId && ArrayEquality.Equal(Resources, other.Resources);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(DeviceIndex, SourceDeviceId, ArrayEquality.Hash(Resources));
}

/// <summary>A VM device's verdict against one resource of a host, with the resource's capacity.</summary>
/// <param name="ResourceKey">The resource's capacity key (as in a claim).</param>
/// <param name="TargetDeviceId">The existing device, or null for a creatable type.</param>
/// <param name="Parent">The parent device.</param>
/// <param name="TypeId">The mdev type.</param>
/// <param name="Free">Free units now (capacity minus active claims; 0 for a device in use).</param>
/// <param name="Verdict">The matcher's verdict of the VM device against the resource's descriptor: level, every reason, evidence.</param>
public sealed record ResourceVerdict(string ResourceKey, string? TargetDeviceId, string? Parent, string? TypeId, int Free, Verdict Verdict);
