using System.Collections.Immutable;
using MigCompat.Core.Model;

namespace MigCompat.Fleet.Storage;

/// <summary>The outcome of <see cref="IFleetStore.CreateClaimAsync"/>.</summary>
public abstract record CreateClaimResult;

/// <summary>The claim holds its units.</summary>
/// <param name="Claim">The claim.</param>
/// <param name="Replayed">True when the idempotency key matched an earlier identical request and that claim was returned.</param>
public sealed record ClaimCreated(Claim Claim, bool Replayed) : CreateClaimResult;

/// <summary>What one requested item asked for and what was available.</summary>
/// <param name="ResourceKey">The resource key.</param>
/// <param name="Requested">Units asked for.</param>
/// <param name="Available">Units free at the time of the request.</param>
public sealed record ItemAvailability(string ResourceKey, int Requested, long Available);

/// <summary>At least one item asked for more than is free; nothing was claimed.</summary>
/// <param name="Items">Every requested item with its availability.</param>
public sealed record InsufficientCapacity(ImmutableArray<ItemAvailability> Items) : CreateClaimResult
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(InsufficientCapacity? other) =>
        other is not null
        && ArrayEquality.Equal(Items, other.Items);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ArrayEquality.Hash(Items));
}

/// <summary>The host has no resource with some of the requested keys; nothing was claimed.</summary>
/// <param name="ResourceKeys">The unknown keys.</param>
public sealed record UnknownResource(ImmutableArray<string> ResourceKeys) : CreateClaimResult
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(UnknownResource? other) =>
        other is not null
        && ArrayEquality.Equal(ResourceKeys, other.ResourceKeys);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ArrayEquality.Hash(ResourceKeys));
}

/// <summary>The host is not stored.</summary>
/// <param name="Host">The host name.</param>
public sealed record UnknownHost(string Host) : CreateClaimResult;

/// <summary>The host is drained and takes no new claims.</summary>
/// <param name="Host">The host name.</param>
public sealed record HostDrained(string Host) : CreateClaimResult;

/// <summary>The idempotency key was already used for a different request; nothing was claimed.</summary>
/// <param name="IdempotencyKey">The key.</param>
/// <param name="ExistingClaimId">The claim created with that key.</param>
public sealed record IdempotencyConflict(string IdempotencyKey, string ExistingClaimId) : CreateClaimResult;

/// <summary>The request itself is malformed (no items, a count below 1, a repeated key, a bad time-to-live).</summary>
/// <param name="Reason">What is wrong, for a person.</param>
public sealed record InvalidClaimRequest(string Reason) : CreateClaimResult;
