using System.Data.Common;

namespace MigCompat.Fleet.Storage;

/// <summary>A write transaction and whatever else must be released with it (an in-process writer gate).</summary>
internal sealed class WriteTransaction(DbTransaction transaction, IDisposable? release) : IAsyncDisposable
{
    public DbTransaction Transaction { get; } = transaction;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Transaction.DisposeAsync();
        }
        finally
        {
            release?.Dispose();
        }
    }
}
