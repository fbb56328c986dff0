using System.Diagnostics;
using System.Globalization;
using MigCompat.Fleet.Generation;
using MigCompat.Fleet.Planning;

namespace MigCompat.Benchmarks;

/// <summary>
/// A console timing of upgrade planning (<c>plan-timing [HOSTS]</c>, default 10,000): the generated fleet
/// (with its guests), the first half of the hosts changed (NVIDIA 580.82.07, kernel 6.12 for i915 and
/// mlx5_vfio_pci), at most a tenth of the changed hosts per wave. Prints the wall time of the plan alone
/// and the process's peak working set, then re-checks the plan (<see cref="PlanVerifier"/>) against the same fleet. One run: a plan at 100,000 hosts is not repeated in a loop.
/// </summary>
public static class PlanTiming
{
    /// <summary>Generates the fleet, plans once, prints the figures.</summary>
    public static int Run(string[] args)
    {
        var hosts = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var watch = Stopwatch.StartNew();
        var snapshot = new FleetSnapshot(DateTimeOffset.UnixEpoch, [.. FleetGenerator.Generate(hosts, 42).Select(h => new SnapshotHost(h, false, []))]);
        var vms = snapshot.Hosts.Sum(h => h.Inventory.Guests.Length);
        var devices = snapshot.Hosts.Sum(h => h.Inventory.Devices.Length);
        Console.WriteLine(FormattableString.Invariant($"fleet: {hosts} hosts, {devices} devices, {vms} VMs, generated in {watch.ElapsedMilliseconds} ms"));

        // host-000000 .. host-(hosts/2 - 1): the first half, as five globs on the leading digit (hosts a power of ten).
        var digits = (int)Math.Round(Math.Log10(hosts));
        var selectors = Enumerable.Range(0, 5).Select(d => "host-" + new string('0', 6 - digits) + d.ToString(CultureInfo.InvariantCulture) + "*").ToList();
        var request = new UpgradeRequest(
            [.. selectors],
            [new("nvidia", "580.82.07"), new("i915", "6.12.0-1-amd64"), new("mlx5_vfio_pci", "6.12.0-1-amd64")],
            [],
            Math.Max(1, hosts / 20),
            [],
            AllowCold: false);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        watch.Restart();
        var result = UpgradePlanner.Plan(snapshot, request);
        var elapsed = watch.Elapsed;
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var plan = result.Plan ?? throw new InvalidOperationException(string.Join("; ", result.Errors));
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;
        Console.WriteLine(FormattableString.Invariant(
            $"planned in {elapsed.TotalSeconds:F2} s (cpu {cpu.TotalSeconds:F2} s): {plan.ChangedHosts.Length} changed hosts, {plan.Waves.Length} waves, {plan.Waves.Sum(w => w.Moves.Length)} moves, {plan.Stranded.Length} stranded, {plan.OneWayDoors.Length} one-way doors, {plan.Impacts.Count(i => i.LosesAllLiveTargets)} VMs lose all live targets, capacity lost {plan.CapacityLost}; peak working set {peak / (1024 * 1024)} MB"));
        watch.Restart();
        var check = PlanVerifier.Verify(snapshot, plan);
        Console.WriteLine(FormattableString.Invariant($"verified in {watch.Elapsed.TotalSeconds:F2} s: {check.MovesChecked} moves checked, {check.Problems.Length} no longer hold"));
        return check.Problems.IsEmpty ? 0 : 1;
    }
}
