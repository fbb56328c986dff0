namespace MigCompat.Server.Contracts;

/// <summary>The body of <c>POST /v1/claims</c>: resource units by <see cref="Items"/>, or the <see cref="Assignments"/> of a target answer (never both).</summary>
internal sealed record ClaimCreateRequest
{
    /// <summary>The host to claim on.</summary>
    public string? Host { get; init; }

    /// <summary>Units per resource key.</summary>
    public IReadOnlyList<ClaimItemRequest?>? Items { get; init; }

    /// <summary>Assignments copied from a target answer; each claims one unit of its resource key.</summary>
    public IReadOnlyList<AssignmentReference?>? Assignments { get; init; }

    /// <summary>How long the claim holds while pending, in seconds (300 by default).</summary>
    public int? TtlSeconds { get; init; }

    /// <summary>Optional key that makes a retried request return the same claim.</summary>
    public string? IdempotencyKey { get; init; }
}

/// <summary>Units of one resource.</summary>
internal sealed record ClaimItemRequest
{
    /// <summary>The resource key (<c>device:ID</c> or <c>type:PARENT/TYPEID</c>).</summary>
    public string? ResourceKey { get; init; }

    /// <summary>How many units (1 by default).</summary>
    public int? Count { get; init; }
}

/// <summary>The part of a target answer's assignment a claim needs.</summary>
internal sealed record AssignmentReference
{
    /// <summary>The resource key the assignment uses.</summary>
    public string? ResourceKey { get; init; }
}
