using System.Xml;
using System.Xml.Linq;
using MigCompat.Core.Diagnostics;

namespace MigCompat.Discovery.Importers;

/// <summary>
/// Safe XML loading for the libvirt importers: DTDs refused, no external resolution, a size limit,
/// and several top-level elements allowed (concatenated <c>virsh</c> outputs). Elements keep line info.
/// </summary>
internal static class XmlInput
{
    /// <summary>The top-level elements of the input, or null when it is unusable (reported).</summary>
    public static IReadOnlyList<XElement>? LoadElements(string content, ImportContext context)
    {
        if (!context.CheckSize(content))
        {
            return null;
        }

        if (content.Contains("<!DOCTYPE", StringComparison.OrdinalIgnoreCase))
        {
            var (line, column) = Position(content, content.IndexOf("<!DOCTYPE", StringComparison.OrdinalIgnoreCase));
            context.At(DiagnosticSeverity.Error, ImportCodes.DtdRefused, line, column, "The XML has a document type declaration (<!DOCTYPE ...>); DTDs are refused so entity expansion cannot be abused. Remove it; virsh output never has one.");
            return null;
        }

        if (InputKind.OfNonXml(content) is { } kind)
        {
            var start = content.Length - content.TrimStart().Length;
            var (line, column) = Position(content, start);
            context.At(DiagnosticSeverity.Error, ImportCodes.Malformed, line, column, $"The input is {kind}.");
            return null;
        }

        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            ConformanceLevel = ConformanceLevel.Fragment,
            MaxCharactersInDocument = ImportLimits.MaxInputChars,
            MaxCharactersFromEntities = 1024,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
        };

        var elements = new List<XElement>();
        try
        {
            // Depth first, in one streaming pass: a deeply nested document is refused before any tree is built.
            using (var probe = XmlReader.Create(new StringReader(content), settings))
            {
                while (probe.Read())
                {
                    if (probe.Depth > ImportLimits.MaxXmlDepth)
                    {
                        var at = (IXmlLineInfo)probe;
                        context.At(DiagnosticSeverity.Error, ImportCodes.Malformed, at.LineNumber, at.LinePosition, $"The XML nests elements deeper than {ImportLimits.MaxXmlDepth} levels; virsh output is a few levels deep. It was not read; check that the right file was given.");
                        return null;
                    }
                }
            }

            using var text = new StringReader(content);
            using var reader = XmlReader.Create(text, settings);
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element)
                {
                    using var subtree = reader.ReadSubtree();
                    elements.Add(XElement.Load(subtree, LoadOptions.SetLineInfo));
                }
                else if (reader.NodeType == XmlNodeType.Text || reader.NodeType == XmlNodeType.CDATA)
                {
                    var lineInfo = (IXmlLineInfo)reader;
                    context.At(DiagnosticSeverity.Warning, ImportCodes.Ignored, lineInfo.LineNumber, lineInfo.LinePosition, "Text outside any element is ignored.");
                }
            }
        }
        catch (XmlException ex)
        {
            context.At(DiagnosticSeverity.Error, ImportCodes.Malformed, ex.LineNumber, ex.LinePosition, $"The input is not well-formed XML: {ex.Message}");
            return null;
        }

        return elements;
    }

    /// <summary>The element's 1-based line and column, (0, 0) when unknown.</summary>
    public static (int Line, int Column) Position(XObject node) =>
        node is IXmlLineInfo info && info.HasLineInfo() ? (info.LineNumber, info.LinePosition) : (0, 0);

    private static (int Line, int Column) Position(string content, int index)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < index; i++)
        {
            if (content[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, index - lineStart + 1);
    }
}
