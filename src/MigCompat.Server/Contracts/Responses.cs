using System.Text.Json;
using MigCompat.Core.Matching;
using MigCompat.Fleet.Search;
using MigCompat.Fleet.Storage;
using MigCompat.Server.Http;

namespace MigCompat.Server.Contracts;

// The API's wire contract: every answer is one of these records, built from the fleet's own types by
// the From methods. A change to a Fleet or Core type changes the API only through them.

/// <summary>The answer to a stored inventory.</summary>
internal sealed record HostWriteResponse(string Host, long Generation, DateTimeOffset UpdatedAt, bool Created, IReadOnlyList<DiagnosticDto> Warnings);

/// <summary>One host with its inventory document and resource use.</summary>
internal sealed record HostResponse(
    string Name,
    long Generation,
    bool Drained,
    DateTimeOffset UpdatedAt,
    JsonElement? Inventory,
    IReadOnlyList<DiagnosticDto> ReadDiagnostics,
    IReadOnlyList<ResourceResponse> Resources);

/// <summary>A capacity resource of a host: units offered, held by active claims, free now.</summary>
internal sealed record ResourceResponse(string ResourceKey, long Capacity, long Claimed, long Available)
{
    public static ResourceResponse From(ResourceCapacity resource) => new(resource.ResourceKey, resource.Capacity, resource.Claimed, resource.Available);
}

/// <summary>Every stored host, without inventories.</summary>
internal sealed record HostListResponse(int Count, IReadOnlyList<HostSummaryResponse> Hosts);

/// <summary>A stored host without its inventory.</summary>
internal sealed record HostSummaryResponse(string Name, long Generation, bool Drained, DateTimeOffset UpdatedAt, int DeviceCount)
{
    public static HostSummaryResponse From(HostSummary host) => new(host.Name, host.Generation, host.Drained, host.UpdatedAt, host.DeviceCount);
}

/// <summary>A VM as a host's inventory lists it (<c>guests</c>).</summary>
/// <param name="Name">The VM's name (libvirt domain name).</param>
/// <param name="Uuid">The VM's UUID in lower case; null when the inventory does not know it.</param>
/// <param name="Host">The host whose inventory lists the VM.</param>
/// <param name="Devices">The ids of the host's devices the VM uses.</param>
internal sealed record VmResponse(string Name, string? Uuid, string Host, IReadOnlyList<string> Devices)
{
    public static VmResponse From(VmLocation vm) => new(vm.Guest.Name, vm.Guest.Uuid, vm.Host, [.. TargetsResponse.Each(vm.Guest.DeviceIds)]);
}

/// <summary>The VMs the stored hosts list, by host then name.</summary>
internal sealed record VmListResponse(int Count, IReadOnlyList<VmResponse> Vms);

/// <summary>A host's drain flag after a change.</summary>
internal sealed record DrainResponse(string Name, bool Drained);

/// <summary>A claim, with whether an identical earlier request created it.</summary>
internal sealed record ClaimResponse(ClaimBody Claim, bool Replayed);

/// <summary>A claim as the API shows it.</summary>
/// <param name="Id">The claim id.</param>
/// <param name="Host">The host.</param>
/// <param name="Items">The claimed units, ordered by resource key.</param>
/// <param name="State"><c>pending</c>, <c>confirmed</c>, <c>released</c> or <c>expired</c> (the effective state).</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="ExpiresAt">When a pending claim stops holding.</param>
/// <param name="IdempotencyKey">The key it was created with, if any.</param>
/// <param name="IsActive">True when it holds its units (pending and unexpired, or confirmed).</param>
internal sealed record ClaimBody(string Id, string Host, IReadOnlyList<ClaimItemResponse> Items, string State, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string? IdempotencyKey, bool IsActive)
{
    public static ClaimBody From(Claim claim) => new(
        claim.Id,
        claim.Host,
        [.. (claim.Items.IsDefault ? [] : claim.Items).Select(item => new ClaimItemResponse(item.ResourceKey, item.Count))],
        StateName(claim.State),
        claim.CreatedAt,
        claim.ExpiresAt,
        claim.IdempotencyKey,
        claim.IsActive);

    public static string StateName(ClaimState state) => JsonNamingPolicy.CamelCase.ConvertName(state.ToString());
}

/// <summary>Units of one resource in a claim.</summary>
internal sealed record ClaimItemResponse(string ResourceKey, int Count);

/// <summary>A requested claim item with what was free (the <c>items</c> of a 409 for missing capacity).</summary>
internal sealed record ItemAvailabilityResponse(string ResourceKey, int Requested, long Available)
{
    public static ItemAvailabilityResponse From(ItemAvailability item) => new(item.ResourceKey, item.Requested, item.Available);
}

/// <summary>The answer of <c>/healthz</c>.</summary>
internal sealed record HealthResponse(string Status, int Hosts);

/// <summary>The answer of <c>POST /v1/migrations/targets</c>.</summary>
/// <param name="Candidates">Hosts that can take every device, best first.</param>
/// <param name="Rejected">Hosts not chosen, with why: close misses first, then drained hosts, then hosts with nothing compatible (at most <c>maxRejected</c>).</param>
/// <param name="HostsConsidered">Hosts searched (every indexed host but the source and drained hosts).</param>
/// <param name="Errors">What is wrong with the query (never with a 200).</param>
/// <param name="HostsAccepted">How many hosts can take the VM (before the limit).</param>
/// <param name="HostsRejected">How many hosts can take it only in part.</param>
/// <param name="HostsWithoutCompatibleResource">How many hosts have nothing compatible.</param>
/// <param name="Succeeded">True when the query was answered.</param>
/// <param name="HostsDrained">How many hosts are drained (besides the source).</param>
/// <param name="Explanation">The host named by <c>explainHost</c>, in full; null when none was asked.</param>
/// <param name="Vm">The VM the query named by <c>vm</c>, as found (its host is the source); null when the query gave devices.</param>
internal sealed record TargetsResponse(
    IReadOnlyList<CandidateResponse> Candidates,
    IReadOnlyList<RejectedHostResponse> Rejected,
    int HostsConsidered,
    IReadOnlyList<QueryErrorResponse> Errors,
    int HostsAccepted,
    int HostsRejected,
    int HostsWithoutCompatibleResource,
    bool Succeeded,
    int HostsDrained,
    HostExplanationResponse? Explanation,
    VmResponse? Vm)
{
    public static TargetsResponse From(TargetSearchResult result) => new(
        [.. Each(result.Candidates).Select(CandidateResponse.From)],
        [.. Each(result.Rejected).Select(host => new RejectedHostResponse(host.Host, [.. Each(host.Reasons).Select(r => new ReasonCountResponse(r.Code, r.Count))]))],
        result.HostsConsidered,
        [.. Each(result.Errors).Select(QueryErrorResponse.From)],
        result.HostsAccepted,
        result.HostsRejected,
        result.HostsWithoutCompatibleResource,
        result.Succeeded,
        result.HostsDrained,
        result.Explanation is { } explanation ? HostExplanationResponse.From(explanation) : null,
        result.Vm is { } vm ? VmResponse.From(vm) : null);

    internal static IEnumerable<T> Each<T>(System.Collections.Immutable.ImmutableArray<T> items) => items.IsDefault ? [] : items;

    internal static string LevelName(CompatibilityLevel level) => JsonNamingPolicy.CamelCase.ConvertName(level.ToString());
}

/// <summary>A host that can take every device of the VM.</summary>
/// <param name="Host">The host.</param>
/// <param name="Level"><c>live</c> or <c>cold</c>.</param>
/// <param name="Score">The rank key (live devices × 2³² + spare compatible capacity); compare it, do not show it.</param>
/// <param name="Assignments">One per VM device, in query order.</param>
internal sealed record CandidateResponse(string Host, string Level, long Score, IReadOnlyList<AssignmentResponse> Assignments)
{
    public static CandidateResponse From(TargetCandidate candidate) => new(
        candidate.Host,
        TargetsResponse.LevelName(candidate.Level),
        candidate.Score,
        [.. TargetsResponse.Each(candidate.Assignments).Select(AssignmentResponse.From)]);
}

/// <summary>Where one VM device goes on a candidate host.</summary>
internal sealed record AssignmentResponse(
    int DeviceIndex,
    string? SourceDeviceId,
    string ResourceKey,
    string? TargetDeviceId,
    string? Parent,
    string? TypeId,
    string Level,
    IReadOnlyList<DynamicResourceResponse> DynamicResources,
    IReadOnlyList<BindingResponse> Bindings,
    IReadOnlyList<ReasonResponse> Reasons,
    EvidenceResponse Evidence)
{
    public static AssignmentResponse From(DeviceAssignment assignment) => new(
        assignment.DeviceIndex,
        assignment.SourceDeviceId,
        assignment.ResourceKey,
        assignment.TargetDeviceId,
        assignment.Parent,
        assignment.TypeId,
        TargetsResponse.LevelName(assignment.Level),
        [.. TargetsResponse.Each(assignment.DynamicResources).Select(d => new DynamicResourceResponse(d.Field, d.Value))],
        [.. TargetsResponse.Each(assignment.Bindings).Select(b => new BindingResponse(b.Name, b.Value, b.BoundBy))],
        [.. TargetsResponse.Each(assignment.Reasons).Select(ReasonResponse.From)],
        EvidenceResponse.From(assignment.Evidence));
}

/// <summary>A value the new target instance must be created with.</summary>
internal sealed record DynamicResourceResponse(string Field, string Value);

/// <summary>A template variable binding of the verdict.</summary>
internal sealed record BindingResponse(string Name, string Value, string BoundBy);

/// <summary>
/// A rule that did not hold, in the one shape the CLI's <c>check --format json</c> writes too:
/// <c>code</c>, <c>field</c>, <c>source</c> (the source's value), <c>accepts</c> (what the target
/// accepts), <c>message</c>, <c>block</c> (the COMPATIBLE block, or null).
/// </summary>
internal sealed record ReasonResponse(string Code, string Field, string? Source, string? Accepts, string Message, int? Block)
{
    public static ReasonResponse From(Reason reason) => new(reason.Code, reason.Field, reason.SourceValue, reason.TargetAccepts, reason.Message, reason.Block);
}

/// <summary>
/// What vouches for a verdict, as <c>migcompat check --format json</c> writes it: <c>kind</c> is
/// <c>none</c>, <c>driver</c>, <c>rule-pack</c>, <c>profile</c>, <c>declaration</c> or
/// <c>identical-build</c>; <c>detail</c> names the pack, profile or build, for a person.
/// </summary>
internal sealed record EvidenceResponse(string Kind, string Detail)
{
    public static EvidenceResponse From(Evidence evidence) => new(evidence.KindName, evidence.Detail);
}

/// <summary>A host that cannot take the VM, and the reason codes with how many VM devices each concerns.</summary>
internal sealed record RejectedHostResponse(string Host, IReadOnlyList<ReasonCountResponse> Reasons);

/// <summary>One host explained for one VM: the search's outcome there and every device's verdict against every resource.</summary>
/// <param name="Host">The host.</param>
/// <param name="Outcome"><c>live</c>, <c>cold</c>, <c>rejected</c>, <c>drained</c> or <c>source</c>.</param>
/// <param name="Reasons">Why it was not chosen (empty for live and cold).</param>
/// <param name="Devices">Per VM device, in query order.</param>
internal sealed record HostExplanationResponse(string Host, string Outcome, IReadOnlyList<ReasonCountResponse> Reasons, IReadOnlyList<DeviceExplanationResponse> Devices)
{
    public static HostExplanationResponse From(HostExplanation explanation) => new(
        explanation.Host,
        explanation.Outcome,
        [.. TargetsResponse.Each(explanation.Reasons).Select(r => new ReasonCountResponse(r.Code, r.Count))],
        [.. TargetsResponse.Each(explanation.Devices).Select(d => new DeviceExplanationResponse(
            d.DeviceIndex,
            d.SourceDeviceId,
            [.. TargetsResponse.Each(d.Resources).Select(ResourceVerdictResponse.From)]))]);
}

/// <summary>One VM device against every resource of the explained host.</summary>
internal sealed record DeviceExplanationResponse(int DeviceIndex, string? SourceDeviceId, IReadOnlyList<ResourceVerdictResponse> Resources);

/// <summary>A VM device's verdict against one resource: the resource, its free units, and the verdict's level, reasons and evidence (the shapes of an assignment's).</summary>
internal sealed record ResourceVerdictResponse(string ResourceKey, string? TargetDeviceId, string? Parent, string? TypeId, int Free, string Level, IReadOnlyList<ReasonResponse> Reasons, EvidenceResponse Evidence)
{
    public static ResourceVerdictResponse From(ResourceVerdict resource) => new(
        resource.ResourceKey,
        resource.TargetDeviceId,
        resource.Parent,
        resource.TypeId,
        resource.Free,
        TargetsResponse.LevelName(resource.Verdict.Level),
        [.. TargetsResponse.Each(resource.Verdict.Reasons).Select(ReasonResponse.From)],
        EvidenceResponse.From(resource.Verdict.Evidence));
}

/// <summary>A reason code and how many VM devices it concerns.</summary>
internal sealed record ReasonCountResponse(string Code, int Count);

/// <summary>Something wrong with a target query, with a stable code.</summary>
internal sealed record QueryErrorResponse(string Code, string Message)
{
    public static QueryErrorResponse From(QueryError error) => new(error.Code, error.Message);
}
