using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using MigCompat.Fleet.Publishing;

namespace MigCompat.Kubernetes;

/// <summary>
/// KubeVirt's side: a label per source class on each node that has a resource accepting that class live
/// (<c>migcompat.dev/live.&lt;class&gt;: "true"</c>), and for a VM a <c>VirtualMachineInstanceMigration</c> whose
/// <c>spec.addedNodeSelector</c> requires the labels of every class its devices belong to. KubeVirt adds the selector to
/// the target pod's own, so it can only narrow where the VM goes (docs/integrations-kubernetes.md).
/// </summary>
public static class KubeVirtExport
{
    /// <summary>
    /// One <c>Node</c> per host with only MigCompat's labels, for <c>kubectl apply --server-side --field-manager=migcompat</c>
    /// (server-side apply also removes MigCompat labels no longer listed, and no one else's). A host that accepts nothing
    /// live is listed with no labels. Node name = MigCompat host name.
    /// </summary>
    /// <param name="report">Which resources accept which classes live.</param>
    public static IReadOnlyList<V1Node> NodeLabels(SourceClassReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return [.. report.Hosts.Select(host => new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta
            {
                Name = host.Host,
                Labels = LiveClasses(host).ToDictionary(KubernetesNames.LiveLabel, _ => "true", StringComparer.Ordinal),
            },
        })];
    }

    /// <summary>The classes some resource of <paramref name="host"/> accepts live, ordered.</summary>
    /// <param name="host">The host.</param>
    public static IEnumerable<string> LiveClasses(HostAcceptance host) =>
        host.Resources.SelectMany(r => r.Live).Select(l => l.ClassId).Distinct().Order(StringComparer.Ordinal);

    /// <summary>The hosts, other than <paramref name="source"/>, that carry every label of <paramref name="classIds"/>.</summary>
    /// <param name="report">The report.</param>
    /// <param name="classIds">The VM's classes.</param>
    /// <param name="source">The VM's host now, when known.</param>
    public static IReadOnlyList<string> NodesAccepting(SourceClassReport report, IReadOnlyCollection<string> classIds, string? source) =>
        [.. report.Hosts.Where(h => h.Host != source && !h.Drained && classIds.All(LiveClasses(h).Contains)).Select(h => h.Host)];

    /// <summary>A <c>VirtualMachineInstanceMigration</c> of VMI <paramref name="vmiName"/> restricted to nodes that accept every class in <paramref name="classIds"/> live.</summary>
    /// <param name="vmiName">The VMI (VM) name.</param>
    /// <param name="namespaceName">Its namespace, when given.</param>
    /// <param name="classIds">The classes of the VM's devices.</param>
    public static VirtualMachineInstanceMigration Migration(string vmiName, string? namespaceName, IEnumerable<string> classIds) => new()
    {
        Metadata = new V1ObjectMeta
        {
            GenerateName = KubernetesNames.ToDnsLabel(vmiName).Length > 40 ? KubernetesNames.ToDnsLabel(vmiName)[..40].TrimEnd('-') + "-migcompat-" : KubernetesNames.ToDnsLabel(vmiName) + "-migcompat-",
            NamespaceProperty = namespaceName,
            Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["app.kubernetes.io/managed-by"] = "migcompat" },
        },
        Spec = new VirtualMachineInstanceMigrationSpec
        {
            VmiName = vmiName,
            AddedNodeSelector = classIds.Distinct().Order(StringComparer.Ordinal).ToDictionary(KubernetesNames.LiveLabel, _ => "true", StringComparer.Ordinal),
        },
    };
}

/// <summary>KubeVirt's <c>VirtualMachineInstanceMigration</c> (kubevirt.io/v1), the fields MigCompat sets.</summary>
public sealed class VirtualMachineInstanceMigration : IKubernetesObject<V1ObjectMeta>
{
    /// <summary>Always <c>kubevirt.io/v1</c>.</summary>
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "kubevirt.io/v1";

    /// <summary>Always <c>VirtualMachineInstanceMigration</c>.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "VirtualMachineInstanceMigration";

    /// <summary>The object's metadata.</summary>
    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>The migration's spec.</summary>
    [JsonPropertyName("spec")]
    public VirtualMachineInstanceMigrationSpec Spec { get; set; } = new();
}

/// <summary>The spec of a <see cref="VirtualMachineInstanceMigration"/>.</summary>
public sealed class VirtualMachineInstanceMigrationSpec
{
    /// <summary>The VMI to migrate.</summary>
    [JsonPropertyName("vmiName")]
    public string VmiName { get; set; } = string.Empty;

    /// <summary>Node labels the target pod must also match (added to the VMI's own selector and affinity).</summary>
    [JsonPropertyName("addedNodeSelector")]
    public IDictionary<string, string> AddedNodeSelector { get; set; } = new Dictionary<string, string>();
}
