using MigCompat.Core.Model;
using MigCompat.Core.Versioning;

namespace MigCompat.Core.Matching;

/// <summary>Compares one source field with the target's field by a <see cref="ComparisonRule"/> and says why not.</summary>
internal static class RuleComparison
{
    private static readonly char[] SetSeparators = [',', '\n'];

    /// <summary>Null when <paramref name="target"/> accepts <paramref name="source"/> under <paramref name="rule"/>; the reason otherwise.</summary>
    public static Reason? Compare(ComparisonRule rule, SelfField source, SelfField target, int? block) => rule.Kind switch
    {
        RuleKind.Minor => Minor(source, target, block),
        RuleKind.Opaque => string.Equals(source.Value.Text, target.Value.Text, StringComparison.Ordinal)
            ? null
            : new Reason(ReasonCodes.ValueMismatch, source.Name, source.Value.Text, target.Value.Text, $"{source.Name}: the source has {ValueQuoting.Format(source.Value.Text)}, the target {ValueQuoting.Format(target.Value.Text)}; the value is opaque (its format is private to the driver), so only identical text can be accepted.", block),
        RuleKind.Within => Within(source, target, block),
        RuleKind.Superset => Superset(source, target, block),
        RuleKind.Ignore => null,
        _ => Exact(source, target, block),
    };

    private static Reason? Exact(SelfField source, SelfField target, int? block)
    {
        if (string.Equals(source.Value.Comparable, target.Value.Comparable, StringComparison.Ordinal))
        {
            return null;
        }

        var rule = block is null ? "without a COMPATIBLE declaration the values must be equal" : $"COMPATIBLE block {block + 1} does not list this field, so the values must be equal";
        return new Reason(ReasonCodes.ValueMismatch, source.Name, source.Value.Text, target.Value.Text, $"{source.Name}: the source has {ValueQuoting.Format(source.Value.Text)}, the target {ValueQuoting.Format(target.Value.Text)}; {rule}.", block);
    }

    private static Reason? Minor(SelfField source, SelfField target, int? block)
    {
        // Values of *_version fields were parsed once, with the descriptor.
        if (!TryVersion(source.Value, out var sourceVersion) || !TryVersion(target.Value, out var targetVersion))
        {
            return Exact(source, target, block);
        }

        if (targetVersion.Accepts(sourceVersion))
        {
            return null;
        }

        if (targetVersion.IsPreRelease)
        {
            return new Reason(ReasonCodes.VersionPreRelease, source.Name, sourceVersion.Raw, targetVersion.Raw, $"{source.Name}: the target is the pre-release {targetVersion.Raw}, which promises nothing about other versions; it accepts only {targetVersion.Raw}, not the source's {sourceVersion.Raw}.", block);
        }

        return sourceVersion.Major != targetVersion.Major
            ? new Reason(ReasonCodes.VersionMajorDiffers, source.Name, sourceVersion.Raw, targetVersion.Raw, $"{source.Name}: the source is {sourceVersion.Raw} and the target {targetVersion.Raw}; their major versions differ, which means features were removed, so the target cannot load the source's state.", block)
            : new Reason(ReasonCodes.VersionMinorTooLow, source.Name, sourceVersion.Raw, targetVersion.Raw, $"{source.Name}: the target is {targetVersion.Raw}, older than the source's {sourceVersion.Raw} (minor {targetVersion.Minor} < {sourceVersion.Minor}); it may lack features the source uses.", block);
    }

    private static bool TryVersion(FieldValue value, out DeviceVersion version)
    {
        if (value.Version is { } parsed)
        {
            version = parsed;
            return true;
        }

        return DeviceVersion.TryParse(value.Text, out version);
    }

    private static Reason? Within(SelfField source, SelfField target, int? block)
    {
        var accepts = target.Value.Text;
        if (!VersionRanges.TryParse(accepts, out var targetRanges, out var targetError))
        {
            return new Reason(ReasonCodes.VersionOutOfRange, source.Name, source.Value.Text, accepts, $"{source.Name}: the target's {target.Name} {ValueQuoting.Format(accepts)} is not a version range list ({targetError}), so nothing can be shown to lie within it.", block);
        }

        if (!VersionRanges.TryParse(source.Value.Text, out var sourceRanges, out var sourceError))
        {
            return new Reason(ReasonCodes.VersionOutOfRange, source.Name, source.Value.Text, accepts, $"{source.Name}: the source's {ValueQuoting.Format(source.Value.Text)} is not a version or range ({sourceError}).", block);
        }

        foreach (var range in sourceRanges)
        {
            if (!targetRanges.Any(t => t.Contains(range)))
            {
                var what = range.Low.Equals(range.High)
                    ? $"the source's {range}"
                    : $"the source's version is not known, only that it lies in {range}, and not all of that";
                return new Reason(ReasonCodes.VersionOutOfRange, source.Name, source.Value.Text, accepts, $"{source.Name}: {what} is outside the target's accepted {target.Name} {accepts}.", block);
            }
        }

        return null;
    }

    private static Reason? Superset(SelfField source, SelfField target, int? block)
    {
        var targetSet = target.Value.Text.Split(SetSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var missing = new List<string>();
        foreach (var item in source.Value.Text.Split(SetSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var comparable = FieldValue.ComparableText(item);
            if (!targetSet.Any(t => SetItemContains(t, item) || string.Equals(FieldValue.ComparableText(t), comparable, StringComparison.Ordinal)))
            {
                missing.Add(item);
            }
        }

        if (missing.Count == 0)
        {
            return null;
        }

        var targetText = targetSet.Length == 0 ? "an empty set, which accepts nothing that has the field" : ValueQuoting.Format(target.Value.Text);
        return new Reason(ReasonCodes.SetNotContained, source.Name, source.Value.Text, target.Value.Text, $"{source.Name}: the target accepts {targetText}; it lacks {string.Join(", ", missing)} of the source's {ValueQuoting.Format(source.Value.Text)} (the target's set must contain the source's).", block);
    }

    /// <summary>An item of the target's set contains a source item: equal text, or an integer range <c>a-b</c> holding an integer.</summary>
    private static bool SetItemContains(string targetItem, string sourceItem)
    {
        if (string.Equals(targetItem, sourceItem, StringComparison.Ordinal))
        {
            return true;
        }

        var dash = targetItem.IndexOf('-', StringComparison.Ordinal);
        return dash > 0
            && FieldValue.TryParseInteger(targetItem.AsSpan(0, dash), out var low)
            && FieldValue.TryParseInteger(targetItem.AsSpan(dash + 1), out var high)
            && FieldValue.TryParseInteger(sourceItem, out var value)
            && value >= low && value <= high;
    }
}
