using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MigCompat.Fleet.Service;

/// <summary>How a <see cref="FleetService"/> opens its store and keeps its in-memory index fresh.</summary>
public sealed record FleetServiceOptions
{
    /// <summary>The database spec (<c>sqlite:PATH</c>, a file path, <c>postgres://...</c> or <c>Host=...</c>).</summary>
    public string Database { get; init; } = "fleet.db";

    /// <summary>
    /// How often the index re-reads what other service instances sharing the database changed:
    /// hosts whose generation or drain flag changed, deleted hosts, and every host's claim counts.
    /// Zero or negative disables the loop (single instance, tests).
    /// </summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often pending claims past their expiry are marked expired. Zero or negative disables the sweep.</summary>
    public TimeSpan ExpirySweepInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The default <see cref="ClaimRetention"/>: 7 days.</summary>
    public static readonly TimeSpan DefaultClaimRetention = TimeSpan.FromDays(7);

    /// <summary>
    /// How long released and expired claims are kept after they ended (for idempotent replays and
    /// reads) before the expiry sweep purges them; a create with the idempotency key of a purged claim
    /// is a fresh create. Runs on every <see cref="ExpirySweepInterval"/> tick, so a disabled sweep
    /// disables it too. Zero or negative (<see cref="Timeout.InfiniteTimeSpan"/>) keeps them forever.
    /// </summary>
    public TimeSpan ClaimRetention { get; init; } = DefaultClaimRetention;

    /// <summary>The clock for claim expiry and timestamps; the system clock by default.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Where the service logs notable events: the index rebuilt (information), a stored host it cannot
    /// search, a failed background run or post-commit refresh (warnings), a purge of ended claims
    /// (information). Nothing is logged by default.
    /// </summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;
}
