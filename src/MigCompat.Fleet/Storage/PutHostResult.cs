using System.Collections.Immutable;
using MigCompat.Core.Diagnostics;
using MigCompat.Core.Model;

namespace MigCompat.Fleet.Storage;

/// <summary>The outcome of <see cref="IFleetStore.PutHostAsync"/>.</summary>
public abstract record PutHostResult;

/// <summary>The inventory was stored.</summary>
/// <param name="Host">The host name.</param>
/// <param name="Generation">The new generation (1 for a new host).</param>
/// <param name="UpdatedAt">The store's time of the write.</param>
public sealed record HostStored(string Host, long Generation, DateTimeOffset UpdatedAt) : PutHostResult;

/// <summary>
/// The caller's expected generation is not the stored one (HTTP 409); nothing was written.
/// </summary>
/// <param name="Host">The host name.</param>
/// <param name="ExpectedGeneration">What the caller sent.</param>
/// <param name="CurrentGeneration">What is stored; 0 when the host does not exist.</param>
public sealed record GenerationConflict(string Host, long ExpectedGeneration, long CurrentGeneration) : PutHostResult;

/// <summary>The inventory or the expected generation cannot be stored as given; nothing was written.</summary>
/// <param name="Reason">What is wrong, for a person.</param>
/// <param name="Diagnostics">The inventory format's errors and warnings, when the document failed its checks.</param>
public sealed record InvalidInventory(string Reason, ImmutableArray<Diagnostic> Diagnostics) : PutHostResult
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(InvalidInventory? other) =>
        other is not null
        && Equals(Reason, other.Reason)
        && ArrayEquality.Equal(Diagnostics, other.Diagnostics);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Reason, ArrayEquality.Hash(Diagnostics));
}
