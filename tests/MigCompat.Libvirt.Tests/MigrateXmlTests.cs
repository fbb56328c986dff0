using MigCompat.Libvirt.Tests.Support;

namespace MigCompat.Libvirt.Tests;

/// <summary>The source side: what migrate-xml writes, and when it writes nothing but says why (file, line, column, code).</summary>
public sealed class MigrateXmlTests
{
    private const string Mdev = "gpu-vm.xml";
    private const string FourVfs = "nic-vm-four-vfs.xml";

    public sealed record Case(string Name, string Domain, Func<Fixture, ClaimDocument> Claim, Func<Fixture, Dictionary<string, string>> Assignments, string Code, int Line)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Refusals => new()
    {
        new Case("a released claim", Mdev, f => f.Claim with { State = "released" }, f => f.Assignments, "MCL003", 1),
        new Case("a pending claim past its expiry", Mdev, f => f.Claim with { State = "pending", ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) }, f => f.Assignments, "MCL003", 1),
        new Case("several PCI devices and several device claims, none assigned", FourVfs, f => f.Claim, f => [], "MCL005", 33),
        new Case("a claim with fewer units than devices", FourVfs, f => f.Claim with { Items = [f.Claim.Items[0]] }, f => new() { [f.Sources[0]] = f.Claim.Items[0].Key }, "MCL005", 38),
        new Case("an assignment to a device the domain does not have", Mdev, f => f.Claim, f => new() { ["0000:00:1f.7"] = f.Claim.Items[0].Key }, "MCL006", 1),
        new Case("an assignment to a resource the claim does not hold", Mdev, f => f.Claim, f => new() { [f.Sources[0]] = "device:dddddddd-0000-4000-8000-000000000000" }, "MCL006", 33),
        new Case("a device the source inventory does not have", Mdev, f => f.Claim, f => f.Assignments, "MCL004", 33),
        new Case("an mdev hostdev without a usable source address", "gpu-vm-no-source-address.xml", f => f.Claim, f => [], "MCL001", 0),
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Migrate_xml_writes_nothing_and_locates_the_problem(Case refusal)
    {
        using var fixture = new Fixture(Peer.Domain(refusal.Domain));
        var source = refusal.Code == "MCL004" ? fixture.Source with { Devices = [] } : fixture.Source;

        var result = MigrateXml.Prepare(fixture.DomainXml, "vm.xml", refusal.Claim(fixture), source, refusal.Assignments(fixture), DateTimeOffset.UtcNow);

        Assert.Null(result.Xml);
        var error = result.Diagnostics.First(d => d.IsError);
        Assert.Equal(refusal.Code, error.Code);
        Assert.Equal("vm.xml", error.File);
        if (refusal.Line > 0)
        {
            Assert.Equal(refusal.Line, error.Line);
        }
    }

    [Fact]
    public void A_domain_without_assigned_devices_gets_no_metadata()
    {
        using var fixture = new Fixture(Peer.Domain(Mdev));
        var domain = fixture.DomainXml.Replace("type='mdev'", "type='usb'", StringComparison.Ordinal);

        var result = MigrateXml.Prepare(domain, "vm.xml", fixture.Claim, fixture.Source, fixture.Assignments, DateTimeOffset.UtcNow);

        Assert.Null(result.Xml);
        Assert.Contains(result.Diagnostics, d => d.Code == "MCL002");
    }

    [Fact]
    public void One_device_and_one_claimed_resource_need_no_assignment()
    {
        using var fixture = new Fixture(Peer.Domain(Mdev));

        var result = MigrateXml.Prepare(fixture.DomainXml, "vm.xml", fixture.Claim, fixture.Source, new Dictionary<string, string>(), DateTimeOffset.UtcNow);

        Assert.Empty(result.Diagnostics);
        Assert.Contains($"resource=\"device:{fixture.Targets[0]}\"", result.Xml, StringComparison.Ordinal);
    }

    [Fact]
    public void Writing_the_metadata_again_replaces_it_instead_of_adding_a_second_element()
    {
        using var fixture = new Fixture(Peer.Domain(FourVfs));
        var once = fixture.MigrationXml();

        var twice = MigrateXml.Prepare(once, "vm.xml", fixture.Claim, fixture.Source, fixture.Assignments, DateTimeOffset.UtcNow);

        Assert.Equal(once, twice.Xml);
    }

    [Fact]
    public void The_metadata_reads_back_as_written_with_each_device_its_resource_and_its_descriptor()
    {
        using var fixture = new Fixture(Peer.Domain(FourVfs));

        var read = MigrationMetadataXml.Read(System.Xml.Linq.XDocument.Parse(fixture.MigrationXml()).Root!);

        Assert.Empty(read.Problems);
        Assert.Equal(new MigrationMetadata(Fixture.ClaimId, Fixture.TargetHost, "confirmed", TruncatedToSeconds(fixture.Claim.ExpiresAt), [.. fixture.Sources.Select((s, i) => new MetadataDevice(s, false, "device:" + fixture.Targets[i], Descriptor(fixture, s)))]), read.Metadata);
    }

    [Fact]
    public void Every_xml_migrate_xml_writes_for_libvirts_domains_is_valid_for_libvirt()
    {
        foreach (var domain in HookContractTests.RealDomains.Select(row => row.Data).Where(Peer.HasDomain))
        {
            var input = Peer.Domain(domain);
            if (Peer.Validate(input).ExitCode != 0)
            {
                continue; // written for a newer libvirt than Debian's schema; the output can be no better
            }

            using var fixture = new Fixture(input);
            Peer.AssertValid(fixture.MigrationXml(), $"migrate-xml's output for {domain}");
        }
    }

    private static string Descriptor(Fixture fixture, string source)
    {
        var fields = fixture.Source.Devices.Single(d => d.Id == source).Descriptor.Parse(null).Descriptor!;
        return Core.Formatting.DescriptorFormatter.Format(fields);
    }

    private static DateTimeOffset TruncatedToSeconds(DateTimeOffset time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), time.Offset);
}
