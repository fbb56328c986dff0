namespace MigCompat.Core.Matching;

/// <summary>What vouches for a verdict's comparison rules.</summary>
public enum EvidenceKind
{
    /// <summary>Nothing: the descriptors say nothing about which device states the target accepts; the verdict is at most cold.</summary>
    None,

    /// <summary>The device's driver declared its migration attributes itself (sysfs).</summary>
    Driver,

    /// <summary>A shipped or operator rule pack for the driver.</summary>
    RulePack,

    /// <summary>An operator or vendor profile.</summary>
    Profile,

    /// <summary>The target descriptor states its own acceptance rules (COMPATIBLE blocks, a version field, <c>rule.</c> fields).</summary>
    Declaration,

    /// <summary>The same build of a driver that can migrate on both sides.</summary>
    IdenticalBuild,
}

/// <summary>What vouches for a verdict, and where it comes from.</summary>
/// <param name="Kind">The kind of evidence.</param>
/// <param name="Detail">For a person: which pack, profile, file or build.</param>
public sealed record Evidence(EvidenceKind Kind, string Detail)
{
    /// <summary>No evidence.</summary>
    public static readonly Evidence None = new(EvidenceKind.None, "nothing states which device states the target accepts");

    /// <summary>The kind as written in JSON and tables: <c>none</c>, <c>driver</c>, <c>rule-pack</c>, <c>profile</c>, <c>declaration</c>, <c>identical-build</c>.</summary>
    public string KindName => Name(Kind);

    /// <summary>The written name of <paramref name="kind"/>.</summary>
    public static string Name(EvidenceKind kind) => kind switch
    {
        EvidenceKind.Driver => "driver",
        EvidenceKind.RulePack => "rule-pack",
        EvidenceKind.Profile => "profile",
        EvidenceKind.Declaration => "declaration",
        EvidenceKind.IdenticalBuild => "identical-build",
        _ => "none",
    };

    /// <summary>
    /// Reads a <c>migration.evidence</c> value: its first word is the kind (<c>driver</c>,
    /// <c>rule-pack</c>, <c>profile</c>), the rest the detail; another first word counts as a
    /// declaration with the whole text as detail.
    /// </summary>
    public static Evidence FromDeclaredText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var space = trimmed.IndexOf(' ', StringComparison.Ordinal);
        var head = space < 0 ? trimmed : trimmed[..space];
        var rest = space < 0 ? string.Empty : trimmed[(space + 1)..].Trim();
        return head switch
        {
            "driver" => new Evidence(EvidenceKind.Driver, rest.Length == 0 ? "the driver's own migration attributes" : rest),
            "rule-pack" => new Evidence(EvidenceKind.RulePack, rest),
            "profile" => new Evidence(EvidenceKind.Profile, rest),
            _ => new Evidence(EvidenceKind.Declaration, trimmed),
        };
    }
}
