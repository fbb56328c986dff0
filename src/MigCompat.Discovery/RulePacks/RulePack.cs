using System.Collections.Immutable;
using MigCompat.Core.Model;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Profiles;

namespace MigCompat.Discovery.RulePacks;

/// <summary>
/// What one driver checks when it loads a migration stream, written down as data: which devices it
/// is for, whether the driver can migrate device state at all, the sources it mirrors, and rules
/// that add fields and comparison rules to those devices' descriptors. Format and shipped packs:
/// docs/rules.md.
/// </summary>
/// <param name="Name">The pack's name (<c>nvidia-vgpu</c>); an operator pack of the same name replaces a shipped one.</param>
/// <param name="Version">The pack's version (an integer, raised with every change of its rules).</param>
/// <param name="Drivers">Globs on the driver name (<c>-</c> and <c>_</c> are the same); for an mdev whose driver is unknown, the type id's prefix is its driver.</param>
/// <param name="Migrates">Whether the driver can migrate device state: becomes <c>migration.capable</c>.</param>
/// <param name="Sources">Where each rule was read (driver source files, vendor documents).</param>
/// <param name="Rules">The rules in file order; every rule whose criteria match applies, a later one's fields replacing an earlier one's.</param>
/// <param name="FilePath">The file it was read from (<c>shipped:nvidia-vgpu.rules</c> for a shipped pack).</param>
/// <param name="Text">The file's text, as <c>migcompat rules show</c> prints it.</param>
public sealed record RulePack(
    string Name,
    int Version,
    ImmutableArray<string> Drivers,
    bool Migrates,
    ImmutableArray<string> Sources,
    ImmutableArray<RulePackRule> Rules,
    string FilePath,
    string Text)
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(RulePack? other) =>
        other is not null
        && Equals(Name, other.Name)
        && Equals(Version, other.Version)
        && ArrayEquality.Equal(Drivers, other.Drivers)
        && Equals(Migrates, other.Migrates)
        && ArrayEquality.Equal(Sources, other.Sources)
        && ArrayEquality.Equal(Rules, other.Rules)
        && Equals(FilePath, other.FilePath)
        && Equals(Text, other.Text);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Version, ArrayEquality.Hash(Drivers), Migrates, ArrayEquality.Hash(Sources), ArrayEquality.Hash(Rules), FilePath, Text);

    /// <summary>The <c>migration.evidence</c> value of descriptors this pack completes: <c>rule-pack NAME VERSION (FILE)</c>.</summary>
    public string EvidenceText => $"rule-pack {Name} {Version} ({FilePath})";

    /// <summary>True when the pack is for <paramref name="driver"/>.</summary>
    public bool IsFor(string? driver)
    {
        if (driver is null)
        {
            return false;
        }

        var normalized = driver.Replace('-', '_');
        return Drivers.Any(glob => Glob.IsMatch(glob.Replace('-', '_'), normalized));
    }
}

/// <summary>One rule of a pack: the devices it is for, and the descriptor fields it adds.</summary>
/// <param name="Line">The line of its <c>[match]</c> (or <c>[descriptor]</c>) header.</param>
/// <param name="Criteria">The <c>[match]</c> criteria (a profile's keys); empty = every device of the pack's drivers.</param>
/// <param name="Descriptor">The fields, blocks and dynamic names it adds.</param>
public sealed record RulePackRule(int Line, ProfileCriteria Criteria, Descriptor Descriptor)
{
    /// <summary>The descriptor as inventory fields, converted once for every device the rule applies to.</summary>
    public DescriptorFields Fields { get; } = DescriptorFieldsConversion.ToFields(Descriptor, DescriptorOrigin.Derived, null);
}
