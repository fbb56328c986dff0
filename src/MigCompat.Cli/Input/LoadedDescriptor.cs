using System.Collections.Immutable;
using MigCompat.Core.Diagnostics;
using MigCompat.Core.Model;

namespace MigCompat.Cli.Input;

/// <summary>A descriptor read from one command-line input, with everything that was said about it.</summary>
/// <param name="Name">The input as the user wrote it.</param>
/// <param name="Descriptor">The descriptor; null when any diagnostic is an error.</param>
/// <param name="Diagnostics">Errors and warnings, in input order.</param>
internal sealed record LoadedDescriptor(string Name, Descriptor? Descriptor, ImmutableArray<Diagnostic> Diagnostics)
{
    /// <summary>True when a descriptor was read (warnings allowed).</summary>
    public bool Success => Descriptor is not null;
}
