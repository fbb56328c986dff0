using System.Text.RegularExpressions;

namespace MigCompat.Discovery.Tests.Design;

/// <summary>
/// The namespaces of MigCompat.Discovery (one folder each) depend on each other without cycles, so each
/// can be read, and replaced, on its own: Json and Inventory at the bottom, Sysfs at the top.
/// </summary>
public sealed partial class NamespaceDependencyTests
{
    [Fact]
    public void The_namespaces_of_discovery_form_no_cycle()
    {
        var source = Path.Combine(RepositoryRoot(), "src", "MigCompat.Discovery");
        var namespaces = Directory.GetDirectories(source).Select(Path.GetFileName).Where(n => n is not ("bin" or "obj")).Select(n => n!).ToHashSet(StringComparer.Ordinal);
        var uses = namespaces.ToDictionary(
            n => n,
            n => Directory.EnumerateFiles(Path.Combine(source, n), "*.cs", SearchOption.AllDirectories)
                .SelectMany(file => Reference().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
                .Where(used => used != n && namespaces.Contains(used))
                .ToHashSet(StringComparer.Ordinal),
            StringComparer.Ordinal);

        Assert.Contains("Sysfs", namespaces);
        foreach (var start in namespaces)
        {
            var cycle = FindCycle(start, uses, [start]);
            Assert.True(cycle is null, "namespace cycle: " + string.Join(" -> ", cycle ?? []));
        }
    }

    private static List<string>? FindCycle(string at, Dictionary<string, HashSet<string>> uses, List<string> path)
    {
        foreach (var next in uses[at].Order(StringComparer.Ordinal))
        {
            if (next == path[0])
            {
                return [.. path, next];
            }

            if (!path.Contains(next) && FindCycle(next, uses, [.. path, next]) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MigCompat.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("MigCompat.slnx not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"MigCompat\.Discovery\.([A-Z][A-Za-z]*)")]
    private static partial Regex Reference();
}
