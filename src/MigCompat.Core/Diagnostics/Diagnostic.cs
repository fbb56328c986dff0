using System.Globalization;

namespace MigCompat.Core.Diagnostics;

/// <summary>How serious a diagnostic is.</summary>
public enum DiagnosticSeverity
{
    /// <summary>The input is usable but probably not what its author meant.</summary>
    Warning,

    /// <summary>The input cannot be used as written.</summary>
    Error,
}

/// <summary>
/// A problem found in an input, located by file, line and column (both 1-based; 0 when unknown),
/// with a stable code and a message a person can act on.
/// </summary>
/// <param name="Severity">Error or warning.</param>
/// <param name="Code">A stable code, e.g. <c>MC1001</c>; the codes are listed in <c>docs/format.md</c>.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
/// <param name="File">The file (or other input name) the problem is in, when known.</param>
/// <param name="Line">1-based line, 0 when unknown.</param>
/// <param name="Column">1-based column, 0 when unknown.</param>
public sealed record Diagnostic(DiagnosticSeverity Severity, string Code, string Message, string? File, int Line, int Column)
{
    /// <summary>True for <see cref="DiagnosticSeverity.Error"/>.</summary>
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>Creates an error.</summary>
    public static Diagnostic Error(string code, string message, string? file, int line, int column) =>
        new(DiagnosticSeverity.Error, code, message, file, line, column);

    /// <summary>Creates a warning.</summary>
    public static Diagnostic Warning(string code, string message, string? file, int line, int column) =>
        new(DiagnosticSeverity.Warning, code, message, file, line, column);

    /// <summary>The diagnostic as <c>FILE:LINE:COLUMN: error|warning CODE: message</c>.</summary>
    public override string ToString()
    {
        var severity = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        return string.Create(CultureInfo.InvariantCulture, $"{File ?? "<input>"}:{Line}:{Column}: {severity} {Code}: {Message}");
    }
}
