using System.Collections.Immutable;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Fleet.Storage;

/// <summary>
/// The fleet's durable state: one inventory per host with an optimistic-concurrency generation,
/// the capacity resources derived from it, and claims against those resources. Every write is one
/// transaction; implementations give the same semantics on every backend.
/// </summary>
public interface IFleetStore : IAsyncDisposable
{
    /// <summary>How many claims <see cref="PurgeEndedClaimsAsync"/> deletes per transaction unless told otherwise.</summary>
    const int DefaultPurgeBatchSize = 1000;

    /// <summary>The <c>expectedGeneration</c> of <see cref="PutHostAsync"/> that overwrites whatever is stored (HTTP <c>If-Match: *</c>).</summary>
    const long AnyGeneration = long.MinValue;

    /// <summary>
    /// Stores a host's inventory when <paramref name="expectedGeneration"/> equals the stored
    /// generation (0: the host must not exist yet), or over whatever is stored for
    /// <see cref="AnyGeneration"/>, and recomputes its capacity resources in the same transaction.
    /// A stale update is never applied.
    /// </summary>
    /// <param name="inventory">The inventory; its <see cref="HostInventory.Host"/> names the host.</param>
    /// <param name="expectedGeneration">The generation the caller last saw; 0 for a new host; <see cref="AnyGeneration"/> for any.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see cref="HostStored"/>, <see cref="GenerationConflict"/> or <see cref="InvalidInventory"/>.</returns>
    Task<PutHostResult> PutHostAsync(HostInventory inventory, long expectedGeneration, CancellationToken cancellationToken = default);

    /// <summary>Reads one host, or null when it is not stored.</summary>
    /// <param name="name">The host name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<StoredHost?> GetHostAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Lists every stored host without reading the inventory documents, ordered by name.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<ImmutableArray<HostSummary>> ListHostsAsync(CancellationToken cancellationToken = default);

    /// <summary>How many hosts are stored (cheap: no document is read).</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<int> CountHostsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams every stored host's summary, in no particular order, without reading the inventory
    /// documents or holding the list: for comparing the store with an in-memory index every few
    /// seconds without keeping a copy of the fleet's host list alive while doing so.
    /// </summary>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    IAsyncEnumerable<HostSummary> StreamHostSummariesAsync(CancellationToken cancellationToken = default);

    /// <summary>Marks a host drained (no new claims) or not. Returns false when the host is not stored.</summary>
    /// <param name="name">The host name.</param>
    /// <param name="drained">True to drain, false to undrain.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<bool> SetDrainedAsync(string name, bool drained, CancellationToken cancellationToken = default);

    /// <summary>Deletes a host with its resources and claims. Returns false when the host is not stored.</summary>
    /// <param name="name">The host name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<bool> DeleteHostAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Streams every stored host, for rebuilding an in-memory index after a restart.</summary>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    IAsyncEnumerable<StoredHost> LoadAllAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims units of a host's resources for a time-to-live, atomically: either every item is
    /// claimed or none is. A repeated idempotency key with the same request returns the same claim.
    /// </summary>
    /// <param name="request">The host, the items and the time-to-live.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<CreateClaimResult> CreateClaimAsync(ClaimRequest request, CancellationToken cancellationToken = default);

    /// <summary>Turns a pending, unexpired claim into a confirmed one, which holds until released.</summary>
    /// <param name="claimId">The claim id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<ClaimTransitionResult> ConfirmClaimAsync(string claimId, CancellationToken cancellationToken = default);

    /// <summary>Releases a claim (pending or confirmed); releasing a released or expired claim changes nothing.</summary>
    /// <param name="claimId">The claim id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<ClaimTransitionResult> ReleaseClaimAsync(string claimId, CancellationToken cancellationToken = default);

    /// <summary>Reads a claim with its effective state (a pending claim past its expiry reads as expired), or null.</summary>
    /// <param name="claimId">The claim id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<Claim?> GetClaimAsync(string claimId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks every pending claim whose expiry is at or before <paramref name="now"/> as expired and
    /// returns how many. Housekeeping only: expired claims never count against capacity anyway.
    /// </summary>
    /// <param name="now">The cut-off time.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<int> ExpireClaimsAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the claims that ended — were released, or expired — before
    /// <paramref name="endedBefore"/>, with their items, and returns how many. Pending and confirmed
    /// claims are never deleted (a pending claim past its expiry only once <see cref="ExpireClaimsAsync"/>
    /// has marked it). Runs one transaction per batch of at most <paramref name="batchSize"/> claims
    /// until none is left, so a large backlog never holds a long lock. A deleted claim's idempotency
    /// key is free again: a later create with it is a fresh create.
    /// </summary>
    /// <param name="endedBefore">The cut-off: claims that ended at or after it are kept.</param>
    /// <param name="batchSize">Claims per transaction, at least 1.</param>
    /// <param name="cancellationToken">Cancels the operation between or within batches; committed batches stay deleted.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is below 1.</exception>
    Task<int> PurgeEndedClaimsAsync(DateTimeOffset endedBefore, int batchSize = DefaultPurgeBatchSize, CancellationToken cancellationToken = default);

    /// <summary>Per resource of a host: capacity, units held by active claims, and what is left; null when the host is not stored.</summary>
    /// <param name="host">The host name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<HostCapacity?> GetAvailableCapacityAsync(string host, CancellationToken cancellationToken = default);

    /// <summary>
    /// Units held by active claims, for every host that has any: host → resource key → units. One
    /// query for the whole fleet, for rebuilding and refreshing the search index.
    /// </summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>>> GetActiveClaimUnitsAsync(CancellationToken cancellationToken = default);
}
