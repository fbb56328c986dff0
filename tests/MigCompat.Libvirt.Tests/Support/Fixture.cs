using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using MigCompat.Discovery.Importers;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Libvirt.Tests.Support;

/// <summary>
/// A source and a destination host for one domain XML: the source inventory has every VFIO device the domain is
/// assigned, the destination a free device of the same kind for each (other ids), and a confirmed claim holds them.
/// The descriptors are mtty's (a driver that migrates, vouched for by its rule pack), so the verdict is live unless
/// a test changes the target. Files live in a temporary directory.
/// </summary>
public sealed class Fixture : IDisposable
{
    public const string SourceHost = "gpu-src";
    public const string TargetHost = "gpu-dst";
    public const string ClaimId = "c8f0e4d2-0000-4000-8000-000000000001";

    public Fixture(string domainXml, string targetStreamVersion = "1.0", bool? targetInUse = false)
    {
        Directory.CreateDirectory(Root);
        DomainXml = domainXml;
        var hostdevs = LibvirtDomainReader.ReadEditable(domainXml, "domain.xml").Hostdevs;
        Sources = [.. hostdevs.Select(h => h.Id)];
        Targets = [.. hostdevs.Select((h, i) => h.IsMdev ? $"aaaaaaaa-0000-4000-8000-{i:d12}" : string.Create(CultureInfo.InvariantCulture, $"0000:af:{i / 8:x2}.{i % 8}"))];
        var now = DateTimeOffset.UtcNow;
        Source = new HostInventory(1, SourceHost, now, [.. hostdevs.Select(h => Device(h.Id, h.IsMdev, "1.0", true))], [], []);
        Target = new HostInventory(1, TargetHost, now, [.. hostdevs.Select((h, i) => Device(Targets[i], h.IsMdev, targetStreamVersion, targetInUse))], [], []);
        File.WriteAllText(SourceInventoryPath, InventoryJson.Serialize(Source));
        File.WriteAllText(TargetInventoryPath, InventoryJson.Serialize(Target));
        Claim = new ClaimDocument(ClaimId, TargetHost, "confirmed", now.AddHours(1), [.. Targets.Distinct().Select(t => new KeyValuePair<string, int>("device:" + t, 1))]);
        File.WriteAllText(ClaimPath, ClaimJson(Claim));
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "migcompat-libvirt-" + Guid.NewGuid().ToString("N"));

    public string DomainXml { get; }

    /// <summary>The domain's assigned devices (mdev UUIDs and PCI addresses) in document order.</summary>
    public ImmutableArray<string> Sources { get; }

    /// <summary>The destination device claimed for each of <see cref="Sources"/>.</summary>
    public ImmutableArray<string> Targets { get; }

    public HostInventory Source { get; }

    public HostInventory Target { get; }

    public ClaimDocument Claim { get; }

    public string SourceInventoryPath => Path.Combine(Root, "source-inventory.json");

    public string TargetInventoryPath => Path.Combine(Root, "target-inventory.json");

    public string ClaimPath => Path.Combine(Root, "claim.json");

    /// <summary>The environment of the destination's hook: this fixture's destination inventory.</summary>
    public Dictionary<string, string> HookEnvironment => new() { ["MIGCOMPAT_HOOK_INVENTORY"] = TargetInventoryPath };

    /// <summary>Source device → claimed resource, as migrate-xml's --assign takes them.</summary>
    public Dictionary<string, string> Assignments => Sources.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => "device:" + Targets[p.i], StringComparer.OrdinalIgnoreCase);

    /// <summary>The --assign options for the binary.</summary>
    public IEnumerable<string> AssignOptions => Assignments.SelectMany(a => new[] { "--assign", $"{a.Key}={a.Value}" });

    /// <summary>The domain XML with MigCompat's metadata, as migrate-xml writes it (in-process).</summary>
    public string MigrationXml(ClaimDocument? claim = null)
    {
        var result = MigrateXml.Prepare(DomainXml, "domain.xml", claim ?? Claim, Source, Assignments, DateTimeOffset.UtcNow);
        Assert.True(result.Xml is not null, string.Join("\n", result.Diagnostics));
        return result.Xml!;
    }

    public static string ClaimJson(ClaimDocument claim) => JsonSerializer.Serialize(new
    {
        claim = new
        {
            id = claim.Id,
            host = claim.Host,
            items = claim.Items.Select(i => new { resourceKey = i.Key, count = i.Value }),
            state = claim.State,
            createdAt = claim.ExpiresAt.AddMinutes(-5),
            expiresAt = claim.ExpiresAt,
            idempotencyKey = (string?)null,
            isActive = claim.State is "pending" or "confirmed",
        },
        replayed = false,
    });

    public static InventoryDevice Device(string id, bool isMdev, string streamVersion, bool? inUse)
    {
        KeyValuePair<string, string>[] self =
        [
            new("device_api", "vfio-pci"),
            .. isMdev ? new KeyValuePair<string, string>[] { new("mdev_type", "mtty-2") } : [],
            new("stream_version", streamVersion),
            new("nr_ports", "2"),
            new("rule.stream_version", "exact"),
            new("migration.capable", "yes"),
            new("migration.evidence", "rule-pack mtty 1 (shipped:mtty.rules)"),
        ];
        return new InventoryDevice(
            id,
            isMdev ? DeviceKind.Mdev : DeviceKind.SriovVf,
            "vfio-pci",
            isMdev ? "mtty-2" : null,
            isMdev ? "mtty" : "0000:af:00.0",
            isMdev ? "mtty" : "mlx5_vfio_pci",
            null,
            null,
            null,
            null,
            inUse,
            new DescriptorFields([.. self], [], [], DescriptorOrigin.Profile, "test fixture"));
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
