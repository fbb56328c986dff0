using MigCompat.Core.Model;

namespace MigCompat.Core.Matching;

/// <summary>
/// What a descriptor says about migration beyond its compared fields: its stated comparison rules
/// (<c>rule.&lt;field&gt;</c>), its capability (<c>migration.capable</c>), who vouches for it
/// (<c>migration.evidence</c>), and whether it states acceptance rules at all.
/// </summary>
public static class DescriptorFacts
{
    /// <summary>The SELF field that names the driver.</summary>
    public const string DriverField = "driver";

    /// <summary>The SELF field that holds the driver's exact build (version string).</summary>
    public const string DriverBuildField = "driver_build";

    /// <summary>True for fields that describe how to compare rather than what a device is (<c>rule.*</c>, <c>migration.*</c>): never compared themselves.</summary>
    public static bool IsMetaField(string name) =>
        name.StartsWith(ComparisonRule.FieldPrefix, StringComparison.Ordinal) || name.StartsWith("migration.", StringComparison.Ordinal);

    /// <summary>The rules stated in <c>rule.</c> SELF fields (the ones that parse), by field; null when none.</summary>
    public static IReadOnlyDictionary<string, ComparisonRule>? Rules(Descriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        Dictionary<string, ComparisonRule>? rules = null;
        foreach (var field in descriptor.Self)
        {
            if (field.Name.StartsWith(ComparisonRule.FieldPrefix, StringComparison.Ordinal)
                && field.Name.Length > ComparisonRule.FieldPrefix.Length
                && ComparisonRule.TryParse(field.Value.Text, out var rule, out _))
            {
                (rules ??= new Dictionary<string, ComparisonRule>(StringComparer.Ordinal))[field.Name[ComparisonRule.FieldPrefix.Length..]] = rule;
            }
        }

        return rules;
    }

    /// <summary>
    /// True when the descriptor states which device states it accepts: a <c>rule.</c> field, a
    /// non-empty field whose built-in rule is not plain equality (<c>software_version</c>,
    /// <c>interface_version</c>, <c>migration_version</c>), or a COMPATIBLE block that names a field
    /// other than <c>device_api</c> and <c>mdev_type</c>. Identity alone (<c>device_api</c>,
    /// <c>mdev_type</c>), driver names and PCI ids say nothing about device state.
    /// </summary>
    public static bool StatesAcceptanceRules(Descriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        foreach (var field in descriptor.Self)
        {
            if (field.Name.StartsWith(ComparisonRule.FieldPrefix, StringComparison.Ordinal)
                || (field.Value.Kind != ValueKind.Empty && ComparisonRule.Builtin(field.Name).Kind != RuleKind.Exact))
            {
                return true;
            }
        }

        foreach (var block in descriptor.Compatible)
        {
            foreach (var field in block.Fields)
            {
                if (field.Name is not (Descriptor.DeviceApiField or Descriptor.MdevTypeField))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// What vouches for the descriptor as a target by itself: its <c>migration.evidence</c> field,
    /// else its own acceptance rules (<see cref="StatesAcceptanceRules"/>); null when neither.
    /// </summary>
    public static Evidence? DeclaredEvidence(Descriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (descriptor.SelfText(MigrationSupport.EvidenceField) is { Length: > 0 } declared)
        {
            return Evidence.FromDeclaredText(declared);
        }

        return StatesAcceptanceRules(descriptor)
            ? new Evidence(EvidenceKind.Declaration, "the target descriptor states the device states it accepts (version fields, COMPATIBLE blocks or rule. fields)")
            : null;
    }

    /// <summary>The driver a descriptor names (<c>driver</c>, else the prefix of <c>mdev_type</c>), or null.</summary>
    public static string? Driver(Descriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return MigrationSupport.DriverOf(descriptor.SelfText(DriverField), descriptor.SelfText(Descriptor.MdevTypeField));
    }

    /// <summary>
    /// Whether the device can migrate state: <c>migration.capable</c> when stated; else supported
    /// when the descriptor states acceptance rules or names its evidence (a driver that declares
    /// what it accepts migrates); else the driver table (<see cref="MigrationSupport"/>).
    /// </summary>
    public static MigrationCapability Capability(Descriptor descriptor) =>
        StatedCapability(descriptor) ?? MigrationSupport.Find(Driver(descriptor))?.Capability ?? MigrationCapability.Unknown;

    /// <summary>
    /// The capability the descriptor states itself: <c>migration.capable</c>, else supported when
    /// it states acceptance rules or names its evidence; null when it says nothing (then only the
    /// driver table can tell).
    /// </summary>
    public static MigrationCapability? StatedCapability(Descriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (MigrationSupport.ParseCapable(descriptor.SelfText(MigrationSupport.CapableField)) is { } stated)
        {
            return stated;
        }

        return descriptor.FindSelf(MigrationSupport.EvidenceField) is not null || StatesAcceptanceRules(descriptor)
            ? MigrationCapability.Supported
            : null;
    }
}
