namespace MigCompat.Core.Matching;

/// <summary>How a field the target's COMPATIBLE blocks do not name is compared (docs/format.md §7.3).</summary>
public enum RuleKind
{
    /// <summary>Equal values (feature sets as sets): the default for every field without a stated rule.</summary>
    Exact,

    /// <summary>The x.y rule: same major, target minor at least the source's; pre-release targets accept only their own version.</summary>
    Minor,

    /// <summary>Equal text, nothing parsed: a format private to the driver (the 2019 <c>migration_version</c>).</summary>
    Opaque,

    /// <summary>The source's version (or range of possible versions) lies inside a range list the target states.</summary>
    Within,

    /// <summary>The target's set contains every value of the source's set (Sept 2020 <c>compatible_&lt;field&gt;</c>).</summary>
    Superset,

    /// <summary>Not compared at all (an operator's or rule pack's statement that the field does not matter).</summary>
    Ignore,
}

/// <summary>
/// A comparison rule, as a target states it in a <c>rule.&lt;field&gt;</c> SELF field (<c>rule.vgpu_version=within vgpu_range</c>)
/// or as it holds by definition (<see cref="Builtin"/>).
/// </summary>
/// <param name="Kind">The rule.</param>
/// <param name="Argument">For <see cref="RuleKind.Within"/> and <see cref="RuleKind.Superset"/>: the target field that holds the accepted ranges or set (null: the field itself).</param>
public sealed record ComparisonRule(RuleKind Kind, string? Argument = null)
{
    /// <summary>The prefix of a SELF field that states a rule: <c>rule.&lt;field&gt;</c>.</summary>
    public const string FieldPrefix = "rule.";

    /// <summary>Exact comparison.</summary>
    public static readonly ComparisonRule Exact = new(RuleKind.Exact);

    /// <summary>The x.y rule.</summary>
    public static readonly ComparisonRule Minor = new(RuleKind.Minor);

    /// <summary>Opaque equality.</summary>
    public static readonly ComparisonRule Opaque = new(RuleKind.Opaque);

    /// <summary>
    /// The rule a field has when no <c>rule.</c> field states one: the x.y rule for
    /// <c>software_version</c> (the upstream 2020 definition) and <c>interface_version</c> (the
    /// seed), opaque equality for the 2019 <c>migration_version</c>, exact for every other field,
    /// whatever its name (a <c>driver_version</c> is not a compatibility promise).
    /// </summary>
    public static ComparisonRule Builtin(string field) => field switch
    {
        "software_version" or "interface_version" => Minor,
        "migration_version" => Opaque,
        _ => Exact,
    };


    /// <summary>True for the rules whose target value is what the target accepts (<c>within</c>, <c>superset</c>), possibly held in another field.</summary>
    public bool ReadsAcceptedValues => Kind is RuleKind.Within or RuleKind.Superset;

    /// <summary>The target field that holds what this rule accepts for <paramref name="field"/>.</summary>
    public string TargetField(string field) => ReadsAcceptedValues && Argument is not null ? Argument : field;

    /// <summary>The rule's name as written: <c>exact</c>, <c>minor</c>, <c>opaque</c>, <c>within [FIELD]</c>, <c>superset [FIELD]</c>, <c>ignore</c>.</summary>
    public override string ToString() => Kind switch
    {
        _ when Argument is not null => Kind.ToString().ToLowerInvariant() + " " + Argument,
        _ => Kind.ToString().ToLowerInvariant(),
    };

    /// <summary>Parses a rule as written in a <c>rule.&lt;field&gt;</c> value; false with a message a person can act on otherwise.</summary>
    /// <param name="text">The value.</param>
    /// <param name="rule">The rule.</param>
    /// <param name="error">Why the text is not a rule.</param>
    /// <returns>True when it is one.</returns>
    public static bool TryParse(string text, out ComparisonRule rule, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        rule = Exact;
        error = null;
        var kind = parts.Length == 0 ? null : parts[0] switch
        {
            "exact" => (RuleKind?)RuleKind.Exact,
            "minor" => RuleKind.Minor,
            "opaque" => RuleKind.Opaque,
            "within" => RuleKind.Within,
            "superset" => RuleKind.Superset,
            "ignore" => RuleKind.Ignore,
            _ => null,
        };
        if (kind is null)
        {
            error = $"'{text}' is not a comparison rule; write exact, minor, opaque, within [FIELD], superset [FIELD] or ignore";
            return false;
        }

        var takesField = kind is RuleKind.Within or RuleKind.Superset;
        if (parts.Length > (takesField ? 2 : 1))
        {
            error = takesField
                ? $"'{text}': {parts[0]} takes one field name at most (the target field holding what it accepts)"
                : $"'{text}': the rule {parts[0]} takes no argument";
            return false;
        }

        rule = parts.Length == 2 ? new ComparisonRule(kind.Value, parts[1]) : kind.Value switch
        {
            RuleKind.Exact => Exact,
            RuleKind.Minor => Minor,
            RuleKind.Opaque => Opaque,
            _ => new ComparisonRule(kind.Value),
        };
        return true;
    }
}
