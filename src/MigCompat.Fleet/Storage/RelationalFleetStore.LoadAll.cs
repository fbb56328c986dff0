using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace MigCompat.Fleet.Storage;

/// <content>Streaming every host, decoding the documents on all cores.</content>
public abstract partial class RelationalFleetStore
{
    /// <summary>
    /// Rows (and decoded hosts) waiting, whatever the number of decoders. Kept small on purpose: a row
    /// is ~15 KB of JSON, and every row still queued when a collection runs survives it. With 512
    /// queued rows (~8 MB, about one gen-0 budget's worth) rows regularly outlived two collections and
    /// were promoted to gen 2 only to die there: ~160 gen-2 collections per 100,000 hosts instead of
    /// 0–2 with 64 (~1 MB; bench/README.md, "Inventory JSON and store load").
    /// </summary>
    private const int LoadBuffer = 64;

    /// <inheritdoc />
    /// <remarks>
    /// One task streams rows from the database; one decoder per core turns the JSON into
    /// inventories (the expensive part); hosts come out in no particular order. Stopping the
    /// enumeration early stops the reading and decoding.
    /// </remarks>
    public async IAsyncEnumerable<StoredHost> LoadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var rows = Channel.CreateBounded<HostRow>(new BoundedChannelOptions(LoadBuffer) { SingleWriter = true });
        var hosts = Channel.CreateBounded<StoredHost>(new BoundedChannelOptions(LoadBuffer) { SingleReader = true });

        var producer = Task.Run(() => StreamRowsAsync(rows.Writer, stop.Token), stop.Token);
        var decoders = Enumerable.Range(0, Math.Max(1, Environment.ProcessorCount)).Select(_ => Task.Run(async () =>
        {
            await foreach (var row in rows.Reader.ReadAllAsync(stop.Token))
            {
                await hosts.Writer.WriteAsync(Decode(row), stop.Token);
            }
        }, stop.Token));
        var finished = Task.WhenAll(decoders.Append(producer)).ContinueWith(
            all => hosts.Writer.TryComplete(all.IsFaulted ? all.Exception.InnerExceptions[0] : all.IsCanceled ? new OperationCanceledException(cancellationToken) : null),
            CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

        try
        {
            await foreach (var host in hosts.Reader.ReadAllAsync(cancellationToken))
            {
                yield return host;
            }
        }
        finally
        {
            await stop.CancelAsync();
            await finished;
        }
    }

    private async Task StreamRowsAsync(ChannelWriter<HostRow> rows, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenConnectionAsync(cancellationToken);
            await using var command = DbCommands.Create(connection, null,
                "SELECT name, generation, drained, updated_at_ms, inventory_json FROM hosts");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                await rows.WriteAsync(ReadRow(reader), cancellationToken);
            }

            rows.TryComplete();
        }
        catch (Exception e)
        {
            rows.TryComplete(e);
            throw;
        }
    }
}
