using System.Collections.Immutable;
using MigCompat.Core.Diagnostics;
using MigCompat.Core.Model;

namespace MigCompat.Core.Syntax;

/// <summary>The outcome of reading a descriptor: the descriptor when there was no error, and every diagnostic.</summary>
/// <param name="Descriptor">The descriptor; null when any diagnostic is an error.</param>
/// <param name="Diagnostics">Errors and warnings, in input order.</param>
public sealed record ParseResult(Descriptor? Descriptor, ImmutableArray<Diagnostic> Diagnostics)
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(ParseResult? other) =>
        other is not null
        && Equals(Descriptor, other.Descriptor)
        && ArrayEquality.Equal(Diagnostics, other.Diagnostics);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Descriptor, ArrayEquality.Hash(Diagnostics));

    /// <summary>True when a descriptor was read (warnings allowed).</summary>
    public bool Success => Descriptor is not null;

    /// <summary>The errors only.</summary>
    public IEnumerable<Diagnostic> Errors => Diagnostics.Where(d => d.IsError);

    /// <summary>The warnings only.</summary>
    public IEnumerable<Diagnostic> Warnings => Diagnostics.Where(d => !d.IsError);
}
