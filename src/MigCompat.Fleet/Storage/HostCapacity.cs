using System.Collections.Immutable;
using MigCompat.Core.Model;

namespace MigCompat.Fleet.Storage;

/// <summary>One capacity resource of a host with its current use.</summary>
/// <param name="ResourceKey">The resource key (<c>device:ID</c> or <c>type:PARENT/TYPEID</c>).</param>
/// <param name="Capacity">Units the latest inventory offers.</param>
/// <param name="Claimed">Units held by active claims (may exceed the capacity after the inventory shrank).</param>
/// <param name="Available">Units free now: capacity minus claimed, never below 0.</param>
public sealed record ResourceCapacity(string ResourceKey, long Capacity, long Claimed, long Available);

/// <summary>The capacity resources of one host, ordered by key.</summary>
/// <param name="Host">The host name.</param>
/// <param name="Generation">The inventory generation the resources were computed from.</param>
/// <param name="Drained">True when the host takes no new claims.</param>
/// <param name="Resources">The resources.</param>
public sealed record HostCapacity(string Host, long Generation, bool Drained, ImmutableArray<ResourceCapacity> Resources)
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(HostCapacity? other) =>
        other is not null
        && Equals(Host, other.Host)
        && Equals(Generation, other.Generation)
        && Equals(Drained, other.Drained)
        && ArrayEquality.Equal(Resources, other.Resources);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Host, Generation, Drained, ArrayEquality.Hash(Resources));
}
