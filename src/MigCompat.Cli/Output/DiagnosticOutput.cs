using System.Globalization;
using System.Text.Json;
using MigCompat.Core.Diagnostics;

namespace MigCompat.Cli.Output;

/// <summary>Writes diagnostics: as <c>FILE:LINE:COLUMN: error|warning CODE: message</c> lines for people, or as JSON objects.</summary>
internal static class DiagnosticOutput
{
    /// <summary>Writes each diagnostic on its own line.</summary>
    /// <param name="writer">Where to write (normally stderr).</param>
    /// <param name="diagnostics">The diagnostics.</param>
    public static void WriteLines(TextWriter writer, IEnumerable<Diagnostic> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
        {
            writer.Write(diagnostic.ToString());
            writer.Write('\n');
        }
    }

    /// <summary>Writes one diagnostic as a JSON object: file, line, column, severity, code, message.</summary>
    /// <param name="writer">The JSON writer.</param>
    /// <param name="diagnostic">The diagnostic.</param>
    public static void WriteJson(Utf8JsonWriter writer, Diagnostic diagnostic)
    {
        writer.WriteStartObject();
        if (diagnostic.File is null)
        {
            writer.WriteNull("file");
        }
        else
        {
            writer.WriteString("file", diagnostic.File);
        }

        writer.WriteNumber("line", diagnostic.Line);
        writer.WriteNumber("column", diagnostic.Column);
        writer.WriteString("severity", diagnostic.IsError ? "error" : "warning");
        writer.WriteString("code", diagnostic.Code);
        writer.WriteString("message", diagnostic.Message);
        writer.WriteEndObject();
    }

    /// <summary>A count with its noun: <c>1 error</c>, <c>2 errors</c>.</summary>
    /// <param name="count">The count.</param>
    /// <param name="noun">The singular noun.</param>
    /// <returns>The phrase.</returns>
    public static string Count(int count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? string.Empty : "s")}");
}
