using System.Collections.Immutable;
using MigCompat.Core.Diagnostics;
using MigCompat.Fleet.Storage;

namespace MigCompat.Fleet.Service;

/// <summary>The outcome of <see cref="FleetService.PutHostAsync"/>.</summary>
/// <param name="Result">
/// <see cref="HostStored"/>; <see cref="GenerationConflict"/> for a stale generation; or
/// <see cref="InvalidInventory"/> when a descriptor does not parse or the store refuses the document.
/// Only <see cref="HostStored"/> changed anything.
/// </param>
/// <param name="Diagnostics">What validating the inventory reported: warnings when stored, errors (and warnings) when refused.</param>
public sealed record PutHostOutcome(PutHostResult Result, ImmutableArray<Diagnostic> Diagnostics);
