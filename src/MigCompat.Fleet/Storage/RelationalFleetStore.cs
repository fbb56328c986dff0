using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;

namespace MigCompat.Fleet.Storage;

/// <summary>
/// The fleet store's logic on a relational database, written once for every backend. A backend
/// supplies connections, a write transaction that serialises writers touching the same host, and
/// the statement that reads (and on a multi-writer database, locks) a host row.
/// </summary>
public abstract partial class RelationalFleetStore : IFleetStore
{
    private const int MaxAttempts = 5;

    private protected RelationalFleetStore(TimeProvider timeProvider) => Time = timeProvider;

    private protected TimeProvider Time { get; }

    /// <summary>
    /// Reads <c>generation, drained</c> of the host named <c>@name</c>; on a backend with row locks it
    /// also locks the row until the transaction ends.
    /// </summary>
    private protected abstract string LockHostSql { get; }

    /// <summary>
    /// Appended to a <c>SELECT</c> of one table's rows to lock them until the transaction ends
    /// (<c>FOR UPDATE</c>) on a backend with row locks; empty where writers are serialised anyway.
    /// </summary>
    private protected virtual string RowLockClause => "";

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();

    private protected abstract ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    private protected abstract Task<WriteTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    private protected abstract Task<DbTransaction> BeginSnapshotReadAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Starts the transaction migrations run in, excluding every other migrating instance.</summary>
    private protected abstract Task<WriteTransaction> BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Checks, before a migration transaction that applied anything commits, what the backend does not check on its own (SQLite: the foreign keys).</summary>
    private protected virtual Task CheckMigratedAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>True for errors a retry of the whole transaction can cure (lost races, deadlocks, busy).</summary>
    private protected abstract bool IsRetryable(DbException exception);

    /// <summary>The current time, truncated to the millisecond the store keeps.</summary>
    private protected DateTimeOffset Now() => FromMs(ToMs(Time.GetUtcNow()));

    private protected static long ToMs(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private protected static DateTimeOffset FromMs(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    /// <summary>Runs one write transaction, retrying it from the start after a retryable error.</summary>
    private protected async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var connection = await OpenConnectionAsync(cancellationToken);
            await using (connection)
            {
                try
                {
                    await using var write = await BeginWriteAsync(connection, cancellationToken);
                    var result = await work(connection, write.Transaction);
                    await write.Transaction.CommitAsync(cancellationToken);
                    return result;
                }
                catch (DbException e) when (attempt < MaxAttempts && IsRetryable(e))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(5 * attempt), Time, cancellationToken);
                }
            }
        }
    }

    /// <summary>
    /// Applies every migration the database lacks, in order, in one transaction that excludes other
    /// migrating instances. Refuses a database migrated by a newer version of this program.
    /// </summary>
    private protected async Task MigrateAsync(DbConnection connection, IReadOnlyList<Migration> migrations, string createTableSql, CancellationToken cancellationToken)
    {
        await using var write = await BeginMigrationAsync(connection, cancellationToken);
        var transaction = write.Transaction;
        await DbCommands.ExecuteAsync(connection, transaction, createTableSql, cancellationToken);
        var applied = new HashSet<long>();
        await using (var command = DbCommands.Create(connection, transaction, "SELECT version FROM schema_migrations"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetInt64(0));
            }
        }

        var newest = migrations.Max(m => m.Version);
        if (applied.Count > 0 && applied.Max() > newest)
        {
            throw new FleetStoreException(string.Create(CultureInfo.InvariantCulture,
                $"the fleet database has schema version {applied.Max()}, newer than this program knows ({newest}); upgrade MigCompat before opening it"));
        }

        var missing = migrations.OrderBy(m => m.Version).Where(m => !applied.Contains(m.Version)).ToList();
        foreach (var migration in missing)
        {
            await DbCommands.ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
            await DbCommands.ExecuteAsync(connection, transaction,
                "INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (@version, @name, @at)", cancellationToken,
                ("@version", (long)migration.Version), ("@name", migration.Name), ("@at", ToMs(Time.GetUtcNow())));
        }

        if (missing.Count > 0)
        {
            await CheckMigratedAsync(connection, transaction, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Reads the applied migration versions, in order (for tests and diagnostics).</summary>
    internal async Task<ImmutableArray<int>> AppliedMigrationsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = DbCommands.Create(connection, null, "SELECT version FROM schema_migrations ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = ImmutableArray.CreateBuilder<int>();
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(checked((int)reader.GetInt64(0)));
        }

        return versions.ToImmutable();
    }
}
