using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace MigCompat.Libvirt;

/// <summary>Writes an edited domain document back as text: no indentation added, the XML declaration only when the input had one.</summary>
internal static class DomainXmlText
{
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
