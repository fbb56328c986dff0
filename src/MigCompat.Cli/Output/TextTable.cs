using System.Text;

namespace MigCompat.Cli.Output;

/// <summary>
/// A plain column-aligned table for people, like <c>dotnet list package</c>: a header row, columns
/// separated by two spaces, no trailing spaces, no colours, no wrapping (so it greps and diffs well).
/// Missing values print as <c>-</c>; line breaks inside a cell print as <c>\n</c>.
/// </summary>
internal sealed class TextTable
{
    private readonly string[] headers;
    private readonly List<string[]> rows = [];

    /// <summary>Creates a table with the given column headers.</summary>
    /// <param name="headers">The column headers.</param>
    public TextTable(params string[] headers)
    {
        this.headers = headers;
    }

    /// <summary>How many rows were added.</summary>
    public int Count => rows.Count;

    /// <summary>Adds a row; it must have one cell per header.</summary>
    /// <param name="cells">The cells; null prints as <c>-</c>.</param>
    public void Add(params string?[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"expected {headers.Length} cells, got {cells.Length}", nameof(cells));
        }

        rows.Add([.. cells.Select(Clean)]);
    }

    /// <summary>Writes the table, each line prefixed with <paramref name="indent"/>.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="indent">The prefix of every line.</param>
    public void Write(TextWriter writer, string indent = "")
    {
        var widths = new int[headers.Length];
        foreach (var row in rows.Prepend(headers))
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (var row in rows.Prepend(headers))
        {
            var line = new StringBuilder(indent);
            for (var i = 0; i < row.Length; i++)
            {
                line.Append(row[i]);
                if (i < row.Length - 1)
                {
                    line.Append(' ', widths[i] - row[i].Length + 2);
                }
            }

            writer.Write(line.ToString().TrimEnd());
            writer.Write('\n');
        }
    }

    private static string Clean(string? cell) =>
        string.IsNullOrEmpty(cell) ? "-" : cell.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
