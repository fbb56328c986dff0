using System.Globalization;
using System.Text;

namespace MigCompat.Fleet.Storage;

/// <content>Retention: released and expired claims are deleted some time after they ended.</content>
public abstract partial class RelationalFleetStore
{
    /// <summary>
    /// Up to <c>@batch</c> claims that ended (released or expired) before <c>@cutoff</c>, oldest first.
    /// The state test is redundant with <c>ended_at_ms</c> (set exactly on the moves to a terminal
    /// state) and keeps pending and confirmed claims safe whatever a row says.
    /// </summary>
    private const string EndedClaimsBatch =
        "SELECT id FROM claims WHERE state IN ('released', 'expired') AND ended_at_ms < @cutoff ORDER BY ended_at_ms LIMIT @batch";

    /// <inheritdoc />
    public async Task<int> PurgeEndedClaimsAsync(DateTimeOffset endedBefore, int batchSize = IFleetStore.DefaultPurgeBatchSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var cutoff = ToMs(endedBefore);
        var purged = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // One short transaction per batch: a large backlog never holds the writer lock (SQLite) or
            // many row locks (PostgreSQL) for long, and other writers get in between batches.
            var (selected, deleted) = await WriteAsync(async (connection, transaction) =>
            {
                var ids = new List<string>(Math.Min(batchSize, 1024));
                await using (var command = DbCommands.Create(connection, transaction, EndedClaimsBatch, ("@cutoff", cutoff), ("@batch", (long)batchSize)))
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        ids.Add(reader.GetString(0));
                    }
                }

                if (ids.Count == 0)
                {
                    return (0, 0);
                }

                // By id, not by repeating the condition: on PostgreSQL another instance may mark claims
                // expired between the select and the delete. The foreign key deletes the claims' items.
                var list = IdList(ids.Count);
                var parameters = ids.Select((id, i) => (Name: "@id" + i.ToString(CultureInfo.InvariantCulture), Value: (object?)id)).ToArray();
                var claims = await DbCommands.ExecuteAsync(connection, transaction, $"DELETE FROM claims WHERE id IN ({list})", cancellationToken, parameters);
                return (ids.Count, claims);
            }, cancellationToken);

            purged += deleted;
            if (selected < batchSize)
            {
                return purged;
            }
        }
    }

    /// <summary><c>@id0, @id1, ...</c>: the parameter list of a batch of <paramref name="count"/> ids.</summary>
    private static string IdList(int count)
    {
        var text = new StringBuilder(count * 7);
        for (var i = 0; i < count; i++)
        {
            text.Append(i == 0 ? "@id" : ", @id").Append(i);
        }

        return text.ToString();
    }
}
