using System.Collections.Immutable;
using System.Globalization;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Fleet.Generation;

/// <summary>
/// Generates realistic synthetic fleets for tests and benchmarks: Intel GVT-g hosts
/// (<c>i915-GVTg_V5_1/2/4/8</c>, derived descriptors: upstream GVT-g cannot migrate, so cold only),
/// NVIDIA vGPU hosts (T4, A10, A16; <c>nvidia-N</c> types named <c>GRID T4-2Q</c> and the like; host
/// driver branches 535, 550, 570 and 580 with two builds each, descriptors as the NVIDIA vGPU rule pack
/// states them: vGPU version within the target's range, identical driver build, same GPU and ECC mode)
/// and SR-IOV NIC virtual functions (ConnectX-6 Dx on <c>mlx5_vfio_pci</c>, live between identical
/// builds; E810 on plain <c>vfio-pci</c>, cold only).
/// Each host has 8 to 16 devices and guests (VMs) over the devices in use. Deterministic: the same count and seed give the same fleet,
/// and host i does not depend on the count.
/// </summary>
public static class FleetGenerator
{
    private static readonly DateTimeOffset BaseTime = new(2025, 1, 6, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Generates <paramref name="hostCount"/> host inventories named <c>host-000000</c>, <c>host-000001</c>, ...</summary>
    /// <param name="hostCount">How many hosts (0 or more).</param>
    /// <param name="seed">The seed; the same seed gives the same fleet.</param>
    public static IEnumerable<HostInventory> Generate(int hostCount, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hostCount);
        for (var i = 0; i < hostCount; i++)
        {
            yield return GenerateHost(i, seed);
        }
    }

    /// <summary>The name of the <paramref name="index"/>-th generated host.</summary>
    /// <param name="index">The 0-based host index.</param>
    public static string HostName(int index) => string.Create(CultureInfo.InvariantCulture, $"host-{index:D6}");

    /// <summary>Generates host number <paramref name="index"/> of the fleet with seed <paramref name="seed"/>.</summary>
    /// <param name="index">The 0-based host index.</param>
    /// <param name="seed">The fleet's seed.</param>
    public static HostInventory GenerateHost(int index, int seed)
    {
        var random = new Random(Mix(seed, index));
        var builder = new HostBuilder(random);
        var targetDevices = random.Next(8, 17);
        var kind = random.Next(100);
        if (kind < 35)
        {
            GvtgHost.Add(builder, targetDevices / 2);
        }
        else if (kind < 80)
        {
            NvidiaHost.Add(builder, targetDevices - 2);
        }

        NicHost.Add(builder, Math.Max(2, targetDevices - builder.Devices.Count));
        return new HostInventory(
            HostInventory.CurrentSchemaVersion,
            HostName(index),
            BaseTime.AddSeconds(index),
            builder.Devices.ToImmutable(),
            builder.Types.ToImmutable(),
            []) { Guests = Guests(index, builder.Devices, new Random(Mix(seed, index) ^ 0x5BD1E995)) };
    }

    /// <summary>
    /// The VMs of a generated host: one per in-use vGPU (some with an in-use VF as well), then the
    /// remaining in-use VFs one or two per VM; named <c>vm-HOSTINDEX-N</c>. Drawn from a random source of
    /// their own, so the devices are those of the fleet without guests.
    /// </summary>
    private static ImmutableArray<InventoryGuest> Guests(int index, IEnumerable<InventoryDevice> devices, Random random)
    {
        var inUse = devices.Where(d => d.InUse == true).ToList();
        var vfs = new Queue<InventoryDevice>(inUse.Where(d => d.Kind != DeviceKind.Mdev));
        var groups = new List<List<InventoryDevice>>();
        foreach (var gpu in inUse.Where(d => d.Kind == DeviceKind.Mdev))
        {
            groups.Add(random.Next(10) < 3 && vfs.Count > 0 ? [gpu, vfs.Dequeue()] : [gpu]);
        }

        while (vfs.Count > 0)
        {
            groups.Add(random.Next(10) < 2 && vfs.Count > 1 ? [vfs.Dequeue(), vfs.Dequeue()] : [vfs.Dequeue()]);
        }

        return [.. groups.Select((group, n) => new InventoryGuest(
            string.Create(CultureInfo.InvariantCulture, $"vm-{index:D6}-{n + 1}"),
            null,
            [.. group.Select(d => d.Id)]))];
    }

    private static int Mix(int seed, int index)
    {
        var x = ((ulong)(uint)seed << 32) | (uint)index;
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return (int)(x ^ (x >> 31));
    }
}

/// <summary>Collects one host's devices and types while it is generated.</summary>
internal sealed class HostBuilder(Random random)
{
    public Random Random { get; } = random;

    public ImmutableArray<InventoryDevice>.Builder Devices { get; } = ImmutableArray.CreateBuilder<InventoryDevice>();

    public ImmutableArray<CreatableType>.Builder Types { get; } = ImmutableArray.CreateBuilder<CreatableType>();

    /// <summary>A UUID drawn from the host's random source (so the fleet is reproducible).</summary>
    public string NextUuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.NextBytes(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString();
    }
}
