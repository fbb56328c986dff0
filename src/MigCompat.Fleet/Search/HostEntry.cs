namespace MigCompat.Fleet.Search;

/// <summary>
/// One host in the index, immutable: its resources sorted by descriptor id, grouped by distinct
/// descriptor with the group's free capacity, and every device's descriptor id for source lookups.
/// A change (drain, claims, new inventory) builds a new entry.
/// </summary>
internal sealed class HostEntry
{
    public HostEntry(string name, bool drained, HostResource[] resources, string[] deviceIds, int[] deviceDescriptors)
    {
        Name = name;
        Drained = drained;
        Resources = resources;
        DeviceIds = deviceIds;
        DeviceDescriptors = deviceDescriptors;
        var groups = 0;
        for (var i = 0; i < resources.Length; i++)
        {
            if (i == 0 || resources[i].DescriptorId != resources[i - 1].DescriptorId)
            {
                groups++;
            }
        }

        GroupDescriptors = new int[groups];
        GroupStarts = new int[groups + 1];
        GroupFree = new int[groups];
        var group = -1;
        for (var i = 0; i < resources.Length; i++)
        {
            if (i == 0 || resources[i].DescriptorId != resources[i - 1].DescriptorId)
            {
                group++;
                GroupDescriptors[group] = resources[i].DescriptorId;
                GroupStarts[group] = i;
            }

            GroupFree[group] += resources[i].Free;
        }

        GroupStarts[groups] = resources.Length;
    }

    /// <summary>The host name.</summary>
    public string Name { get; }

    /// <summary>True when the host takes no new VMs.</summary>
    public bool Drained { get; }

    /// <summary>The resources, sorted by descriptor id then key.</summary>
    public HostResource[] Resources { get; }

    /// <summary>The distinct descriptor ids of the resources, ascending (one group each).</summary>
    public int[] GroupDescriptors { get; }

    /// <summary>Group g's resources are <c>Resources[GroupStarts[g]..GroupStarts[g + 1]]</c>.</summary>
    public int[] GroupStarts { get; }

    /// <summary>Free instances per group: the sum of its resources' capacity minus claims.</summary>
    public int[] GroupFree { get; }

    /// <summary>Every device's id (in use or not), sorted case-insensitively, for source lookups.</summary>
    public string[] DeviceIds { get; }

    /// <summary>The descriptor id of the device at the same position in <see cref="DeviceIds"/>; -1 when it does not parse.</summary>
    public int[] DeviceDescriptors { get; }

    /// <summary>The descriptor id of device <paramref name="deviceId"/> (-1 when it does not parse); false when the host has no such device.</summary>
    public bool TryFindDevice(string deviceId, out int descriptorId)
    {
        var index = Array.BinarySearch(DeviceIds, deviceId, StringComparer.OrdinalIgnoreCase);
        descriptorId = index >= 0 ? DeviceDescriptors[index] : -1;
        return index >= 0;
    }

    /// <summary>The same host, drained or not.</summary>
    public HostEntry WithDrained(bool drained) =>
        drained == Drained ? this : new HostEntry(Name, drained, Resources, DeviceIds, DeviceDescriptors);

    /// <summary>The same host with its claim counts replaced (keys the host does not offer are ignored).</summary>
    public HostEntry WithClaims(IReadOnlyDictionary<string, int>? claimsByKey)
    {
        var resources = new HostResource[Resources.Length];
        for (var i = 0; i < resources.Length; i++)
        {
            var claimed = claimsByKey is not null && claimsByKey.TryGetValue(Resources[i].Key, out var count) ? Math.Max(0, count) : 0;
            resources[i] = Resources[i] with { Claimed = claimed };
        }

        return new HostEntry(Name, Drained, resources, DeviceIds, DeviceDescriptors);
    }
}
