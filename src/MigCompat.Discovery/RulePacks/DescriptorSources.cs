using System.Collections.Immutable;
using MigCompat.Core.Matching;
using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Profiles;

namespace MigCompat.Discovery.RulePacks;

/// <summary>
/// Where a device's descriptor comes from, in order: the driver's own migration attributes, else
/// the first matching operator profile, else the derived facts completed by the rule packs of its
/// driver. Each chosen descriptor names what vouches for it in <c>migration.evidence</c>. Used by
/// the sysfs scan per device and, for imports, over a whole inventory.
/// </summary>
public sealed class DescriptorSources
{
    private readonly ProfileCatalog profiles;
    private readonly ImmutableArray<RulePack> packs;

    internal DescriptorSources(ImmutableArray<DeviceProfile> profiles, ImmutableArray<RulePack> packs, ScanWarnings warnings)
    {
        this.profiles = new ProfileCatalog(profiles, warnings);
        this.packs = packs;
    }

    /// <summary>The descriptor for one device or type.</summary>
    /// <param name="driverExposed">What the driver itself declares in sysfs, if anything.</param>
    /// <param name="subject">What profile and pack criteria are matched against.</param>
    /// <param name="derived">The conservative facts (identity, driver, build, PCI ids).</param>
    /// <returns>The chosen descriptor.</returns>
    public DescriptorFields Choose(DescriptorFields? driverExposed, ProfileSubject subject, DescriptorFields derived)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(derived);
        if (driverExposed is not null)
        {
            var driver = MigrationSupport.DriverOf(subject.Driver, subject.TypeId);
            return WithField(driverExposed, MigrationSupport.EvidenceField, driver is null ? "driver" : $"driver {driver} (its own migration attributes in sysfs)");
        }

        if (profiles.Find(subject) is { } profile)
        {
            return ProfileDescriptors.Apply(profile, derived);
        }

        return ApplyPacks(subject, derived);
    }

    /// <summary>
    /// The inventory with every imported or derived descriptor re-chosen through profiles and rule
    /// packs (the importers' facts are the derived descriptor); profile ambiguities become warnings.
    /// </summary>
    /// <param name="inventory">An imported inventory.</param>
    /// <param name="profiles">The operator's profiles.</param>
    /// <param name="packs">The rule packs.</param>
    /// <returns>The completed inventory.</returns>
    public static HostInventory ApplyTo(HostInventory inventory, ImmutableArray<DeviceProfile> profiles, ImmutableArray<RulePack> packs)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        var warnings = new ScanWarnings();
        var sources = new DescriptorSources(profiles, packs, warnings);
        var names = inventory.CreatableTypes
            .Where(t => t.Name is not null)
            .GroupBy(t => t.TypeId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal);
        var devices = inventory.Devices.Select(d => d.Descriptor.Origin is DescriptorOrigin.Derived or DescriptorOrigin.Imported
            ? d with { Descriptor = sources.Choose(null, new ProfileSubject(d.Kind, d.Driver, d.DriverVersion, d.Pci, d.MdevType, d.MdevType is null ? null : names.GetValueOrDefault(d.MdevType), d.DeviceApi), d.Descriptor) }
            : d).ToImmutableArray();
        var types = inventory.CreatableTypes.Select(t => t.Descriptor.Origin is DescriptorOrigin.Derived or DescriptorOrigin.Imported
            ? t with { Descriptor = sources.Choose(null, new ProfileSubject(DeviceKind.Mdev, t.Driver, t.DriverVersion, null, t.TypeId, t.Name, t.DeviceApi), t.Descriptor) }
            : t).ToImmutableArray();
        return inventory with { Devices = devices, CreatableTypes = types, Warnings = inventory.Warnings.AddRange(warnings.ToImmutable()) };
    }

    /// <summary>
    /// The derived descriptor completed by every pack for the device's driver: each pack's matching
    /// rules in file order (a later rule's field replaces an earlier one's), then <c>migration.capable</c>
    /// and <c>migration.evidence</c>. Discovered facts win: a pack field is only added where the
    /// device's descriptor lacks it (NVML's negotiated version beats a pack's branch table).
    /// </summary>
    private DescriptorFields ApplyPacks(ProfileSubject subject, DescriptorFields derived)
    {
        var driver = MigrationSupport.DriverOf(subject.Driver, subject.TypeId);
        var matched = false;
        var self = derived.Self.IsDefault ? [] : derived.Self.ToList();
        var blocks = derived.Compatible.IsDefault ? [] : derived.Compatible.ToList();
        var dynamic = derived.DynamicResources.IsDefault ? [] : derived.DynamicResources.ToList();
        foreach (var pack in packs)
        {
            if (!pack.IsFor(driver))
            {
                continue;
            }

            var fields = new List<KeyValuePair<string, string>>();
            foreach (var rule in pack.Rules)
            {
                if (rule.Criteria.Matches(subject))
                {
                    var added = rule.Fields;
                    foreach (var field in added.Self)
                    {
                        var at = fields.FindIndex(f => f.Key == field.Key);
                        if (at >= 0)
                        {
                            fields[at] = field;
                        }
                        else
                        {
                            fields.Add(field);
                        }
                    }

                    blocks.AddRange(added.Compatible);
                    dynamic.AddRange(added.DynamicResources.Where(name => !dynamic.Contains(name)));
                }
            }

            fields.Add(new(MigrationSupport.CapableField, pack.Migrates ? "yes" : "no"));
            fields.Add(new(MigrationSupport.EvidenceField, pack.EvidenceText));
            foreach (var field in fields)
            {
                if (!self.Exists(f => f.Key == field.Key))
                {
                    self.Add(field);
                }
            }

            matched = true;
        }

        return matched ? derived with { Self = [.. self], Compatible = [.. blocks], DynamicResources = [.. dynamic] } : derived;
    }

    /// <summary>The descriptor with one more self field, unless it has one of that name.</summary>
    internal static DescriptorFields WithField(DescriptorFields fields, string name, string value)
    {
        var self = fields.Self.IsDefault ? [] : fields.Self;
        return self.Any(f => f.Key == name) ? fields : fields with { Self = self.Add(new(name, value)) };
    }

    /// <summary>The descriptor with self field <paramref name="name"/> set to <paramref name="value"/>, in place or appended.</summary>
    internal static DescriptorFields ReplaceField(DescriptorFields fields, string name, string value)
    {
        var self = fields.Self.IsDefault ? [] : fields.Self;
        for (var i = 0; i < self.Length; i++)
        {
            if (self[i].Key == name)
            {
                return fields with { Self = self.SetItem(i, new(name, value)) };
            }
        }

        return fields with { Self = self.Add(new(name, value)) };
    }
}
