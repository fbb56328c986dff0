using System.Collections.Immutable;
using MigCompat.Core.Model;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Libvirt;

/// <summary>How a fleet server lookup ended.</summary>
public enum FleetLookupStatus
{
    /// <summary>Found, exactly one.</summary>
    Found,

    /// <summary>The server does not know it (HTTP 404).</summary>
    NotFound,

    /// <summary>Several hosts list it (HTTP 409).</summary>
    Ambiguous,

    /// <summary>No usable answer: unreachable, timed out, refused the token, failed, or an answer that does not read.</summary>
    Failed,
}

/// <summary>A VM as the fleet server lists it (<c>GET /v1/vms/{nameOrUuid}</c>).</summary>
/// <param name="Name">Its name.</param>
/// <param name="Uuid">Its UUID, or null when the host's inventory does not know it.</param>
/// <param name="Host">The host whose inventory lists it.</param>
/// <param name="Devices">The ids of that host's devices it uses.</param>
public sealed record FleetVm(string Name, string? Uuid, string Host, ImmutableArray<string> Devices)
{
    /// <summary>Equal when every member is equal, the devices item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(FleetVm? other) =>
        other is not null && Name == other.Name && Uuid == other.Uuid && Host == other.Host && ArrayEquality.Equal(Devices, other.Devices);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Uuid, Host, ArrayEquality.Hash(Devices));
}

/// <summary>The answer to a VM lookup.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Vm">The VM when <see cref="FleetLookupStatus.Found"/>.</param>
/// <param name="Problem">What the server said (or why there is no answer) otherwise.</param>
public sealed record FleetVmLookup(FleetLookupStatus Status, FleetVm? Vm, string? Problem);

/// <summary>A host's stored inventory (<c>GET /v1/hosts/{name}</c>), or why it could not be read.</summary>
/// <param name="Inventory">The inventory, or null.</param>
/// <param name="Problem">Why it could not be read; null when read.</param>
public sealed record FleetHostLookup(HostInventory? Inventory, string? Problem);

/// <summary>
/// The fleet server as the hook reads it when the domain XML carries no MigCompat metadata. Implementations do the
/// I/O, bounded in time; they never throw: a failure is a <see cref="FleetLookupStatus.Failed"/> answer.
/// </summary>
public interface IFleetReader
{
    /// <summary>The VM with this UUID or name (<c>GET /v1/vms/{nameOrUuid}</c>).</summary>
    /// <param name="nameOrUuid">The domain's UUID or name.</param>
    /// <returns>The answer.</returns>
    FleetVmLookup FindVm(string nameOrUuid);

    /// <summary>The host's stored inventory (<c>GET /v1/hosts/{name}</c>).</summary>
    /// <param name="name">The host.</param>
    /// <returns>The inventory, or why there is none.</returns>
    FleetHostLookup ReadHost(string name);
}
