using System.Collections.Immutable;
using MigCompat.Core.Formatting;
using MigCompat.Core.Matching;
using MigCompat.Fleet.Search;

namespace MigCompat.Fleet.Publishing;

/// <summary>
/// Builds a <see cref="SourceClassReport"/> from the index under its read lock: the distinct descriptors of
/// existing devices are the classes (the descriptor table has already made them distinct), and each class is
/// judged once against each distinct descriptor some resource has (<see cref="Matcher.Check(Core.Model.Descriptor, CompiledTarget)"/>);
/// only a live verdict counts.
/// </summary>
internal static class SourceClassBuilder
{
    public static SourceClassReport Build(DescriptorTable table, IEnumerable<HostEntry> hosts)
    {
        var entries = hosts.OrderBy(h => h.Name, StringComparer.Ordinal).ToList();
        var ids = new Dictionary<int, string>();
        var devices = new Dictionary<int, int>();
        var hostCounts = new Dictionary<int, int>();
        foreach (var entry in entries)
        {
            foreach (var descriptor in entry.DeviceDescriptors.Where(d => d >= 0))
            {
                devices[descriptor] = devices.GetValueOrDefault(descriptor) + 1;
            }

            foreach (var descriptor in entry.DeviceDescriptors.Where(d => d >= 0).Distinct())
            {
                hostCounts[descriptor] = hostCounts.GetValueOrDefault(descriptor) + 1;
                ids.TryAdd(descriptor, SourceClassId.For(table[descriptor].Descriptor));
            }
        }

        // Per target descriptor: the classes live onto it, with evidence; judged once per pair.
        var liveByTarget = new Dictionary<int, ImmutableArray<ClassAcceptance>>();
        ImmutableArray<ClassAcceptance> LiveOnto(int target)
        {
            if (!liveByTarget.TryGetValue(target, out var live))
            {
                var compiled = table[target];
                live = [.. ids
                    .Select(c => (Id: c.Value, Verdict: Matcher.Check(table[c.Key].Descriptor, compiled)))
                    .Where(v => v.Verdict.Level == CompatibilityLevel.Live)
                    .Select(v => new ClassAcceptance(v.Id, v.Verdict.Evidence))
                    .OrderBy(a => a.ClassId, StringComparer.Ordinal)];
                liveByTarget[target] = live;
            }

            return live;
        }

        var hostAcceptances = entries.Select(entry => new HostAcceptance(
            entry.Name,
            entry.Drained,
            [.. entry.DeviceIds.Select((id, i) => (id, d: entry.DeviceDescriptors[i])).Where(p => p.d >= 0).Select(p => new SourceDevice(p.id, ids[p.d]))],
            [.. entry.Resources
                .Select(r => new ResourceAcceptance(r.Key, r.Kind == ResourceKind.Device ? AcceptingResourceKind.Device : AcceptingResourceKind.CreatableType, r.Id, r.Parent, r.TypeId, r.Capacity, LiveOnto(r.DescriptorId)))
                .OrderBy(r => r.Key, StringComparer.Ordinal)]));

        return new SourceClassReport(
            [.. ids.Select(c => new SourceClass(c.Value, DescriptorFormatter.Format(table[c.Key].Descriptor), devices[c.Key], hostCounts[c.Key])).OrderBy(c => c.Id, StringComparer.Ordinal)],
            [.. hostAcceptances]);
    }
}
