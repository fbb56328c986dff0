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
            CompareByDefault(source, target, requireTargetFieldsOnSource: true, covered: null, ref reasons, block: null);
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

        var evidence = JudgeMigration(source, target, ref reasons);
        var level = fatal ? CompatibilityLevel.None : reasons is null || reasons.Count == 0 ? CompatibilityLevel.Live : CompatibilityLevel.Cold;
        return new Verdict(level, reasons is null ? [] : [.. reasons], bindings, claims, accepted, blocks, evidence);
    }

    /// <summary>
    /// The first law: live only when both drivers can migrate device state and something vouches
    /// for the rules that were compared. Adds <c>MIGRATION_UNSUPPORTED</c> for a side whose driver
    /// cannot, or <c>NO_EVIDENCE</c> when nothing vouches and no other reason already keeps the
    /// verdict from live; returns the evidence.
    /// </summary>
    private static Evidence JudgeMigration(Descriptor source, CompiledTarget target, ref List<Reason>? reasons)
    {
        // A source that states nothing about itself (an mdevctl import, a bare type) is judged by
        // the driver table, unless the target declares what it accepts from this very driver: a
        // driver that declares acceptance rules migrates, on both sides.
        // (The driver name is only looked up when the source states nothing: the common case allocates nothing.)
        var sourceCapability = DescriptorFacts.StatedCapability(source) ?? CapabilityByDriver(source, target);
        if (sourceCapability == MigrationCapability.Unsupported)
        {
            Add(ref reasons, Unsupported("source", DescriptorFacts.Driver(source), source.SelfText(MigrationSupport.CapableField)));
        }

        if (target.Capability == MigrationCapability.Unsupported)
        {
            Add(ref reasons, Unsupported("target", target.Driver, target.Descriptor.SelfText(MigrationSupport.CapableField)));
        }

        var evidence = target.DeclaredEvidence ?? IdenticalBuild(source, target, sourceCapability) ?? Evidence.None;
        if (evidence.Kind == EvidenceKind.None && (reasons is null || reasons.Count == 0))
        {
            var driver = target.Driver is null ? "its driver" : "driver " + target.Driver;
            Add(ref reasons, new Reason(
                ReasonCodes.NoEvidence,
                DescriptorFacts.DriverField,
                DescriptorFacts.Driver(source),
                target.Driver,
                $"nothing states which device states this target accepts: the descriptors compare only identity fields, no rule pack, profile or driver declaration covers them, and the two sides are not the same build of a driver known to migrate; add a profile or rule pack for {driver} (migcompat rules list), so the answer is at most cold.",
                null));
        }

        return evidence;
    }

    private static MigrationCapability CapabilityByDriver(Descriptor source, CompiledTarget target)
    {
        var driver = DescriptorFacts.Driver(source);
        return target.DeclaredEvidence is not null && string.Equals(driver, target.Driver, StringComparison.Ordinal)
            ? target.Capability
            : MigrationSupport.Find(driver)?.Capability ?? MigrationCapability.Unknown;
    }

    private static Reason Unsupported(string side, string? driver, string? stated)
    {
        var why = stated is not null
            ? $"its descriptor states migration.capable={stated}"
            : $"{driver} cannot migrate device state ({MigrationSupport.Find(driver)?.Source})";
        return new Reason(
            ReasonCodes.MigrationUnsupported,
            DescriptorFacts.DriverField,
            side == "source" ? driver : null,
            side == "target" ? driver : null,
            $"the {side} device cannot save or load its state: {why}; the VM can only move cold (restarted on a fresh device).",
            null);
    }

    /// <summary>Identical builds of a driver that can migrate, on both sides: the evidence when nothing else vouches.</summary>
    private static Evidence? IdenticalBuild(Descriptor source, CompiledTarget target, MigrationCapability sourceCapability)
    {
        var driver = target.Descriptor.SelfText(DescriptorFacts.DriverField);
        var build = target.Descriptor.SelfText(DescriptorFacts.DriverBuildField);
        if (string.IsNullOrEmpty(driver) || string.IsNullOrEmpty(build)
            || target.Capability != MigrationCapability.Supported || sourceCapability != MigrationCapability.Supported
            || !string.Equals(source.SelfText(DescriptorFacts.DriverField), driver, StringComparison.Ordinal)
            || !string.Equals(source.SelfText(DescriptorFacts.DriverBuildField), build, StringComparison.Ordinal))
        {
            return null;
        }

        return new Evidence(EvidenceKind.IdenticalBuild, $"{driver} {build} on both sides ({MigrationSupport.Find(driver)?.Source ?? "migration.capable=yes"})");
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

        CompareByDefault(source, target, requireTargetFieldsOnSource: false, block, ref reasons, index);
        var accepted = reasons is null || reasons.Count == 0;
        return new BlockVerdict(index, accepted, accepted ? [] : [.. reasons!], solver.Bindings());
    }

    /// <summary>
    /// The default rule for the fields no block covers: each field by its rule (the target's
    /// <c>rule.</c> field, else the built-in one: x.y for software_version and interface_version,
    /// opaque for migration_version, exact for the rest), and a source field the target lacks
    /// refuses. In the no-blocks default, a target field the source lacks refuses too.
    /// </summary>
    private static void CompareByDefault(Descriptor source, CompiledTarget compiled, bool requireTargetFieldsOnSource, CompiledBlock? covered, ref List<Reason>? reasons, int? block)
    {
        var target = compiled.Descriptor;
        var sourceFields = source.Self;
        for (var i = 0; i < sourceFields.Length; i++)
        {
            var field = sourceFields[i];
            if (IsIdentityField(field.Name) || DescriptorFacts.IsMetaField(field.Name) || (covered is not null && covered.Covers(field.Name)) || target.IsDynamic(field.Name) || compiled.IsAcceptField(field.Name))
            {
                continue;
            }

            var rule = compiled.RuleFor(field.Name);
            if (rule.Kind == RuleKind.Ignore)
            {
                continue;
            }

            var targetName = rule.TargetField(field.Name);
            var other = FindSelf(target, targetName, i);
            if (other is null && field.Value.Kind == ValueKind.Empty)
            {
                // An empty value means "may be absent": the target lacking the field is the same thing.
                continue;
            }

            if (other is null)
            {
                var where = block is null ? "the target has no such field" : $"the target has no such field and COMPATIBLE block {block + 1} does not accept it";
                if (targetName != field.Name)
                {
                    where = $"the target does not state {targetName}, what it accepts";
                }

                Add(ref reasons, new Reason(ReasonCodes.FieldMissingOnTarget, field.Name, field.Value.Text, null, $"{field.Name}: the source has {ValueQuoting.Format(field.Value.Text)}, but {where}.", block));
                continue;
            }

            if (RuleComparison.Compare(rule, field, other, block) is { } reason)
            {
                Add(ref reasons, reason);
            }
        }

        var targetFields = target.Self;
        for (var i = 0; i < targetFields.Length; i++)
        {
            var field = targetFields[i];
            if (field.Value.Kind == ValueKind.Empty || IsIdentityField(field.Name) || DescriptorFacts.IsMetaField(field.Name) || target.IsDynamic(field.Name)
                || compiled.IsAcceptField(field.Name) || (covered is not null && covered.Covers(field.Name)) || FindSelf(source, field.Name, i) is not null)
            {
                continue;
            }

            // A stated rule is a requirement even next to COMPATIBLE blocks; without blocks every
            // target field is. A superset rule accepts a source without the field (an empty set).
            var stated = compiled.Rules is not null && compiled.Rules.ContainsKey(field.Name);
            var rule = compiled.RuleFor(field.Name);
            if ((!requireTargetFieldsOnSource && !stated) || rule.Kind is RuleKind.Ignore or RuleKind.Superset)
            {
                continue;
            }

            Add(ref reasons, new Reason(ReasonCodes.FieldMissingOnSource, field.Name, null, field.Value.Text, $"{field.Name}: the target has {ValueQuoting.Format(field.Value.Text)}, but the source does not have this field, so the target's requirement cannot be shown to hold.", block));
        }

        if (compiled.Rules is null)
        {
            return;
        }

        // A within rule needs the source's value even when the target has no field of that name.
        foreach (var (name, rule) in compiled.Rules)
        {
            if (rule.Kind == RuleKind.Within && target.FindSelf(name) is null && source.FindSelf(name) is null && !(covered is not null && covered.Covers(name)) && !IsIdentityField(name))
            {
                var accepts = FindSelf(target, rule.TargetField(name), 0)?.Value.Text;
                Add(ref reasons, new Reason(ReasonCodes.FieldMissingOnSource, name, null, accepts, $"{name}: the target accepts {ValueQuoting.Format(accepts ?? string.Empty)} ({rule}), but the source does not state its {name}, so it cannot be shown to lie within.", block));
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
