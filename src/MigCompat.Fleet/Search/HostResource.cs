using MigCompat.Fleet.Storage;

namespace MigCompat.Fleet.Search;

/// <summary>What a resource on a host is: a free existing device, or a creatable mdev type.</summary>
internal enum ResourceKind : byte
{
    /// <summary>An existing device not in use (capacity 1).</summary>
    Device,

    /// <summary>An mdev type a parent can create instances of (capacity = available instances).</summary>
    CreatableType,
}

/// <summary>
/// One capacity resource of a host in compact form: the interned descriptor id, the capacity the
/// inventory reports and the active claims against it. Its storage key is built only when needed.
/// </summary>
/// <param name="DescriptorId">The id of its descriptor in the index's descriptor table.</param>
/// <param name="Capacity">The inventory's capacity (1 for a free device, available instances for a type).</param>
/// <param name="Claimed">Active claims against it (<see cref="FleetIndex.SetClaimed"/>).</param>
/// <param name="Kind">Device or creatable type.</param>
/// <param name="Id">The device id, or the type id.</param>
/// <param name="Parent">The parent device (mdev parent, PF), when known.</param>
/// <param name="TypeId">The mdev type of a device or the type id of a creatable type, when known.</param>
internal readonly record struct HostResource(int DescriptorId, int Capacity, int Claimed, ResourceKind Kind, string Id, string? Parent, string? TypeId)
{
    /// <summary>Instances still free: capacity minus claims, never below 0.</summary>
    public int Free => Math.Max(0, Capacity - Claimed);

    /// <summary>The storage key: <c>device:ID</c> or <c>type:PARENT/TYPEID</c>.</summary>
    public string Key => Kind == ResourceKind.Device ? CapacityResources.DeviceKey(Id) : CapacityResources.TypeKey(Parent ?? string.Empty, Id);
}
