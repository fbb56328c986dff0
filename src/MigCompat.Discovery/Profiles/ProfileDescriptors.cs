using System.Collections.Immutable;
using MigCompat.Core.Matching;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Profiles;

/// <summary>How a matching profile turns into a device's descriptor.</summary>
public static class ProfileDescriptors
{
    /// <summary>
    /// The descriptor a profile gives a device: the identity fields of the derived descriptor
    /// (<c>device_api</c>, <c>mdev_type</c>) overlaid by the profile's SELF fields (a profile field
    /// replaces a derived one of the same name, in place; new fields follow), then the profile's
    /// COMPATIBLE blocks and DYNAMIC names, and <c>migration.evidence=profile FILE</c> unless the
    /// profile states its own. Driver name, build and PCI ids of the derived descriptor
    /// are dropped: saying what matters across driver builds is what a profile is for.
    /// </summary>
    public static DescriptorFields Apply(DeviceProfile profile, DescriptorFields derived)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(derived);
        var fromProfile = DescriptorFieldsConversion.ToFields(profile.Descriptor, DescriptorOrigin.Profile, profile.FilePath);
        var self = new List<KeyValuePair<string, string>>();
        foreach (var field in derived.Self)
        {
            if (field.Key is DerivedDescriptors.DeviceApiField or DerivedDescriptors.MdevTypeField)
            {
                self.Add(field);
            }
        }

        foreach (var field in fromProfile.Self)
        {
            var index = self.FindIndex(f => f.Key == field.Key);
            if (index >= 0)
            {
                self[index] = field;
            }
            else
            {
                self.Add(field);
            }
        }

        // What vouches for the descriptor: this profile, unless it names its evidence itself.
        if (!self.Exists(f => f.Key == MigrationSupport.EvidenceField))
        {
            self.Add(new(MigrationSupport.EvidenceField, "profile " + profile.FilePath));
        }

        return fromProfile with { Self = [.. self] };
    }
}
