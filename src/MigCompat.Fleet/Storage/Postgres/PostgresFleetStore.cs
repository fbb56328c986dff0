using System.Data;
using System.Data.Common;
using System.Net.Sockets;
using Npgsql;

namespace MigCompat.Fleet.Storage.Postgres;

/// <summary>
/// The fleet store in PostgreSQL, for several stateless service instances sharing one database.
/// Writes run at READ COMMITTED and lock the host row (<c>SELECT ... FOR UPDATE</c>) first, so every
/// inventory update and claim on one host is serialised across all instances; different hosts do
/// not wait for each other.
/// </summary>
public sealed class PostgresFleetStore : RelationalFleetStore
{
    private readonly NpgsqlDataSource _dataSource;

    private PostgresFleetStore(NpgsqlDataSource dataSource, TimeProvider timeProvider)
        : base(timeProvider) => _dataSource = dataSource;

    /// <inheritdoc />
    private protected override string LockHostSql => "SELECT generation, drained FROM hosts WHERE name = @name FOR UPDATE";

    /// <inheritdoc />
    private protected override string RowLockClause => " FOR UPDATE";

    /// <summary>Connects, and applies any missing schema migrations under an advisory lock.</summary>
    /// <param name="connectionString">An Npgsql connection string (<c>Host=...;Database=...;Username=...</c>).</param>
    /// <param name="timeProvider">The clock for timestamps and claim expiry; the system clock when null.</param>
    /// <param name="cancellationToken">Cancels the opening.</param>
    /// <exception cref="FleetStoreException">The connection string is malformed, the server cannot be reached, or the database is not usable.</exception>
    public static async Task<PostgresFleetStore> OpenAsync(string connectionString, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new FleetStoreException($"the PostgreSQL connection string is malformed: {e.Message}", e);
        }

        var dataSource = NpgsqlDataSource.Create(builder);
        var store = new PostgresFleetStore(dataSource, timeProvider ?? TimeProvider.System);
        try
        {
            await using var connection = await store.OpenConnectionAsync(cancellationToken);
            await store.MigrateAsync(connection, PostgresMigrations.All, PostgresMigrations.CreateMigrationsTable, cancellationToken);
            return store;
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            await store.DisposeAsync();
            throw new FleetStoreException(
                $"cannot open the fleet database on PostgreSQL {builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}: {e.Message}", e);
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <inheritdoc />
    /// <remarks>
    /// A connection refused for want of a slot (the server's <c>max_connections</c>, 53300; a server
    /// starting up, 57P03) or a pool whose every connection stays busy past its timeout is a
    /// <see cref="FleetStoreException"/> with <see cref="FleetStoreException.RetryAfter"/>: nothing was done yet.
    /// </remarks>
    private protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (NpgsqlException e) when (e is PostgresException { SqlState: PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.CannotConnectNow } || e.InnerException is TimeoutException)
        {
            throw new FleetStoreException($"the fleet database has no free connection now ({e.Message}); nothing was done, try again", e)
            {
                RetryAfter = TimeSpan.FromSeconds(1),
            };
        }
    }

    /// <inheritdoc />
    private protected override async Task<WriteTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        new(await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken), null);

    /// <inheritdoc />
    private protected override async Task<WriteTransaction> BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        try
        {
            // Held until the transaction ends: a second instance starting at the same moment waits,
            // then finds the migrations applied.
            await DbCommands.ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(@key)", cancellationToken,
                ("@key", PostgresMigrations.AdvisoryLockKey));
            return new WriteTransaction(transaction, null);
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    private protected override async Task<DbTransaction> BeginSnapshotReadAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);

    /// <inheritdoc />
    private protected override bool IsRetryable(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected };
}
