using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MigCompat.Cli.Output;

/// <summary>Writes machine output: indented JSON, UTF-8 text unescaped, <c>\n</c> line ends, a final newline.</summary>
internal static class JsonOutput
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NewLine = "\n",
    };

    /// <summary>Builds a JSON document with <paramref name="write"/> and writes it to <paramref name="output"/>.</summary>
    /// <param name="output">Where to write (stdout).</param>
    /// <param name="write">Writes exactly one JSON value.</param>
    public static void Write(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            write(writer);
        }

        output.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        output.Write('\n');
    }

    /// <summary>Writes a string property, or null.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="name">The property name.</param>
    /// <param name="value">The value.</param>
    public static void WriteStringOrNull(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
