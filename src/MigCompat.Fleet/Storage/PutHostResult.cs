using System.Collections.Immutable;
using MigCompat.Core.Diagnostics;

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
public sealed record InvalidInventory(string Reason, ImmutableArray<Diagnostic> Diagnostics) : PutHostResult;
