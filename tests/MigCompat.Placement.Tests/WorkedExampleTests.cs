using MigCompat.Discovery.Inventory;

namespace MigCompat.Placement.Tests;

/// <summary>The worked example of docs/integrations-openstack.md, on a Placement of its own (its trait must not exist before).</summary>
public sealed class WorkedExampleTests(PlacementServer placement) : IClassFixture<PlacementServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_worked_example_of_the_openstack_doc_runs_as_written_and_prints_its_summaries()
    {
        placement.Require();
        var root = RepositoryRoot();
        var tree = new System.Diagnostics.ProcessStartInfo("sh", [Path.Combine(root, "docs/examples/nova-provider-tree.sh")]) { RedirectStandardOutput = true, RedirectStandardError = true };
        tree.Environment["PLACEMENT"] = placement.Endpoint.ToString().TrimEnd('/');
        using (var script = System.Diagnostics.Process.Start(tree)!)
        {
            var error = await script.StandardError.ReadToEndAsync(Ct);
            await script.WaitForExitAsync(Ct);
            Assert.True(script.ExitCode == 0, error);
        }

        var hosts = new[] { "gpu-01", "gpu-02" }.Select(h => InventoryJson.Read(File.ReadAllText(Path.Combine(root, $"docs/examples/fleet-{h}.json"))).Inventory!).ToArray();
        await using var fleet = await TestFleet.StartAsync(hosts);
        string[] sync = ["placement", "sync", "--server", fleet.Url, "--token", TestFleet.ReadToken, "--placement", placement.Endpoint.ToString(), "--placement-token", "admin"];
        var doc = await File.ReadAllTextAsync(Path.Combine(root, "docs/integrations-openstack.md"), Ct);

        foreach (var run in new[] { await PlacementSyncTests.RunAsync([.. sync, "--dry-run"]), await PlacementSyncTests.RunAsync(sync), await PlacementSyncTests.RunAsync(sync) })
        {
            Assert.True(run.Code == 0, run.Stderr);
            Assert.Contains(run.Stdout + run.Stderr.Trim(), doc, StringComparison.Ordinal);
        }

        Assert.Equal("CUSTOM_MIGCOMPAT_LIVE_NVIDIA_63_55CZMA4GCZ", await fleet.SourceTraitAsync());
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MigCompat.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("MigCompat.slnx not found above " + AppContext.BaseDirectory);
    }
}
