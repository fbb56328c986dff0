using MigCompat.Core.Matching;
using MigCompat.Fleet.Generation;
using MigCompat.Fleet.Search;

namespace MigCompat.Fleet.Tests.Search;

public class ConcurrencyTests
{
    [Fact]
    public async Task Readers_get_consistent_answers_while_writers_upsert_drain_and_claim()
    {
        using var index = new FleetIndex();
        var fleet = FleetGenerator.Generate(400, seed: 7).ToList();
        foreach (var host in fleet.Take(200))
        {
            index.Upsert(host);
        }

        var source = fleet[0];
        var vmDevices = source.Devices.Where(d => d.MdevType is not null).Take(2).Select(d => new VmDeviceRef(d.Id, null)).ToList();
        if (vmDevices.Count == 0)
        {
            vmDevices.Add(new VmDeviceRef(source.Devices[0].Id, null));
        }

        var query = new TargetQuery(source.Host, [.. vmDevices], Limit: 50);
        var stop = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            for (var i = 200; i < fleet.Count; i++)
            {
                index.Upsert(fleet[i], drained: i % 5 == 0);
                index.SetDrained(fleet[i - 100].Host, i % 3 == 0);
                index.SetClaimed(fleet[i - 50].Host, new Dictionary<string, int> { ["device:0000:17:01.0"] = 1 });
                index.Remove(fleet[i - 150].Host);
            }

            stop.Cancel();
        }, TestContext.Current.CancellationToken);

        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            var answers = 0;
            while (!stop.IsCancellationRequested || answers == 0)
            {
                var result = index.FindTargets(query);
                Assert.True(result.Succeeded, string.Join("; ", result.Errors));
                Assert.DoesNotContain(result.Candidates, c => c.Host == source.Host);
                Assert.All(result.Candidates, c => Assert.Equal(vmDevices.Count, c.Assignments.Length));
                Assert.All(result.Candidates, c => Assert.NotEqual(CompatibilityLevel.None, c.Level));
                answers++;
            }

            return answers;
        }, TestContext.Current.CancellationToken)).ToArray();

        await writer;
        var counts = await Task.WhenAll(readers);
        Assert.All(counts, c => Assert.True(c > 0));
        Assert.Equal(400 - 200, index.HostCount);
    }
}
