using System.Collections.Immutable;
using MigCompat.Core.Model;

namespace MigCompat.Libvirt;

/// <summary>
/// What the source host writes into the domain XML's <c>&lt;metadata&gt;</c> for the destination's hook
/// (docs/integrations-libvirt.md): the claim the migration holds and, per assigned device, the resource it was
/// claimed on and the source device's descriptor.
/// </summary>
/// <param name="ClaimId">The claim's id.</param>
/// <param name="Host">The host the claim is for: the migration's destination.</param>
/// <param name="State">The claim's state when the metadata was written (<c>pending</c> or <c>confirmed</c>).</param>
/// <param name="ExpiresAt">When a pending claim stops holding.</param>
/// <param name="Devices">The VM's assigned devices, in the domain's order.</param>
public sealed record MigrationMetadata(string ClaimId, string Host, string State, DateTimeOffset ExpiresAt, ImmutableArray<MetadataDevice> Devices)
{
    /// <summary>Equal when every member is equal, the devices item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(MigrationMetadata? other) =>
        other is not null && ClaimId == other.ClaimId && Host == other.Host && State == other.State && ExpiresAt == other.ExpiresAt
        && ArrayEquality.Equal(Devices, other.Devices);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ClaimId, Host, State, ExpiresAt, ArrayEquality.Hash(Devices));
}

/// <summary>One assigned device in <see cref="MigrationMetadata"/>.</summary>
/// <param name="Source">Its id on the source host: the mdev UUID or the PCI address.</param>
/// <param name="IsMdev">True for a mediated device, false for a PCI device (a VF or a whole function).</param>
/// <param name="Resource">The claimed resource on the destination: <c>device:ID</c> or <c>type:PARENT/TYPE</c>.</param>
/// <param name="Descriptor">The source device's descriptor, in the descriptor language (docs/format.md).</param>
public sealed record MetadataDevice(string Source, bool IsMdev, string Resource, string Descriptor);
