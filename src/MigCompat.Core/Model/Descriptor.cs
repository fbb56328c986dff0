using System.Collections.Immutable;

namespace MigCompat.Core.Model;

/// <summary>
/// What a device is (<see cref="Self"/>) and, optionally, what it accepts from a migration source
/// (<see cref="Compatible"/>, any one block may accept), plus the fields that are claimed on the
/// target instead of matched (<see cref="DynamicResources"/>). Immutable; equality ignores positions.
/// </summary>
/// <param name="Self">The self fields, in written order; names are unique.</param>
/// <param name="Compatible">The COMPATIBLE blocks; empty means the conservative default rule applies.</param>
/// <param name="DynamicResources">Names of fields set on the target instance rather than matched.</param>
public sealed record Descriptor(ImmutableArray<SelfField> Self, ImmutableArray<CompatibleBlock> Compatible, ImmutableArray<string> DynamicResources)
{
    /// <summary>The field that holds the VFIO device API.</summary>
    public const string DeviceApiField = "device_api";

    /// <summary>The field that holds the mdev type id.</summary>
    public const string MdevTypeField = "mdev_type";

    /// <summary>The self field named <paramref name="name"/>, or null.</summary>
    public SelfField? FindSelf(string name)
    {
        foreach (var field in Self)
        {
            if (string.Equals(field.Name, name, StringComparison.Ordinal))
            {
                return field;
            }
        }

        return null;
    }

    /// <summary>The value text of self field <paramref name="name"/>, or null.</summary>
    public string? SelfText(string name) => FindSelf(name)?.Value.Text;

    /// <summary>True when <paramref name="name"/> is listed as a dynamic resource.</summary>
    public bool IsDynamic(string name)
    {
        foreach (var dynamic in DynamicResources)
        {
            if (string.Equals(dynamic, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Descriptors are equal when self fields, blocks and dynamic names are equal, in order.</summary>
    public bool Equals(Descriptor? other) =>
        other is not null
        && ArrayEquality.Equal(Self, other.Self)
        && ArrayEquality.Equal(Compatible, other.Compatible)
        && ArrayEquality.Equal(DynamicResources, other.DynamicResources);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ArrayEquality.Hash(Self), ArrayEquality.Hash(Compatible), ArrayEquality.Hash(DynamicResources));
}
