using System.Collections.Immutable;
using System.Text.Json;
using MigCompat.Fleet.Storage;
using MigCompat.Server.Http;

namespace MigCompat.Server.Contracts;

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
    ImmutableArray<ResourceCapacity> Resources);

/// <summary>Every stored host, without inventories.</summary>
internal sealed record HostListResponse(int Count, ImmutableArray<HostSummary> Hosts);

/// <summary>A host's drain flag after a change.</summary>
internal sealed record DrainResponse(string Name, bool Drained);

/// <summary>A claim, with whether an identical earlier request created it.</summary>
internal sealed record ClaimResponse(Claim Claim, bool Replayed);

/// <summary>The answer of <c>/healthz</c>.</summary>
internal sealed record HealthResponse(string Status, int Hosts);
