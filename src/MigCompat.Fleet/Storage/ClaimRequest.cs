using System.Collections.Immutable;
using MigCompat.Core.Model;

namespace MigCompat.Fleet.Storage;

/// <summary>A request to claim units of one host's resources.</summary>
/// <param name="Host">The host name.</param>
/// <param name="Items">The units wanted per resource; each resource key at most once.</param>
/// <param name="TimeToLive">How long the claim holds while pending (more than zero, at most <see cref="MaxTimeToLive"/>).</param>
/// <param name="IdempotencyKey">Optional: a repeated key with the same request returns the same claim.</param>
public sealed record ClaimRequest(string Host, ImmutableArray<ClaimItem> Items, TimeSpan TimeToLive, string? IdempotencyKey)
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(ClaimRequest? other) =>
        other is not null
        && Equals(Host, other.Host)
        && ArrayEquality.Equal(Items, other.Items)
        && Equals(TimeToLive, other.TimeToLive)
        && Equals(IdempotencyKey, other.IdempotencyKey);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Host, ArrayEquality.Hash(Items), TimeToLive, IdempotencyKey);

    /// <summary>The longest time-to-live a pending claim may have; confirm a claim to hold longer.</summary>
    public static readonly TimeSpan MaxTimeToLive = TimeSpan.FromDays(7);
}
