using System.Collections.Immutable;
using MigCompat.Core.Matching;
using MigCompat.Core.Model;

namespace MigCompat.Fleet.Search;

/// <summary>
/// The answer to a <see cref="TargetQuery"/>: the best hosts, ranked; a summary of why some hosts
/// were refused; and query errors (when there are errors there are no candidates).
/// </summary>
/// <param name="Candidates">Hosts that can take every device, best first (ranking in docs/fleet-search.md).</param>
/// <param name="Rejected">
/// Every host the search did not choose, with why, at most <see cref="TargetQuery.MaxRejected"/>: first the close
/// misses (a resource compatible, live or cold, with some device, but not all placed), then drained hosts
/// (<c>HOST_DRAINED</c>), then hosts with nothing compatible (their closest refusal's reasons); each group by name.
/// </param>
/// <param name="HostsConsidered">Hosts searched: every indexed host except the source and drained hosts.</param>
/// <param name="Errors">What is wrong with the query.</param>
public sealed record TargetSearchResult(ImmutableArray<TargetCandidate> Candidates, ImmutableArray<RejectedHost> Rejected, int HostsConsidered, ImmutableArray<QueryError> Errors)
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(TargetSearchResult? other) =>
        other is not null
        && ArrayEquality.Equal(Candidates, other.Candidates)
        && ArrayEquality.Equal(Rejected, other.Rejected)
        && Equals(HostsConsidered, other.HostsConsidered)
        && ArrayEquality.Equal(Errors, other.Errors)
        && HostsAccepted == other.HostsAccepted
        && HostsRejected == other.HostsRejected
        && HostsWithoutCompatibleResource == other.HostsWithoutCompatibleResource
        && HostsDrained == other.HostsDrained
        && Equals(Explanation, other.Explanation)
        && Equals(Vm, other.Vm);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ArrayEquality.Hash(Candidates), ArrayEquality.Hash(Rejected), HostsConsidered, ArrayEquality.Hash(Errors));

    /// <summary>How many hosts can take the VM (candidates before <see cref="TargetQuery.Limit"/> cut the list).</summary>
    public int HostsAccepted { get; init; }

    /// <summary>How many considered hosts could take the VM's devices only in part (all are rejected, only the first few are listed).</summary>
    public int HostsRejected { get; init; }

    /// <summary>How many considered hosts have no resource compatible with any of the VM's devices.</summary>
    public int HostsWithoutCompatibleResource { get; init; }

    /// <summary>Drained hosts (besides the source): never candidates, listed in <see cref="Rejected"/> with <c>HOST_DRAINED</c> after the closer misses.</summary>
    public int HostsDrained { get; init; }

    /// <summary>The explanation of <see cref="TargetQuery.ExplainHost"/>, or null when none was asked.</summary>
    public HostExplanation? Explanation { get; init; }

    /// <summary>The VM the query named (<see cref="TargetQuery.Vm"/>) and the host it was found on; null when the query gave devices.</summary>
    public VmLocation? Vm { get; init; }

    /// <summary>True when the query was answered (no errors).</summary>
    public bool Succeeded => Errors.IsDefaultOrEmpty;

    /// <summary>A result that only carries errors.</summary>
    public static TargetSearchResult Failed(ImmutableArray<QueryError> errors) => new([], [], 0, errors);
}

/// <summary>Something wrong with a query, with a stable code from <see cref="QueryErrorCodes"/>.</summary>
/// <param name="Code">The stable code.</param>
/// <param name="Message">What is wrong and what to do about it.</param>
public sealed record QueryError(string Code, string Message);

/// <summary>A host that can take every device of the VM.</summary>
/// <param name="Host">The host name.</param>
/// <param name="Level">Live when every device can migrate live; cold when at least one needs a cold migration.</param>
/// <param name="Score">The rank key, higher is better: live devices × 2^32 + spare compatible capacity left (clamped).</param>
/// <param name="Assignments">One per VM device, in query order.</param>
public sealed record TargetCandidate(string Host, CompatibilityLevel Level, long Score, ImmutableArray<DeviceAssignment> Assignments)
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(TargetCandidate? other) =>
        other is not null
        && Equals(Host, other.Host)
        && Equals(Level, other.Level)
        && Equals(Score, other.Score)
        && ArrayEquality.Equal(Assignments, other.Assignments);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Host, Level, Score, ArrayEquality.Hash(Assignments));
}

/// <summary>Where one VM device goes on a candidate host.</summary>
/// <param name="DeviceIndex">The 0-based index of the device in <see cref="TargetQuery.Devices"/>.</param>
/// <param name="SourceDeviceId">The source device id, when the device was given by id.</param>
/// <param name="ResourceKey">The capacity resource to claim: <c>device:ID</c> or <c>type:PARENT/TYPEID</c>.</param>
/// <param name="TargetDeviceId">The existing free device to use, or null when a new instance is created.</param>
/// <param name="Parent">The parent device of the target (mdev parent or PF), when known.</param>
/// <param name="TypeId">The mdev type to create (or of the existing device), when known.</param>
/// <param name="Level">Live or cold for this device.</param>
/// <param name="DynamicResources">Values the new target instance must be created with.</param>
/// <param name="Bindings">The template variable bindings of the verdict.</param>
public sealed record DeviceAssignment(
    int DeviceIndex,
    string? SourceDeviceId,
    string ResourceKey,
    string? TargetDeviceId,
    string? Parent,
    string? TypeId,
    CompatibilityLevel Level,
    ImmutableArray<DynamicResourceClaim> DynamicResources,
    ImmutableArray<VariableBinding> Bindings)
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(DeviceAssignment? other) =>
        other is not null
        && Equals(DeviceIndex, other.DeviceIndex)
        && Equals(SourceDeviceId, other.SourceDeviceId)
        && Equals(ResourceKey, other.ResourceKey)
        && Equals(TargetDeviceId, other.TargetDeviceId)
        && Equals(Parent, other.Parent)
        && Equals(TypeId, other.TypeId)
        && Equals(Level, other.Level)
        && ArrayEquality.Equal(DynamicResources, other.DynamicResources)
        && ArrayEquality.Equal(Bindings, other.Bindings)
        && ArrayEquality.Equal(Reasons, other.Reasons)
        && Equals(Evidence, other.Evidence);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(DeviceIndex, SourceDeviceId, ResourceKey, TargetDeviceId, Parent, TypeId, Level, ArrayEquality.Hash(Bindings));

    /// <summary>
    /// Why this device can only move cold: the reasons of the verdict of the chosen target resource
    /// (e.g. <c>VERSION_MINOR_TOO_LOW</c> on <c>software_version</c>); empty when <see cref="Level"/> is live.
    /// </summary>
    public ImmutableArray<Reason> Reasons { get; init; } = [];

    /// <summary>
    /// What vouches for this device's verdict against the chosen resource: a driver declaration, a
    /// rule pack or profile, the target's own declared rules, identical builds of a migrating driver,
    /// or nothing (then the device moves cold at best, with <c>NO_EVIDENCE</c> among its reasons).
    /// </summary>
    public Evidence Evidence { get; init; } = Evidence.None;
}

/// <summary>A host that cannot take the VM, and why.</summary>
/// <param name="Host">The host name.</param>
/// <param name="Reasons">Reason codes with the number of VM devices each concerns, most frequent first.</param>
public sealed record RejectedHost(string Host, ImmutableArray<ReasonCount> Reasons)
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(RejectedHost? other) =>
        other is not null
        && Equals(Host, other.Host)
        && ArrayEquality.Equal(Reasons, other.Reasons);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Host, ArrayEquality.Hash(Reasons));
}

/// <summary>A reason code (from <see cref="ReasonCodes"/> or <see cref="SearchReasonCodes"/>) and how many VM devices it concerns.</summary>
/// <param name="Code">The code.</param>
/// <param name="Count">How many of the VM's devices it concerns.</param>
public sealed record ReasonCount(string Code, int Count);
