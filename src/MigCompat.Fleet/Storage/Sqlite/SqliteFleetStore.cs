using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace MigCompat.Fleet.Storage.Sqlite;

/// <summary>
/// The fleet store in one SQLite file: the embedded default for a single service instance. WAL
/// journal with <c>synchronous=FULL</c> (a committed write survives a crash or kill -9); every write
/// runs in <c>BEGIN IMMEDIATE</c>, so there is one writer at a time, across processes too.
/// </summary>
public sealed class SqliteFleetStore : RelationalFleetStore
{
    private const int BusyTimeoutMilliseconds = 30_000;

    private readonly string _connectionString;

    /// <summary>Orders this instance's writers before they queue on the file lock (fairer and cheaper than busy retries).</summary>
    private readonly SemaphoreSlim _writerGate = new(1, 1);

    /// <summary>True when the file's text encoding is UTF-8, so stored text can be read as bytes.</summary>
    private bool _utf8Database;

    private SqliteFleetStore(string connectionString, string path, TimeProvider timeProvider)
        : base(timeProvider)
    {
        _connectionString = connectionString;
        Path = path;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    private protected override string LockHostSql => "SELECT generation, drained FROM hosts WHERE name = @name";

    /// <summary>
    /// Opens the database file, creating it (and its directory) when missing, and applies any
    /// missing schema migrations.
    /// </summary>
    /// <param name="path">The database file.</param>
    /// <param name="timeProvider">The clock for timestamps and claim expiry; the system clock when null.</param>
    /// <param name="cancellationToken">Cancels the opening.</param>
    /// <exception cref="FleetStoreException">The file's directory does not exist, the file cannot be created, or it is not a fleet database.</exception>
    public static async Task<SqliteFleetStore> OpenAsync(string path, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new FleetStoreException("the SQLite database path is empty");
        }

        string fullPath;
        try
        {
            fullPath = System.IO.Path.GetFullPath(path);
            var directory = System.IO.Path.GetDirectoryName(fullPath);
            if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
            {
                throw new FleetStoreException($"the directory of the SQLite database '{path}' does not exist ({directory}); create it first, or name a file in an existing directory");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new FleetStoreException($"cannot use the SQLite database path '{path}': {e.Message}", e);
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        }.ToString();
        var store = new SqliteFleetStore(connectionString, fullPath, timeProvider ?? TimeProvider.System);
        try
        {
            await using var connection = await store.OpenConnectionAsync(cancellationToken);
            await DbCommands.ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL", cancellationToken);
            await store.MigrateAsync(connection, SqliteMigrations.All, SqliteMigrations.CreateMigrationsTable, cancellationToken);
            store._utf8Database = await DbCommands.ScalarAsync(connection, null, "PRAGMA encoding", cancellationToken) is string encoding
                && string.Equals(encoding, "UTF-8", StringComparison.OrdinalIgnoreCase);
            return store;
        }
        catch (SqliteException e)
        {
            await store.DisposeAsync();
            throw new FleetStoreException($"cannot open '{fullPath}' as a fleet database: {e.Message}", e);
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public override ValueTask DisposeAsync()
    {
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _writerGate.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    private protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // Per connection: wait for the writer lock instead of failing, fsync every commit, and
            // enforce the foreign keys (their ON DELETE CASCADE deletes a host's rows with it).
            await DbCommands.ExecuteAsync(connection, null,
                $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;", cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    private protected override Task<WriteTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        BeginImmediateAsync(connection, null, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Foreign keys are off while migrations run (a pragma that cannot change inside a transaction):
    /// SQLite adds a constraint by rebuilding the table, and dropping the old table with them on would
    /// cascade. <see cref="CheckMigratedAsync"/> checks every key before the commit; the connection
    /// gets them back when the transaction ends.
    /// </remarks>
    private protected override async Task<WriteTransaction> BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await DbCommands.ExecuteAsync(connection, null, "PRAGMA foreign_keys = OFF", cancellationToken);
        return await BeginImmediateAsync(connection, () =>
        {
            using var command = DbCommands.Create(connection, null, "PRAGMA foreign_keys = ON");
            command.ExecuteNonQuery();
        }, cancellationToken);
    }

    /// <inheritdoc />
    private protected override async Task CheckMigratedAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = DbCommands.Create(connection, transaction, "PRAGMA foreign_key_check");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (await reader.ReadAsync(cancellationToken))
        {
            throw new FleetStoreException($"the fleet database has a row in table {reader.GetString(0)} whose {reader.GetString(2)} row is missing; it was not changed");
        }
    }

    /// <inheritdoc />
    private protected override Task<DbTransaction> BeginSnapshotReadAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    /// <inheritdoc />
    /// <remarks>
    /// In a UTF-8 database (SQLite's default, checked at open) a blob read of a text column returns
    /// the stored bytes as they are; a database in a UTF-16 encoding goes through a string.
    /// </remarks>
    private protected override byte[] ReadUtf8Text(DbDataReader reader, int ordinal) =>
        _utf8Database ? reader.GetFieldValue<byte[]>(ordinal) : base.ReadUtf8Text(reader, ordinal);

    /// <summary>
    /// <c>BEGIN IMMEDIATE</c> behind this instance's writer gate; <paramref name="afterEnd"/> runs on the
    /// connection once the transaction has ended, before the gate opens.
    /// </summary>
    private async Task<WriteTransaction> BeginImmediateAsync(DbConnection connection, Action? afterEnd, CancellationToken cancellationToken)
    {
        await _writerGate.WaitAsync(cancellationToken);
        try
        {
            // deferred: false is BEGIN IMMEDIATE: take the database's single writer lock now, before
            // reading anything, so no other connection or process can write between our reads and writes.
            var transaction = ((SqliteConnection)connection).BeginTransaction(deferred: false);
            return new WriteTransaction(transaction, new GateRelease(_writerGate, afterEnd));
        }
        catch
        {
            _writerGate.Release();
            throw;
        }
    }

    /// <inheritdoc />
    private protected override bool IsRetryable(DbException exception) =>
        exception is SqliteException { SqliteErrorCode: 5 or 6 }; // SQLITE_BUSY, SQLITE_LOCKED

    /// <summary>After the transaction ends: <c>afterEnd</c>, then the writer gate released.</summary>
    private sealed class GateRelease(SemaphoreSlim gate, Action? afterEnd) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                afterEnd?.Invoke();
            }
            finally
            {
                gate.Release();
            }
        }
    }
}
