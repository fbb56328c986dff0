using System.Collections.Immutable;
using MigCompat.Core.Model;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.RulePacks;

namespace MigCompat.Fleet.Planning;

/// <summary>One host of a <see cref="FleetSnapshot"/>: its inventory (with guests), whether it is drained, and the units active claims hold.</summary>
/// <param name="Inventory">The stored inventory.</param>
/// <param name="Drained">True when the host takes no VMs.</param>
/// <param name="Claimed">Units held by active claims, by resource key (<c>device:ID</c>, <c>type:PARENT/TYPE</c>).</param>
public sealed record SnapshotHost(HostInventory Inventory, bool Drained, ImmutableArray<KeyValuePair<string, long>> Claimed)
{
    /// <summary>Equal when every member is equal, the arrays by value.</summary>
    public bool Equals(SnapshotHost? other) =>
        other is not null && Equals(Inventory, other.Inventory) && Drained == other.Drained && ArrayEquality.Equal(Claimed, other.Claimed);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Inventory, Drained, ArrayEquality.Hash(Claimed));
}

/// <summary>The fleet a plan is made from: every host as stored at <paramref name="AsOf"/>.</summary>
/// <param name="AsOf">When the snapshot was taken; the only time in a plan.</param>
/// <param name="Hosts">The hosts, in any order (the planner sorts them by name).</param>
public sealed record FleetSnapshot(DateTimeOffset AsOf, ImmutableArray<SnapshotHost> Hosts)
{
    /// <summary>Equal when every member is equal, the arrays by value.</summary>
    public bool Equals(FleetSnapshot? other) => other is not null && AsOf == other.AsOf && ArrayEquality.Equal(Hosts, other.Hosts);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(AsOf, ArrayEquality.Hash(Hosts));
}

/// <summary>A planned driver version: devices and types whose driver matches <paramref name="Driver"/> get <paramref name="Version"/>.</summary>
/// <param name="Driver">The driver name or a glob on it (<c>nvidia</c>, <c>mlx5_vfio_pci</c>, <c>i915</c>; <c>-</c> and <c>_</c> are the same).</param>
/// <param name="Version">The driver version after the change (<c>580.82.07</c>, a kernel release for in-tree drivers).</param>
public sealed record DriverVersionChange(string Driver, string Version);

/// <summary>What to plan: the change, the hosts it applies to, and the plan's options.</summary>
/// <param name="Hosts">Host selectors: names or globs (<c>*</c>, <c>?</c>); a host matching any is changed.</param>
/// <param name="Drivers">The driver versions the selected hosts get.</param>
/// <param name="Replacements">Whole inventories the named hosts will have after the change (they need not be selected); they win over <paramref name="Drivers"/>.</param>
/// <param name="MaxHostsPerWave">At most this many hosts are upgraded together (1 or more).</param>
/// <param name="Untouched">Host selectors never changed (and never part of a wave), even when selected.</param>
/// <param name="AllowCold">True to move a VM cold when no order keeps it live.</param>
public sealed record UpgradeRequest(
    ImmutableArray<string> Hosts,
    ImmutableArray<DriverVersionChange> Drivers,
    ImmutableArray<HostInventory> Replacements,
    int MaxHostsPerWave,
    ImmutableArray<string> Untouched,
    bool AllowCold)
{
    /// <summary>
    /// Rule packs the selected hosts get (docs/rules.md): each replaces the pack of the same name, as an operator pack in
    /// <c>/etc/migcompat/rules.d</c> does; every device and type of their drivers is re-derived with them.
    /// </summary>
    public ImmutableArray<RulePack> RulePacks { get; init; } = [];

    /// <summary>Equal when every member is equal, the arrays by value.</summary>
    public bool Equals(UpgradeRequest? other) =>
        other is not null && MaxHostsPerWave == other.MaxHostsPerWave && AllowCold == other.AllowCold
        && ArrayEquality.Equal(Hosts, other.Hosts) && ArrayEquality.Equal(Drivers, other.Drivers)
        && ArrayEquality.Equal(Replacements, other.Replacements) && ArrayEquality.Equal(Untouched, other.Untouched)
        && ArrayEquality.Equal(RulePacks, other.RulePacks);

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(MaxHostsPerWave, AllowCold, ArrayEquality.Hash(Hosts), ArrayEquality.Hash(Drivers), ArrayEquality.Hash(Replacements), ArrayEquality.Hash(Untouched), ArrayEquality.Hash(RulePacks));
}

/// <summary>How one device of a moving VM lands on the target.</summary>
/// <param name="Index">The device's position in the VM's device list (<see cref="InventoryGuest.DeviceIds"/>).</param>
/// <param name="DeviceId">The device's id on the VM's first host.</param>
/// <param name="ResourceKey">The target resource (<c>device:ID</c> or <c>type:PARENT/TYPE</c>).</param>
/// <param name="Evidence">What vouches for the verdict: <c>KIND: detail</c>.</param>
public sealed record MoveDevice(int Index, string DeviceId, string ResourceKey, string Evidence);

/// <summary>One VM move of a wave.</summary>
/// <param name="Vm">The VM's name.</param>
/// <param name="From">The host it leaves.</param>
/// <param name="To">The host it goes to.</param>
/// <param name="Level"><c>live</c> or <c>cold</c>.</param>
/// <param name="Devices">Where each device lands.</param>
public sealed record PlanMove(string Vm, string From, string To, string Level, ImmutableArray<MoveDevice> Devices)
{
    /// <summary>Equal when every member is equal, the arrays by value.</summary>
    public bool Equals(PlanMove? other) =>
        other is not null && Vm == other.Vm && From == other.From && To == other.To && Level == other.Level && ArrayEquality.Equal(Devices, other.Devices);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Vm, From, To, Level, ArrayEquality.Hash(Devices));
}

/// <summary>A wave: hosts upgraded together once the moves (in order) emptied them.</summary>
/// <param name="Number">1, 2, ...</param>
/// <param name="Hosts">The hosts, by name.</param>
/// <param name="Moves">The moves, in order.</param>
/// <param name="Units">Device units the moves take on their targets.</param>
public sealed record PlanWave(int Number, ImmutableArray<string> Hosts, ImmutableArray<PlanMove> Moves, long Units)
{
    /// <summary>Equal when every member is equal, the arrays by value.</summary>
    public bool Equals(PlanWave? other) =>
        other is not null && Number == other.Number && Units == other.Units && ArrayEquality.Equal(Hosts, other.Hosts) && ArrayEquality.Equal(Moves, other.Moves);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Number, Units, ArrayEquality.Hash(Hosts), ArrayEquality.Hash(Moves));
}

/// <summary>A VM no order of the plan keeps live, and why.</summary>
/// <param name="Vm">The VM's name.</param>
/// <param name="Host">The host it is on when its wave comes.</param>
/// <param name="Wave">The wave that upgrades that host.</param>
/// <param name="Reason">Why it cannot move live.</param>
/// <param name="MovedCold">True when the plan moves it cold (only with the option).</param>
public sealed record StrandedVm(string Vm, string Host, int Wave, string Reason, bool MovedCold);

/// <summary>A VM that, once moved onto an upgraded host, has no live path back to a host without the change.</summary>
/// <param name="Vm">The VM's name.</param>
/// <param name="Host">The upgraded host it is moved to.</param>
/// <param name="Wave">The wave of the move.</param>
/// <param name="Reason">Why it cannot go back.</param>
public sealed record OneWayDoor(string Vm, string Host, int Wave, string Reason);

/// <summary>What-if for one VM: hosts that could take it live now, during the roll-out (live both before and after their change) and after.</summary>
/// <param name="Vm">The VM's name.</param>
/// <param name="Host">Its host now.</param>
/// <param name="LiveNow">Hosts that take it live with free capacity now.</param>
/// <param name="LiveDuring">Hosts that take it live with free capacity whether or not their change is done yet.</param>
/// <param name="LiveAfter">Hosts that take it live with free capacity once every change is done (the VM as it would be after its own host's change).</param>
public sealed record VmImpact(string Vm, string Host, int LiveNow, int LiveDuring, int LiveAfter)
{
    /// <summary>True when the VM has live targets now and none after the change.</summary>
    public bool LosesAllLiveTargets => LiveNow > 0 && LiveAfter == 0;
}

/// <summary>An upgrade plan (docs/planning.md): what-if per VM, waves with moves, VMs no order keeps live, one-way doors.</summary>
/// <param name="AsOf">The snapshot's time.</param>
/// <param name="Request">What was planned.</param>
/// <param name="ChangedHosts">The hosts the change applies to, by name.</param>
/// <param name="Waves">The waves, in order.</param>
/// <param name="Stranded">VMs no order keeps live.</param>
/// <param name="OneWayDoors">VMs that cannot go back once moved.</param>
/// <param name="Impacts">What-if for every VM with assigned devices, by host then name.</param>
/// <param name="Notes">What the change could not derive and what was assumed.</param>
/// <param name="CapacityLost">Free units some VM could use live now that no VM can use live after the change.</param>
public sealed record UpgradePlan(
    DateTimeOffset AsOf,
    UpgradeRequest Request,
    ImmutableArray<string> ChangedHosts,
    ImmutableArray<PlanWave> Waves,
    ImmutableArray<StrandedVm> Stranded,
    ImmutableArray<OneWayDoor> OneWayDoors,
    ImmutableArray<VmImpact> Impacts,
    ImmutableArray<string> Notes,
    long CapacityLost)
{
    /// <summary>The spare units the plan needs: the most any wave's moves take.</summary>
    public long SpareUnits => Waves.IsDefaultOrEmpty ? 0 : Waves.Max(w => w.Units);

    /// <summary>Equal when every member is equal, the arrays by value.</summary>
    public bool Equals(UpgradePlan? other) =>
        other is not null && AsOf == other.AsOf && Equals(Request, other.Request) && CapacityLost == other.CapacityLost
        && ArrayEquality.Equal(ChangedHosts, other.ChangedHosts) && ArrayEquality.Equal(Waves, other.Waves)
        && ArrayEquality.Equal(Stranded, other.Stranded) && ArrayEquality.Equal(OneWayDoors, other.OneWayDoors)
        && ArrayEquality.Equal(Impacts, other.Impacts) && ArrayEquality.Equal(Notes, other.Notes);

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(AsOf, Request, CapacityLost, ArrayEquality.Hash(ChangedHosts), ArrayEquality.Hash(Waves), ArrayEquality.Hash(Stranded), ArrayEquality.Hash(OneWayDoors), ArrayEquality.Hash(Impacts));
}

/// <summary>A move of a stored plan that no longer holds against the fleet as it is now.</summary>
/// <param name="Wave">The move's wave.</param>
/// <param name="Vm">The VM.</param>
/// <param name="From">The host it leaves.</param>
/// <param name="To">The host it goes to.</param>
/// <param name="Reason">Why it no longer holds.</param>
public sealed record MoveProblem(int Wave, string Vm, string From, string To, string Reason);

/// <summary>The result of re-checking a stored plan.</summary>
/// <param name="AsOf">The snapshot it was checked against.</param>
/// <param name="MovesChecked">How many moves were checked.</param>
/// <param name="Problems">The moves that no longer hold, in plan order; empty when every move holds.</param>
/// <param name="Errors">Why the plan itself cannot be checked (an unknown selector, a bad option); empty when it was.</param>
public sealed record PlanCheck(DateTimeOffset AsOf, int MovesChecked, ImmutableArray<MoveProblem> Problems, ImmutableArray<string> Errors)
{
    /// <summary>Equal when every member is equal, the arrays by value.</summary>
    public bool Equals(PlanCheck? other) =>
        other is not null && AsOf == other.AsOf && MovesChecked == other.MovesChecked && ArrayEquality.Equal(Problems, other.Problems) && ArrayEquality.Equal(Errors, other.Errors);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(AsOf, MovesChecked, ArrayEquality.Hash(Problems), ArrayEquality.Hash(Errors));
}

/// <summary>A plan, or why the request cannot be planned.</summary>
/// <param name="Plan">The plan; null when <paramref name="Errors"/> says why not.</param>
/// <param name="Errors">What is wrong with the request (a selector that names no host, a bad option).</param>
public sealed record PlanResult(UpgradePlan? Plan, ImmutableArray<string> Errors)
{
    /// <summary>Equal when every member is equal, the arrays by value.</summary>
    public bool Equals(PlanResult? other) => other is not null && Equals(Plan, other.Plan) && ArrayEquality.Equal(Errors, other.Errors);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Plan, ArrayEquality.Hash(Errors));
}
