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
        var settings = Settings(ConformanceLevel.Fragment, ignoreComments: true);
        if (!Precheck(content, context, settings))
        {
            return null;
        }

        var elements = new List<XElement>();
        try
        {
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

    /// <summary>
    /// The input as one document to edit and write back (whitespace and comments kept, line info set), with the
    /// same refusals as <see cref="LoadElements"/>; null when it is unusable (reported).
    /// </summary>
    public static XDocument? LoadDocument(string content, ImportContext context)
    {
        var settings = Settings(ConformanceLevel.Document, ignoreComments: false);
        if (!Precheck(content, context, settings))
        {
            return null;
        }

        try
        {
            using var text = new StringReader(content);
            using var reader = XmlReader.Create(text, settings);
            return XDocument.Load(reader, LoadOptions.PreserveWhitespace | LoadOptions.SetLineInfo);
        }
        catch (XmlException ex)
        {
            context.At(DiagnosticSeverity.Error, ImportCodes.Malformed, ex.LineNumber, ex.LinePosition, $"The input is not well-formed XML: {ex.Message}");
            return null;
        }
    }

    private static XmlReaderSettings Settings(ConformanceLevel conformance, bool ignoreComments) => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        ConformanceLevel = conformance,
        MaxCharactersInDocument = ImportLimits.MaxInputChars,
        MaxCharactersFromEntities = 1024,
        IgnoreComments = ignoreComments,
        IgnoreProcessingInstructions = ignoreComments,
    };

    /// <summary>Size, DTD, not-XML and nesting-depth refusals, in one streaming pass before any tree is built.</summary>
    private static bool Precheck(string content, ImportContext context, XmlReaderSettings settings)
    {
        if (!context.CheckSize(content))
        {
            return false;
        }

        if (content.Contains("<!DOCTYPE", StringComparison.OrdinalIgnoreCase))
        {
            var (line, column) = Position(content, content.IndexOf("<!DOCTYPE", StringComparison.OrdinalIgnoreCase));
            context.At(DiagnosticSeverity.Error, ImportCodes.DtdRefused, line, column, "The XML has a document type declaration (<!DOCTYPE ...>); DTDs are refused so entity expansion cannot be abused. Remove it; virsh output never has one.");
            return false;
        }

        if (InputKind.OfNonXml(content) is { } kind)
        {
            var start = content.Length - content.TrimStart().Length;
            var (line, column) = Position(content, start);
            context.At(DiagnosticSeverity.Error, ImportCodes.Malformed, line, column, $"The input is {kind}.");
            return false;
        }

        try
        {
            // Depth first, in one streaming pass: a deeply nested document is refused before any tree is built.
            using var probe = XmlReader.Create(new StringReader(content), settings);
            while (probe.Read())
            {
                if (probe.Depth > ImportLimits.MaxXmlDepth)
                {
                    var at = (IXmlLineInfo)probe;
                    context.At(DiagnosticSeverity.Error, ImportCodes.Malformed, at.LineNumber, at.LinePosition, $"The XML nests elements deeper than {ImportLimits.MaxXmlDepth} levels; virsh output is a few levels deep. It was not read; check that the right file was given.");
                    return false;
                }
            }
        }
        catch (XmlException ex)
        {
            context.At(DiagnosticSeverity.Error, ImportCodes.Malformed, ex.LineNumber, ex.LinePosition, $"The input is not well-formed XML: {ex.Message}");
            return false;
        }

        return true;
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
