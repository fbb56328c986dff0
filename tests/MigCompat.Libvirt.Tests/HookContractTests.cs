using System.Xml.Linq;
using MigCompat.Discovery.Importers;
using MigCompat.Libvirt.Tests.Support;

namespace MigCompat.Libvirt.Tests;

/// <summary>
/// The hook as libvirt runs it (docs/hooks.rst): the built binary with <c>VM OPERATION SUB-OPERATION EXTRA</c>, the
/// domain XML on stdin; exit 0 lets the call go on and stdout (when not empty) replaces the XML; any other exit
/// cancels the incoming migration and stderr goes to libvirt's log. Inputs are libvirt's own domain XMLs; every
/// XML written is checked with Debian's virt-xml-validate.
/// </summary>
public sealed class HookContractTests
{
    private const string Mdev = "gpu-vm.xml";

    /// <summary>Domain XMLs with assigned VFIO devices whose source addresses are readable: this project's own, then libvirt's (when the workspace has them).</summary>
    public static TheoryData<string> RealDomains => new()
    {
        "gpu-vm.xml",
        "nic-vm-four-vfs.xml",
        "multidomain-vm.xml",
        "hostdev-mdev-display-ramfb.xml",
        "hostdev-mdev-display.xml",
        "hostdev-mdev-invalid-target-address.xml",
        "hostdev-mdev-precreated.xml",
        "hostdev-mdev-precreated.x86_64-latest.xml",
        "hostdev-subsys-mdev-vfio-ap.xml",
        "hostdev-subsys-mdev-vfio-ccw-boot.xml",
        "hostdev-subsys-mdev-vfio-ccw.xml",
        "hostdev-vfio-multidomain.xml",
        "hostdev-vfio-multidomain.x86_64-latest.xml",
        "hostdev-vfio.xml",
        "net-hostdev-vfio.xml",
    };

    [Theory]
    [MemberData(nameof(RealDomains))]
    public async Task Migrate_xml_then_the_hook_rewrite_every_device_to_its_claimed_target_and_change_nothing_else(string domain)
    {
        var input = Peer.Domain(domain);
        using var fixture = new Fixture(input);
        var inputIsValid = Peer.Validate(input).ExitCode == 0;

        var source = await Migcompat.RunAsync(["migrate-xml", "-", "--claim-file", fixture.ClaimPath, "--inventory", fixture.SourceInventoryPath, .. fixture.AssignOptions], input);
        Assert.True(source.ExitCode == 0, source.Stderr);
        Assert.Equal(SameExceptMigCompat(input), SameExceptMigCompat(source.Stdout));
        Assert.Single(MigCompatElements(source.Stdout));

        var hook = await Migcompat.RunAsync(["libvirt-hook", "QEMUGuest2", "migrate", "begin", "-"], source.Stdout, fixture.HookEnvironment);

        Assert.True(hook.ExitCode == 0, hook.Stderr);
        Assert.Equal("", hook.Stderr);
        var rewritten = LibvirtDomainReader.Read(hook.Stdout, "hook output").Devices!;
        Assert.Equal(fixture.Targets.Order(StringComparer.Ordinal), rewritten.MdevUuids.Concat(rewritten.PciAddresses).Order(StringComparer.Ordinal));
        Assert.Equal(WithoutSourceAddresses(source.Stdout), WithoutSourceAddresses(hook.Stdout));
        var before = source.Stdout.Split('\n');
        var after = hook.Stdout.Split('\n');
        Assert.Equal(before.Length, after.Length);
        Assert.All(before.Zip(after).Where(pair => pair.First != pair.Second), pair => Assert.Contains("<address ", pair.Second, StringComparison.Ordinal));
        if (inputIsValid)
        {
            Peer.AssertValid(source.Stdout, $"migrate-xml's output for {domain}");
            Peer.AssertValid(hook.Stdout, $"the hook's output for {domain}");
        }
    }

    public static TheoryData<string[]> CallsThatAreNotAnIncomingMigration => new()
    {
        new[] { "QEMUGuest2", "prepare", "begin", "-" },
        new[] { "QEMUGuest2", "start", "begin", "-" },
        new[] { "QEMUGuest2", "started", "begin", "-" },
        new[] { "QEMUGuest2", "stopped", "end", "-" },
        new[] { "QEMUGuest2", "release", "end", "-" },
        new[] { "QEMUGuest2", "restore", "begin", "-" },
        new[] { "QEMUGuest2", "reconnect", "begin", "-" },
        new[] { "QEMUGuest2", "attach", "begin", "-" },
        new[] { "QEMUGuest2", "migrate", "end", "-" },
        new[] { "--help-me", "start", "begin", "-" },
        new[] { "QEMUGuest2" },
        Array.Empty<string>(),
    };

    [Theory]
    [MemberData(nameof(CallsThatAreNotAnIncomingMigration))]
    public async Task Every_call_but_migrate_begin_prints_nothing_and_exits_0_even_for_a_vm_the_hook_would_refuse(string[] args)
    {
        var input = Peer.Domain(Mdev); // assigned an mdev, no MigCompat metadata: 'migrate begin' refuses it

        var run = await Migcompat.RunAsync(["libvirt-hook", .. args], input);

        Assert.Equal(new Run(0, "", ""), run);
    }

    [Theory]
    [MemberData(nameof(RealDomains))]
    public async Task A_vm_with_assigned_devices_but_no_migcompat_metadata_is_refused_with_the_reason_on_stderr(string domain)
    {
        var run = await Migcompat.RunAsync(["libvirt-hook", "vm1", "migrate", "begin", "-"], Peer.Domain(domain));

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.StartsWith("migcompat libvirt-hook: vm1: migration refused: NO_METADATA: the VM has ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vm_without_assigned_vfio_devices_passes_unchanged_without_any_inventory()
    {
        var document = XDocument.Parse(Peer.Domain(Mdev));
        document.Descendants("hostdev").Remove();

        var run = await Migcompat.RunAsync(["libvirt-hook", "vm1", "migrate", "begin", "-"], document.ToString(), new Dictionary<string, string> { ["MIGCOMPAT_HOOK_INVENTORY"] = "/nonexistent/inventory.json" });

        Assert.Equal(new Run(0, "", ""), run);
    }

    [Fact]
    public async Task The_hook_edits_the_source_address_in_place_and_leaves_every_other_byte_as_libvirt_wrote_it()
    {
        var input = Peer.Domain(Mdev);
        using var fixture = new Fixture(input);
        var xml = fixture.MigrationXml().Replace("<address uuid=\"" + fixture.Sources[0] + "\" />", "<address uuid='" + fixture.Sources[0] + "'/>", StringComparison.Ordinal);

        var hook = await Migcompat.RunAsync(["libvirt-hook", "vm1", "migrate", "begin", "-"], xml, fixture.HookEnvironment);

        Assert.True(hook.ExitCode == 0, hook.Stderr);
        Assert.Equal(xml.Replace("<address uuid='" + fixture.Sources[0] + "'/>", "<address uuid='" + fixture.Targets[0] + "'/>", StringComparison.Ordinal), hook.Stdout);
    }

    [Fact]
    public async Task A_pci_source_address_without_a_domain_attribute_gets_one_and_stays_valid()
    {
        var input = Peer.Domain("multidomain-vm.xml").Replace("<address domain='0x0021' bus='222' slot='31' function='1'/>", "<address bus='222' slot='31' function='1'/>", StringComparison.Ordinal);
        using var fixture = new Fixture(input);

        var hook = await Migcompat.RunAsync(["libvirt-hook", "vm1", "migrate", "begin", "-"], fixture.MigrationXml(), fixture.HookEnvironment);

        Assert.True(hook.ExitCode == 0, hook.Stderr);
        Assert.Equal(fixture.Targets, LibvirtDomainReader.Read(hook.Stdout, "hook output").Devices!.PciAddresses);
        Assert.Contains("domain=\"0x0000\"", hook.Stdout, StringComparison.Ordinal);
        Peer.AssertValid(hook.Stdout, "the hook's output for a PCI address without a domain");
        Assert.DoesNotContain("bus=\"0x06\"", hook.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Other_applications_metadata_stays_through_migrate_xml_and_the_hook()
    {
        var input = Peer.Domain(Mdev).Replace("</uuid>", "</uuid>\n  <metadata>\n    <app1:foo xmlns:app1=\"http://app1.org/app1/\">fooish</app1:foo>\n  </metadata>", StringComparison.Ordinal);
        using var fixture = new Fixture(input);

        var hook = await Migcompat.RunAsync(["libvirt-hook", "vm1", "migrate", "begin", "-"], fixture.MigrationXml(), fixture.HookEnvironment);

        Assert.Equal(0, hook.ExitCode);
        Assert.Contains("<app1:foo xmlns:app1=\"http://app1.org/app1/\">fooish</app1:foo>", hook.Stdout, StringComparison.Ordinal);
        Assert.Single(MigCompatElements(hook.Stdout));
        Peer.AssertValid(hook.Stdout, "the hook's output with other metadata");
    }

    [Fact]
    public async Task A_creatable_type_claim_takes_the_free_mdev_of_that_type_on_this_host()
    {
        using var fixture = new Fixture(Peer.Domain(Mdev));
        var claim = fixture.Claim with { Items = [new("type:mtty/mtty-2", 1)] };
        var xml = MigrateXml.Prepare(fixture.DomainXml, "domain.xml", claim, fixture.Source, new Dictionary<string, string>(), DateTimeOffset.UtcNow).Xml!;

        var hook = await Migcompat.RunAsync(["libvirt-hook", "vm1", "migrate", "begin", "-"], xml, fixture.HookEnvironment);

        Assert.True(hook.ExitCode == 0, hook.Stderr);
        Assert.Contains($"<address uuid=\"{fixture.Targets[0]}\" />", hook.Stdout, StringComparison.Ordinal);
    }

    private static List<XElement> MigCompatElements(string xml) =>
        [.. XDocument.Parse(xml).Root!.Elements("metadata").Elements().Where(e => e.Name.NamespaceName == MigrationMetadataXml.Namespace)];

    /// <summary>The document without MigCompat's element (and a metadata element left empty), insignificant whitespace dropped.</summary>
    private static string SameExceptMigCompat(string xml)
    {
        var document = XDocument.Parse(xml);
        document.Root!.Elements("metadata").Elements().Where(e => e.Name.NamespaceName.StartsWith(MigrationMetadataXml.NamespacePrefix, StringComparison.Ordinal)).Remove();
        document.Root.Elements("metadata").Where(m => !m.HasElements).Remove();
        return document.ToString();
    }

    private static string WithoutSourceAddresses(string xml)
    {
        var document = XDocument.Parse(xml);
        document.Root!.Element("devices")!.Elements().Elements("source").Elements("address").Remove();
        return document.ToString();
    }
}
