using System.Collections.Immutable;
using MigCompat.Core.Model;

namespace MigCompat.Fleet.Storage;

/// <summary>The state of a claim.</summary>
public enum ClaimState
{
    /// <summary>Holds its units until it expires, is confirmed or is released.</summary>
    Pending,

    /// <summary>Holds its units until released; does not expire.</summary>
    Confirmed,

    /// <summary>Released by its owner; holds nothing.</summary>
    Released,

    /// <summary>Was pending past its expiry; holds nothing.</summary>
    Expired,
}

/// <summary>A number of units of one resource.</summary>
/// <param name="ResourceKey">The resource key (<c>device:ID</c> or <c>type:PARENT/TYPEID</c>).</param>
/// <param name="Count">How many units (at least 1).</param>
public sealed record ClaimItem(string ResourceKey, int Count);

/// <summary>A stored claim on a host's resources.</summary>
/// <param name="Id">The claim id.</param>
/// <param name="Host">The host name.</param>
/// <param name="Items">The claimed units, ordered by resource key.</param>
/// <param name="State">The effective state: a pending claim past its expiry reads as <see cref="ClaimState.Expired"/>.</param>
/// <param name="CreatedAt">When the claim was created.</param>
/// <param name="ExpiresAt">When a pending claim stops holding.</param>
/// <param name="IdempotencyKey">The idempotency key it was created with, if any.</param>
public sealed record Claim(
    string Id,
    string Host,
    ImmutableArray<ClaimItem> Items,
    ClaimState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    string? IdempotencyKey)
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(Claim? other) =>
        other is not null
        && Equals(Id, other.Id)
        && Equals(Host, other.Host)
        && ArrayEquality.Equal(Items, other.Items)
        && Equals(State, other.State)
        && Equals(CreatedAt, other.CreatedAt)
        && Equals(ExpiresAt, other.ExpiresAt)
        && Equals(IdempotencyKey, other.IdempotencyKey);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, Host, ArrayEquality.Hash(Items), State, CreatedAt, ExpiresAt, IdempotencyKey);

    /// <summary>True when the claim holds its units (pending and unexpired, or confirmed).</summary>
    public bool IsActive => State is ClaimState.Pending or ClaimState.Confirmed;
}
