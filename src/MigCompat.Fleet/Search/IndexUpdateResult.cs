using System.Collections.Immutable;
using MigCompat.Core.Diagnostics;

namespace MigCompat.Fleet.Search;

/// <summary>What <see cref="FleetIndex.Upsert"/> did with an inventory.</summary>
/// <param name="Accepted">True when the host is now in the index (possibly without some resources, see the diagnostics).</param>
/// <param name="Diagnostics">Entries that were skipped and why (codes in <see cref="IndexDiagnosticCodes"/>).</param>
public sealed record IndexUpdateResult(bool Accepted, ImmutableArray<Diagnostic> Diagnostics);
