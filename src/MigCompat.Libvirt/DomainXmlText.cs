using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace MigCompat.Libvirt;

/// <summary>Writes an edited domain document back as text: no indentation added, the XML declaration only when the input had one.</summary>
internal static class DomainXmlText
{
    /// <summary>
    /// The original text with attribute values replaced in place, every other byte as it was; null when an
    /// attribute is missing or cannot be found where its line information points (then write the document).
    /// </summary>
    /// <param name="original">The text the document was read from.</param>
    /// <param name="changes">The attributes (of elements read from <paramref name="original"/> with line information) and their new values.</param>
    public static string? Splice(string original, IEnumerable<(XElement Element, string Name, string Value)> changes)
    {
        var edits = new List<(int Start, int Length, string Value)>();
        var lineStarts = new List<int> { 0 };
        for (var i = 0; i < original.Length; i++)
        {
            if (original[i] == '\n')
            {
                lineStarts.Add(i + 1);
            }
        }

        foreach (var (element, name, value) in changes)
        {
            if (element.Attribute(name) is not IXmlLineInfo { } at || !at.HasLineInfo() || at.LineNumber > lineStarts.Count)
            {
                return null;
            }

            var offset = lineStarts[at.LineNumber - 1] + at.LinePosition - 1;
            if (offset < 0 || offset >= original.Length || string.CompareOrdinal(original, offset, name, 0, name.Length) != 0)
            {
                return null;
            }

            var equals = original.IndexOf('=', offset + name.Length);
            var open = equals < 0 ? -1 : original.IndexOfAny(['\'', '"'], equals);
            var close = open < 0 ? -1 : original.IndexOf(original[open], open + 1);
            if (close < 0 || original.AsSpan(offset + name.Length, equals - offset - name.Length).Trim().Length > 0 || original.AsSpan(equals + 1, open - equals - 1).Trim().Length > 0)
            {
                return null;
            }

            edits.Add((open + 1, close - open - 1, value));
        }

        var text = new StringBuilder(original);
        foreach (var (start, length, value) in edits.OrderByDescending(e => e.Start))
        {
            text.Remove(start, length).Insert(start, value);
        }

        return text.ToString();
    }

    public static string Write(XDocument document)
    {
        var settings = new XmlWriterSettings
        {
            OmitXmlDeclaration = document.Declaration is null,
            Indent = false,
            NewLineHandling = NewLineHandling.None,
            Encoding = new UTF8Encoding(false),
        };
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, settings))
        {
            document.Save(writer);
        }

        var text = Encoding.UTF8.GetString(stream.ToArray());
        return text.EndsWith('\n') ? text : text + "\n";
    }
}
