using MigCompat.Fleet.Storage.Postgres;
using MigCompat.Fleet.Storage.Sqlite;

namespace MigCompat.Fleet.Storage;

/// <summary>Opens the fleet store a database spec names.</summary>
public static class FleetStoreFactory
{
    /// <summary>
    /// Opens (and migrates) the store: <c>sqlite:PATH</c> or a plain path for SQLite (the file is
    /// created when missing); <c>postgres://user:pass@host:port/db</c> or <c>Host=...;...</c> for PostgreSQL.
    /// </summary>
    /// <param name="db">The database spec.</param>
    /// <param name="timeProvider">The clock for timestamps and claim expiry; the system clock when null.</param>
    /// <param name="cancellationToken">Cancels the opening.</param>
    /// <exception cref="FleetStoreException">The spec is malformed or the database cannot be opened; the message says why.</exception>
    public static async Task<IFleetStore> OpenAsync(string db, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        var spec = FleetStoreSpec.Parse(db);
        return spec.Backend == FleetStoreBackend.Sqlite
            ? await SqliteFleetStore.OpenAsync(spec.Target, timeProvider, cancellationToken)
            : await PostgresFleetStore.OpenAsync(spec.Target, timeProvider, cancellationToken);
    }
}
