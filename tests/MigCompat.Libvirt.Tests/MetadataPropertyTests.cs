using System.Collections.Immutable;
using System.Xml.Linq;
using CsCheck;
using MigCompat.Discovery.Importers;
using MigCompat.Libvirt.Tests.Support;

namespace MigCompat.Libvirt.Tests;

/// <summary>The metadata written into a real domain XML reads back equal, whatever the claim and descriptors hold.</summary>
public sealed class MetadataPropertyTests
{
    /// <summary>Attribute values: no whitespace (the hook trims attributes), but everything XML must escape.</summary>
    private static readonly Gen<string> Token = Gen.String[Gen.Char["abcXYZ019:/._-<>&\"'éü€"], 1, 40];

    /// <summary>Descriptor text: lines, spaces, quotes, markup characters and non-ASCII, as element content keeps them.</summary>
    private static readonly Gen<string> Text = Gen.String[Gen.Char["abc=019 \n\"'<>&]]>#éü€"], 0, 200];

    private static readonly Gen<MigrationMetadata> Metadata =
        Gen.Select(
            Token,
            Token,
            Gen.OneOfConst("pending", "confirmed"),
            Gen.Long[0, 4_000_000_000L],
            Gen.Select(Token, Gen.Bool, Token, Text, (source, mdev, resource, descriptor) => new MetadataDevice(source, mdev, resource, descriptor)).Array[0, 5],
            (claim, host, state, seconds, devices) => new MigrationMetadata(claim, host, state, DateTimeOffset.FromUnixTimeSeconds(seconds), [.. devices]));

    [Fact]
    public void Metadata_written_into_a_domain_and_read_back_from_its_text_is_equal()
    {
        var domain = Peer.Domain("gpu-vm.xml");
        Metadata.Sample(metadata =>
        {
            var editable = LibvirtDomainReader.ReadEditable(domain, "domain.xml");
            MigrationMetadataXml.Write(editable.Domain!, metadata);
            var written = DomainXmlText.Write(editable.Document!);

            var read = MigrationMetadataXml.Read(XDocument.Parse(written, LoadOptions.PreserveWhitespace).Root!);

            Assert.Empty(read.Problems);
            Assert.Equal(metadata.Devices, read.Metadata!.Devices);
            Assert.Equal(metadata, read.Metadata);
        });
    }

    [Fact]
    public void Writing_twice_keeps_one_migcompat_element_and_every_other_application_element()
    {
        var domain = Peer.Domain("gpu-vm.xml")
            .Replace("</uuid>", "</uuid>\n  <metadata><app1:foo xmlns:app1=\"http://app1.org/app1/\">x</app1:foo></metadata>", StringComparison.Ordinal);
        Gen.Select(Metadata, Metadata).Sample((first, second) =>
        {
            var editable = LibvirtDomainReader.ReadEditable(domain, "domain.xml");
            MigrationMetadataXml.Write(editable.Domain!, first);
            MigrationMetadataXml.Write(editable.Domain!, second);
            var root = XDocument.Parse(DomainXmlText.Write(editable.Document!), LoadOptions.PreserveWhitespace).Root!;

            Assert.Equal(second, MigrationMetadataXml.Read(root).Metadata);
            Assert.Equal(["foo", "migration"], root.Elements("metadata").Elements().Select(e => e.Name.LocalName));
        });
    }
}
