using System.Collections.Immutable;
using MigCompat.Core.Model;

namespace MigCompat.Core.Matching;

/// <summary>
/// Decides whether a source device's state can move to a target device: directional and
/// deterministic. The rules (docs/format.md, "Matching"): equal <c>device_api</c>; an equal or
/// accepted <c>mdev_type</c>; then either a COMPATIBLE block that accepts every field with one
/// consistent variable binding, or, without blocks, the conservative default (every field equal,
/// versions by the major.minor rule, a field on one side only refuses). Dynamic resources are not
/// matched but returned as values to create the target with.
/// </summary>
public static class Matcher
{
    /// <summary>Checks <paramref name="source"/> against a target descriptor (compiled on the fly).</summary>
    public static Verdict Check(Descriptor source, Descriptor target) => Check(source, CompiledTarget.Compile(target));

    /// <summary>Checks <paramref name="source"/> against a compiled target.</summary>
    public static Verdict Check(Descriptor source, CompiledTarget target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        List<Reason>? reasons = null;
        var fatal = !CheckIdentity(source, target, ref reasons);
        var claims = DynamicClaims(source, target.Descriptor);
        ImmutableArray<VariableBinding> bindings = [];
        ImmutableArray<BlockVerdict> blocks = [];
        int? accepted = null;

        if (target.Blocks.Length == 0)
        {
            CompareByDefault(source, target.Descriptor, requireTargetFieldsOnSource: true, covered: null, ref reasons, block: null);
        }
        else
        {
            BlockVerdict? first = null;
            List<BlockVerdict>? verdicts = null;
            BlockVerdict? closest = null;
            for (var i = 0; i < target.Blocks.Length; i++)
            {
                var verdict = EvaluateBlock(source, target, i);
                if (first is null)
                {
                    first = verdict;
                }
                else
                {
                    (verdicts ??= [first]).Add(verdict);
                }

                if (verdict.Accepted)
                {
                    accepted = i;
                    closest = verdict;
                    break;
                }

                if (closest is null || verdict.Reasons.Length < closest.Reasons.Length)
                {
                    closest = verdict;
                }
            }

            blocks = verdicts is null ? [first!] : [.. verdicts];
            foreach (var reason in closest!.Reasons)
            {
                Add(ref reasons, reason);
            }

            bindings = closest.Bindings;
        }

        var level = fatal ? CompatibilityLevel.None : reasons is null || reasons.Count == 0 ? CompatibilityLevel.Live : CompatibilityLevel.Cold;
        return new Verdict(level, reasons is null ? [] : [.. reasons], bindings, claims, accepted, blocks);
    }

    private static void Add(ref List<Reason>? reasons, Reason reason) => (reasons ??= []).Add(reason);

    /// <summary>True when the device API and type rules hold; false when they do not (level none). Adds the reasons.</summary>
    private static bool CheckIdentity(Descriptor source, CompiledTarget target, ref List<Reason>? reasons)
    {
        var fatal = false;
        var sourceApi = source.SelfText(Descriptor.DeviceApiField);
        if (!string.Equals(sourceApi, target.DeviceApi, StringComparison.Ordinal))
        {
            fatal = true;
            Add(ref reasons, sourceApi is not null && target.DeviceApi is not null
                ? new Reason(ReasonCodes.DeviceApiMismatch, Descriptor.DeviceApiField, sourceApi, target.DeviceApi, $"device_api: the source is {sourceApi}, the target is {target.DeviceApi}; devices with different VFIO device APIs can never migrate.", null)
                : new Reason(ReasonCodes.DeviceApiMissing, Descriptor.DeviceApiField, sourceApi, target.DeviceApi, $"device_api: only the {(sourceApi is null ? "target" : "source")} states it ({sourceApi ?? target.DeviceApi}); without it on both sides the VFIO interfaces cannot be compared.", null));
        }

        var sourceType = source.SelfText(Descriptor.MdevTypeField);
        if (string.Equals(sourceType, target.MdevType, StringComparison.Ordinal))
        {
            return !fatal;
        }

        if (sourceType is null)
        {
            Add(ref reasons, new Reason(ReasonCodes.TypeMissing, Descriptor.MdevTypeField, null, target.MdevType, $"mdev_type: the target is a mediated device of type {target.MdevType}, the source is not a mediated device.", null));
            return false;
        }

        foreach (var block in target.Blocks)
        {
            if (TypeAccepted(block, source))
            {
                return !fatal;
            }
        }

        Add(ref reasons, target.MdevType is null && target.Blocks.Length == 0
            ? new Reason(ReasonCodes.TypeMissing, Descriptor.MdevTypeField, sourceType, null, $"mdev_type: the source is a mediated device of type {sourceType}, the target is not a mediated device.", null)
            : new Reason(ReasonCodes.TypeNotAccepted, Descriptor.MdevTypeField, sourceType, AcceptedTypes(target), $"mdev_type: the source's type {sourceType} is not the target's type{(target.MdevType is null ? string.Empty : " (" + target.MdevType + ")")} and no COMPATIBLE block accepts it.", null));
        return false;
    }

    private static string? AcceptedTypes(CompiledTarget target)
    {
        var accepted = target.Blocks
            .SelectMany(b => b.Fields.Where(f => f.Name == Descriptor.MdevTypeField).Select(f => f.Pattern.ToString()))
            .Prepend(target.MdevType)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal);
        var text = string.Join(" | ", accepted);
        return text.Length == 0 ? null : text;
    }

    private static bool TypeAccepted(CompiledBlock block, Descriptor source) =>
        block.TypeBlock is { } typeBlock
        && (BlockSolver.Shared(typeBlock, source, null).Solve() || (block.TypeDependsOnOtherFields && BlockSolver.Shared(block, source, null).Solve()));

    private static BlockVerdict EvaluateBlock(Descriptor source, CompiledTarget target, int index)
    {
        var block = target.Blocks[index];
        var solver = BlockSolver.Shared(block, source, target.MdevType);
        List<Reason>? reasons = null;
        if (!solver.Solve())
        {
            reasons = solver.Explain(index);
        }

        CompareByDefault(source, target.Descriptor, requireTargetFieldsOnSource: false, block, ref reasons, index);
        var accepted = reasons is null || reasons.Count == 0;
        return new BlockVerdict(index, accepted, accepted ? [] : [.. reasons!], solver.Bindings());
    }

    /// <summary>
    /// The default rule for the fields no block covers: equal values (feature sets as sets),
    /// versions by the major.minor rule, and a source field the target lacks refuses. In the
    /// no-blocks default, a target field the source lacks refuses too.
    /// </summary>
    private static void CompareByDefault(Descriptor source, Descriptor target, bool requireTargetFieldsOnSource, CompiledBlock? covered, ref List<Reason>? reasons, int? block)
    {
        var sourceFields = source.Self;
        for (var i = 0; i < sourceFields.Length; i++)
        {
            var field = sourceFields[i];
            if (IsIdentityField(field.Name) || (covered is not null && covered.Covers(field.Name)) || target.IsDynamic(field.Name))
            {
                continue;
            }

            var other = FindSelf(target, field.Name, i);
            if (other is null && field.Value.Kind == ValueKind.Empty)
            {
                // An empty value means "may be absent": the target lacking the field is the same thing.
                continue;
            }

            if (other is null)
            {
                var where = block is null ? "the target has no such field" : $"the target has no such field and COMPATIBLE block {block + 1} does not accept it";
                Add(ref reasons, new Reason(ReasonCodes.FieldMissingOnTarget, field.Name, field.Value.Text, null, $"{field.Name}: the source has {ValueQuoting.Format(field.Value.Text)}, but {where}.", block));
                continue;
            }

            if (CompareValues(field, other, block) is { } reason)
            {
                Add(ref reasons, reason);
            }
        }

        if (!requireTargetFieldsOnSource)
        {
            return;
        }

        var targetFields = target.Self;
        for (var i = 0; i < targetFields.Length; i++)
        {
            var field = targetFields[i];
            if (field.Value.Kind != ValueKind.Empty && !IsIdentityField(field.Name) && !target.IsDynamic(field.Name) && FindSelf(source, field.Name, i) is null)
            {
                Add(ref reasons, new Reason(ReasonCodes.FieldMissingOnSource, field.Name, null, field.Value.Text, $"{field.Name}: the target has {ValueQuoting.Format(field.Value.Text)}, but the source does not have this field, so the target's requirement cannot be shown to hold.", block));
            }
        }
    }

    /// <summary>The self field named <paramref name="name"/>, trying index <paramref name="hint"/> first (descriptors usually list fields in the same order).</summary>
    private static SelfField? FindSelf(Descriptor descriptor, string name, int hint)
    {
        var fields = descriptor.Self;
        if ((uint)hint < (uint)fields.Length && string.Equals(fields[hint].Name, name, StringComparison.Ordinal))
        {
            return fields[hint];
        }

        return descriptor.FindSelf(name);
    }

    private static Reason? CompareValues(SelfField source, SelfField target, int? block)
    {
        if (source.Value.Version is { } sourceVersion && target.Value.Version is { } targetVersion)
        {
            if (targetVersion.Accepts(sourceVersion))
            {
                return null;
            }

            return sourceVersion.Major != targetVersion.Major
                ? new Reason(ReasonCodes.VersionMajorDiffers, source.Name, sourceVersion.Raw, targetVersion.Raw, $"{source.Name}: the source is {sourceVersion.Raw} and the target {targetVersion.Raw}; their major versions differ, which means features were removed, so the target cannot load the source's state.", block)
                : new Reason(ReasonCodes.VersionMinorTooLow, source.Name, sourceVersion.Raw, targetVersion.Raw, $"{source.Name}: the target is {targetVersion.Raw}, older than the source's {sourceVersion.Raw} (minor {targetVersion.Minor} < {sourceVersion.Minor}); it may lack features the source uses.", block);
        }

        if (string.Equals(source.Value.Comparable, target.Value.Comparable, StringComparison.Ordinal))
        {
            return null;
        }

        var rule = block is null ? "without a COMPATIBLE declaration the values must be equal" : $"COMPATIBLE block {block + 1} does not list this field, so the values must be equal";
        return new Reason(ReasonCodes.ValueMismatch, source.Name, source.Value.Text, target.Value.Text, $"{source.Name}: the source has {ValueQuoting.Format(source.Value.Text)}, the target {ValueQuoting.Format(target.Value.Text)}; {rule}.", block);
    }

    private static ImmutableArray<DynamicResourceClaim> DynamicClaims(Descriptor source, Descriptor target)
    {
        if (target.DynamicResources.IsDefaultOrEmpty)
        {
            return [];
        }

        var claims = ImmutableArray.CreateBuilder<DynamicResourceClaim>();
        foreach (var name in target.DynamicResources)
        {
            if (source.SelfText(name) is { } value)
            {
                claims.Add(new DynamicResourceClaim(name, value));
            }
        }

        return claims.ToImmutable();
    }

    private static bool IsIdentityField(string name) => name is Descriptor.DeviceApiField or Descriptor.MdevTypeField;
}
