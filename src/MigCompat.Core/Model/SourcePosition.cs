namespace MigCompat.Core.Model;

/// <summary>Where something was written: file, 1-based line and column (0 when unknown). Not part of equality.</summary>
/// <param name="File">The file or input name, when known.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public readonly record struct SourcePosition(string? File, int Line, int Column)
{
    /// <summary>No known position.</summary>
    public static SourcePosition None => default;
}
