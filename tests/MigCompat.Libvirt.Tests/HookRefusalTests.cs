using MigCompat.Libvirt.Tests.Support;

namespace MigCompat.Libvirt.Tests;

/// <summary>
/// First law at the last gate: an incoming VM with assigned devices goes through only when everything needed to say
/// "live" is known. Every refusal is exit 1, nothing on stdout (libvirt keeps nothing), and every reason on stderr as
/// one line libvirt's log can hold; hostile input is refused the same way, never with a crash.
/// </summary>
public sealed class HookRefusalTests
{
    private const string Prefix = "migcompat libvirt-hook: QEMUGuest2: migration refused: ";

    /// <summary>A case: how to change the fixture's migration XML and the hook's environment, and the code expected.</summary>
    public sealed record Case(string Name, Func<Fixture, string> Stdin, string Code, string? TargetStreamVersion = null, bool? TargetInUse = false, Dictionary<string, string>? Environment = null)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases => new()
    {
        new Case("a claim for another host", f => f.MigrationXml(), "CLAIM_OTHER_HOST", Environment: new() { ["MIGCOMPAT_HOOK_HOST"] = "gpu-other" }),
        new Case("a pending claim past its expiry", f => f.MigrationXml().Replace("state=\"confirmed\"", "state=\"pending\"", StringComparison.Ordinal).Replace(Expires(f), "2026-01-01T00:00:00Z", StringComparison.Ordinal), "CLAIM_NOT_ACTIVE"),
        new Case("a released claim", f => f.MigrationXml().Replace("state=\"confirmed\"", "state=\"released\"", StringComparison.Ordinal), "CLAIM_NOT_ACTIVE"),
        new Case("no descriptor for the device", f => Descriptor(f.MigrationXml(), ""), "DESCRIPTOR_UNKNOWN"),
        new Case("a descriptor that does not parse", f => Descriptor(f.MigrationXml(), "SELF:\n  this is not a field\n"), "DESCRIPTOR_UNKNOWN"),
        new Case("a claimed device this host does not have", f => f.MigrationXml().Replace("resource=\"device:" + f.Targets[0], "resource=\"device:bbbbbbbb-0000-4000-8000-000000000000", StringComparison.Ordinal), "TARGET_UNKNOWN"),
        new Case("a claimed resource key of no known form", f => f.MigrationXml().Replace("resource=\"device:" + f.Targets[0], "resource=\"gpu:" + f.Targets[0], StringComparison.Ordinal), "TARGET_UNKNOWN"),
        new Case("a claimed device in use on this host", f => f.MigrationXml(), "TARGET_UNKNOWN", TargetInUse: true),
        new Case("a target that cannot load the device state (cold)", f => f.MigrationXml(), "VALUE_MISMATCH", TargetStreamVersion: "2.0"),
        new Case("metadata about another device", f => f.MigrationXml().Replace("source=\"" + f.Sources[0], "source=\"cccccccc-0000-4000-8000-000000000000", StringComparison.Ordinal), "DEVICE_NOT_IN_METADATA"),
        new Case("two MigCompat elements", f => Twice(f.MigrationXml()), "BAD_METADATA"),
        new Case("MigCompat metadata of another version", f => f.MigrationXml().Replace("xmlns/migration/1", "xmlns/migration/2", StringComparison.Ordinal), "BAD_METADATA"),
        new Case("MigCompat metadata without its claim", f => f.MigrationXml().Replace(" claim=\"" + Fixture.ClaimId + "\"", "", StringComparison.Ordinal), "BAD_METADATA"),
        new Case("only another application's metadata", f => f.MigrationXml().Replace("https://migcompat.dev/xmlns/migration/1", "http://example.org/other/1", StringComparison.Ordinal), "NO_METADATA"),
        new Case("no inventory of this host", f => f.MigrationXml(), "NO_INVENTORY", Environment: new() { ["MIGCOMPAT_HOOK_INVENTORY"] = "/nonexistent/inventory.json" }),
        new Case("malformed XML", f => f.MigrationXml()[..(f.MigrationXml().Length / 2)], "BAD_DOMAIN_XML"),
        new Case("a document type declaration", f => "<!DOCTYPE domain [<!ENTITY a \"aaaa\">]>\n" + f.MigrationXml(), "BAD_DOMAIN_XML"),
        new Case("a huge input", f => f.MigrationXml().Replace("</domain>", "<!--" + new string('x', 17 * 1024 * 1024) + "--></domain>", StringComparison.Ordinal), "BAD_DOMAIN_XML"),
        new Case("nothing on stdin", f => "", "BAD_DOMAIN_XML"),
        new Case("JSON instead of XML", f => "{\"domain\": \"QEMUGuest2\"}", "BAD_DOMAIN_XML"),
        new Case("a node device instead of a domain", f => "<device><name>mdev_x</name></device>", "BAD_DOMAIN_XML"),
        new Case("an mdev hostdev without a usable source address", f => Peer.Domain("gpu-vm-no-source-address.xml"), "UNREADABLE_DEVICE"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_hook_refuses_with_exit_1_nothing_on_stdout_and_every_reason_on_its_own_line(Case refusal)
    {
        using var fixture = new Fixture(Peer.Domain("gpu-vm.xml"), refusal.TargetStreamVersion ?? "1.0", refusal.TargetInUse);
        var environment = fixture.HookEnvironment;
        foreach (var (name, value) in refusal.Environment ?? [])
        {
            environment[name] = value;
        }

        var run = await Migcompat.RunAsync(["libvirt-hook", "QEMUGuest2", "migrate", "begin", "-"], refusal.Stdin(fixture), environment);

        Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}\n{run.Stderr}");
        Assert.Equal("", run.Stdout);
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.StartsWith(Prefix, line, StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith(Prefix + refusal.Code + ": ", StringComparison.Ordinal));
        Assert.DoesNotContain("Exception", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_an_inventory_file_the_hook_scans_this_host_and_refuses_a_target_it_does_not_have()
    {
        using var fixture = new Fixture(Peer.Domain("gpu-vm.xml"));

        var run = await Migcompat.RunAsync(["libvirt-hook", "QEMUGuest2", "migrate", "begin", "-"], fixture.MigrationXml());

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains(Prefix + $"CLAIM_OTHER_HOST: claim {Fixture.ClaimId} is for host {Fixture.TargetHost}, not this host ({Environment.MachineName})", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(Prefix + $"TARGET_UNKNOWN: mdev {fixture.Sources[0]}: claimed device {fixture.Targets[0]} is not in this host's inventory", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cold_verdict_names_the_field_the_values_and_the_evidence_in_one_line()
    {
        using var fixture = new Fixture(Peer.Domain("gpu-vm.xml"), targetStreamVersion: "2.0");

        var run = await Migcompat.RunAsync(["libvirt-hook", "QEMUGuest2", "migrate", "begin", "-"], fixture.MigrationXml(), fixture.HookEnvironment);

        Assert.Equal(
            Prefix + $"VALUE_MISMATCH: mdev {fixture.Sources[0]} -> {fixture.Targets[0]}: stream_version: the source has 1.0, the target 2.0; without a COMPATIBLE declaration the values must be equal. (verdict cold; evidence: rule-pack mtty 1 (shipped:mtty.rules))\n",
            run.Stderr);
    }

    private static string Expires(Fixture fixture) =>
        fixture.Claim.ExpiresAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    private static string Descriptor(string xml, string text)
    {
        var start = xml.IndexOf("<migcompat:descriptor>", StringComparison.Ordinal) + "<migcompat:descriptor>".Length;
        var end = xml.IndexOf("</migcompat:descriptor>", StringComparison.Ordinal);
        return xml[..start] + text + xml[end..];
    }

    private static string Twice(string xml)
    {
        var start = xml.IndexOf("<migcompat:migration", StringComparison.Ordinal);
        var end = xml.IndexOf("</migcompat:migration>", StringComparison.Ordinal) + "</migcompat:migration>".Length;
        return xml[..end] + xml[start..end] + xml[end..];
    }
}
