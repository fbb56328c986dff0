using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Fleet.Storage;

/// <content>Hosts: inventories with their generation, drain flag and capacity resources.</content>
public abstract partial class RelationalFleetStore
{
    /// <inheritdoc />
    public async Task<PutHostResult> PutHostAsync(HostInventory inventory, long expectedGeneration, CancellationToken cancellationToken = default)
    {
        if (inventory is null)
        {
            return new InvalidInventory("no inventory was given", []);
        }

        if (string.IsNullOrWhiteSpace(inventory.Host))
        {
            return new InvalidInventory("the inventory has no host name", []);
        }

        if (expectedGeneration < 0 && expectedGeneration != IFleetStore.AnyGeneration)
        {
            return new InvalidInventory("the expected generation must be 0 (new host), a stored generation or any", []);
        }

        var name = inventory.Host;
        string json;
        try
        {
            json = InventoryDocument.Write(inventory);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NullReferenceException)
        {
            return new InvalidInventory("the inventory cannot be written as JSON: " + e.Message, []);
        }

        // Store only what reads back: a document the reader rejects would be a host nobody can load.
        var readBack = InventoryDocument.Read(json, name);
        if (readBack.Inventory is null)
        {
            return new InvalidInventory("the inventory does not pass the inventory format's checks", readBack.Diagnostics);
        }

        var deviceCount = inventory.Devices.IsDefault ? 0 : inventory.Devices.Length;
        var resources = CapacityResources.From(inventory);

        return await WriteAsync<PutHostResult>(async (connection, transaction) =>
        {
            var current = await LockHostAsync(connection, transaction, name, cancellationToken);
            var currentGeneration = current?.Generation ?? 0;
            var expected = expectedGeneration == IFleetStore.AnyGeneration ? currentGeneration : expectedGeneration;
            if (currentGeneration != expected)
            {
                return new GenerationConflict(name, expectedGeneration, currentGeneration);
            }

            var now = Now();
            Task<int> UpdateAsync(long from) => DbCommands.ExecuteAsync(connection, transaction,
                """
                UPDATE hosts SET generation = generation + 1, updated_at_ms = @now, device_count = @devices, inventory_json = @json
                WHERE name = @name AND generation = @expected
                """, cancellationToken,
                ("@name", name), ("@expected", from), ("@now", ToMs(now)), ("@devices", (long)deviceCount), ("@json", json));
            var written = current is null
                ? await DbCommands.ExecuteAsync(connection, transaction,
                    """
                    INSERT INTO hosts (name, generation, drained, updated_at_ms, device_count, inventory_json)
                    VALUES (@name, 1, @drained, @now, @devices, @json)
                    ON CONFLICT (name) DO NOTHING
                    """, cancellationToken,
                    ("@name", name), ("@drained", false), ("@now", ToMs(now)), ("@devices", (long)deviceCount), ("@json", json))
                : await UpdateAsync(expected);
            if (written != 1)
            {
                // Another writer created the host between our read and our write (only possible for a new
                // host): a conflict, or for an overwrite a write on top of it (its row is locked by us now).
                var stored = await LockHostAsync(connection, transaction, name, cancellationToken);
                if (expectedGeneration != IFleetStore.AnyGeneration || stored is not { } row)
                {
                    return new GenerationConflict(name, expectedGeneration, stored?.Generation ?? 0);
                }

                expected = row.Generation;
                await UpdateAsync(expected);
            }

            await ReplaceResourcesAsync(connection, transaction, name, resources, cancellationToken);
            return new HostStored(name, expected + 1, now);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<StoredHost?> GetHostAsync(string name, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = DbCommands.Create(connection, null,
            "SELECT name, generation, drained, updated_at_ms, inventory_json FROM hosts WHERE name = @name", ("@name", name));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Decode(ReadRow(reader)) : null;
    }

    /// <inheritdoc />
    public async Task<ImmutableArray<HostSummary>> ListHostsAsync(CancellationToken cancellationToken = default)
    {
        var hosts = new List<HostSummary>();
        await foreach (var host in StreamHostSummariesAsync(cancellationToken))
        {
            hosts.Add(host);
        }

        return [.. hosts.OrderBy(host => host.Name, StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public async Task<int> CountHostsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return Convert.ToInt32(await DbCommands.ScalarAsync(connection, null, "SELECT COUNT(*) FROM hosts", cancellationToken), CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<HostSummary> StreamHostSummariesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = DbCommands.Create(connection, null,
            "SELECT name, generation, drained, updated_at_ms, device_count FROM hosts");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new HostSummary(reader.GetString(0), reader.GetInt64(1), reader.GetBoolean(2), FromMs(reader.GetInt64(3)), checked((int)reader.GetInt64(4)));
        }
    }

    /// <inheritdoc />
    public async Task<bool> SetDrainedAsync(string name, bool drained, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        return await WriteAsync(async (connection, transaction) =>
        {
            if (await LockHostAsync(connection, transaction, name, cancellationToken) is null)
            {
                return false;
            }

            await DbCommands.ExecuteAsync(connection, transaction,
                "UPDATE hosts SET drained = @drained, updated_at_ms = @now WHERE name = @name", cancellationToken,
                ("@name", name), ("@drained", drained), ("@now", ToMs(Now())));
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteHostAsync(string name, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        return await WriteAsync(async (connection, transaction) =>
        {
            if (await LockHostAsync(connection, transaction, name, cancellationToken) is null)
            {
                return false;
            }

            // The foreign keys (migration 4) delete the host's resources, claims and claim items with it.
            await DbCommands.ExecuteAsync(connection, transaction, "DELETE FROM hosts WHERE name = @name", cancellationToken, ("@name", name));
            return true;
        }, cancellationToken);
    }

    private async Task<(long Generation, bool Drained)?> LockHostAsync(DbConnection connection, DbTransaction transaction, string name, CancellationToken cancellationToken)
    {
        await using var command = DbCommands.Create(connection, transaction, LockHostSql, ("@name", name));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return (reader.GetInt64(0), reader.GetBoolean(1));
    }

    private static async Task ReplaceResourcesAsync(DbConnection connection, DbTransaction transaction, string host, ImmutableArray<KeyValuePair<string, long>> resources, CancellationToken cancellationToken)
    {
        await DbCommands.ExecuteAsync(connection, transaction, "DELETE FROM resources WHERE host = @host", cancellationToken, ("@host", host));
        if (resources.IsEmpty)
        {
            return;
        }

        await using var insert = DbCommands.Create(connection, transaction,
            "INSERT INTO resources (host, resource_key, capacity) VALUES (@host, @key, @capacity)",
            ("@host", host), ("@key", ""), ("@capacity", 0L));
        foreach (var (key, capacity) in resources)
        {
            insert.Parameters[1].Value = key;
            insert.Parameters[2].Value = capacity;
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Reads <c>name, generation, drained, updated_at_ms, inventory_json</c> without decoding the document.</summary>
    private HostRow ReadRow(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetInt64(1), reader.GetBoolean(2), reader.GetInt64(3), ReadUtf8Text(reader, 4));

    /// <summary>
    /// A text column as UTF-8 bytes. This default makes a string and encodes it; a backend whose
    /// driver hands out the stored UTF-8 bytes directly overrides it, which saves decoding every
    /// document to UTF-16 only to encode it back for the JSON reader.
    /// </summary>
    private protected virtual byte[] ReadUtf8Text(DbDataReader reader, int ordinal) => Encoding.UTF8.GetBytes(reader.GetString(ordinal));

    private static StoredHost Decode(HostRow row)
    {
        var document = InventoryDocument.Read(row.Json, row.Name);
        return new StoredHost(row.Name, document.Inventory, row.Generation, row.Drained, FromMs(row.UpdatedAtMs), document.Diagnostics);
    }

    private sealed record HostRow(string Name, long Generation, bool Drained, long UpdatedAtMs, byte[] Json);
}
