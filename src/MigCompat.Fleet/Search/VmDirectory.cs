using System.Collections.Immutable;
using MigCompat.Core.Model;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Fleet.Search;

/// <summary>
/// The VMs of the indexed hosts (<see cref="HostInventory.Guests"/>) by name and by UUID, kept up to
/// date on every upsert and removal so a lookup costs a dictionary probe at any fleet size. Not
/// thread-safe: <see cref="FleetIndex"/> uses it under its lock.
/// </summary>
internal sealed class VmDirectory
{
    private readonly Dictionary<string, ImmutableArray<InventoryGuest>> guestsByHost = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ImmutableArray<string>> hostsByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ImmutableArray<string>> hostsByUuid = new(StringComparer.Ordinal);

    /// <summary>Replaces the VMs of <paramref name="host"/> by <paramref name="guests"/> (none removes them).</summary>
    public void Set(string host, ImmutableArray<InventoryGuest> guests)
    {
        Remove(host);
        if (guests.IsDefaultOrEmpty)
        {
            return;
        }

        guestsByHost[host] = guests;
        foreach (var guest in guests)
        {
            Add(hostsByName, guest.Name, host);
            if (guest.Uuid is { } uuid)
            {
                Add(hostsByUuid, uuid, host);
            }
        }
    }

    /// <summary>Forgets the VMs of <paramref name="host"/>.</summary>
    public void Remove(string host)
    {
        if (!guestsByHost.Remove(host, out var guests))
        {
            return;
        }

        foreach (var guest in guests)
        {
            Drop(hostsByName, guest.Name, host);
            if (guest.Uuid is { } uuid)
            {
                Drop(hostsByUuid, uuid, host);
            }
        }
    }

    /// <summary>
    /// The VMs named <paramref name="nameOrUuid"/>: by UUID (any case) when it is one and some host
    /// knows that UUID, else by name (exact); only on <paramref name="host"/> when it is given.
    /// </summary>
    public VmLookup Find(string nameOrUuid, string? host)
    {
        var key = nameOrUuid.Trim();
        var uuid = Guid.TryParseExact(key, "D", out var parsed) ? parsed.ToString("D") : null;
        var byUuid = uuid is not null && hostsByUuid.TryGetValue(uuid, out var withUuid) ? withUuid : [];
        var hosts = !byUuid.IsEmpty ? byUuid : hostsByName.TryGetValue(key, out var withName) ? withName : [];
        var matches = hosts
            .Where(h => host is null || h == host)
            .Order(StringComparer.Ordinal)
            .Select(h => new VmLocation(h, guestsByHost[h].First(g => byUuid.IsEmpty ? g.Name == key : g.Uuid == uuid)))
            .ToImmutableArray();
        return new VmLookup(nameOrUuid, host, matches);
    }

    /// <summary>Every known VM, by host name then VM name; only those of <paramref name="host"/> when it is given.</summary>
    public ImmutableArray<VmLocation> List(string? host)
    {
        IEnumerable<KeyValuePair<string, ImmutableArray<InventoryGuest>>> hosts = host is null
            ? guestsByHost.OrderBy(pair => pair.Key, StringComparer.Ordinal)
            : guestsByHost.TryGetValue(host, out var guests) ? [new(host, guests)] : [];
        return [.. hosts.SelectMany(pair => pair.Value.OrderBy(g => g.Name, StringComparer.Ordinal).Select(g => new VmLocation(pair.Key, g)))];
    }

    private static void Add(Dictionary<string, ImmutableArray<string>> map, string key, string host) =>
        map[key] = map.TryGetValue(key, out var hosts) ? hosts.Add(host) : [host];

    private static void Drop(Dictionary<string, ImmutableArray<string>> map, string key, string host)
    {
        if (map.TryGetValue(key, out var hosts))
        {
            hosts = hosts.Remove(host);
            if (hosts.IsEmpty)
            {
                map.Remove(key);
            }
            else
            {
                map[key] = hosts;
            }
        }
    }
}

/// <summary>A VM and the host whose inventory lists it.</summary>
/// <param name="Host">The host the VM runs on (as that host's inventory says).</param>
/// <param name="Guest">The VM: name, UUID and the ids of its devices on <paramref name="Host"/>.</param>
public sealed record VmLocation(string Host, InventoryGuest Guest);

/// <summary>What a VM name or UUID found in the fleet: one VM, none, or the same name on several hosts.</summary>
/// <param name="Query">The name or UUID looked up, as given.</param>
/// <param name="Host">The only host looked at, or null for the whole fleet.</param>
/// <param name="Matches">The VMs found, by host name.</param>
public sealed record VmLookup(string Query, string? Host, ImmutableArray<VmLocation> Matches)
{
    /// <summary>The VM when exactly one matched; null when none or several did.</summary>
    public VmLocation? Found => Matches.Length == 1 ? Matches[0] : null;

    /// <summary>True when several hosts list a VM of that name or UUID (stale inventories mid-migration, or two VMs with one name).</summary>
    public bool IsAmbiguous => Matches.Length > 1;

    /// <summary>Why the lookup found no single VM, for a person; null when it found one.</summary>
    public string? Problem => Matches.Length switch
    {
        1 => null,
        0 when Host is not null => $"host '{Host}' lists no VM named '{Query}' (or it is not in the fleet); check the name or UUID (migcompat vms list --host {Host}), or rescan the host",
        0 => $"no host's inventory lists a VM named '{Query}'; check the name or UUID (migcompat vms list), or rescan the VM's host",
        _ => $"VM '{Query}' is listed by {Matches.Length} hosts ({string.Join(", ", Matches.Select(m => m.Host))}), e.g. a stale inventory mid-migration; name the host it runs on now (--from HOST), or give its UUID when they are different VMs",
    };

    /// <summary>Equal when the query and the matches (in order) are equal.</summary>
    public bool Equals(VmLookup? other) => other is not null && Query == other.Query && Host == other.Host && ArrayEquality.Equal(Matches, other.Matches);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Query, Host, ArrayEquality.Hash(Matches));
}
