using System.Collections.Immutable;
using MigCompat.Core.Model;

namespace MigCompat.Core.Matching;

/// <summary>How far a VM can move between two devices.</summary>
public enum CompatibilityLevel
{
    /// <summary>Not at all: the device API or the type is unacceptable.</summary>
    None,

    /// <summary>
    /// Same device API and an acceptable type, but the device state cannot move: the VM can be
    /// restarted on a fresh device on the target (cold migration).
    /// </summary>
    Cold,

    /// <summary>Every rule holds: the target can load the source's device state (live migration).</summary>
    Live,
}

/// <summary>One reason a rule did not hold.</summary>
/// <param name="Code">A stable code from <see cref="ReasonCodes"/>.</param>
/// <param name="Field">The field concerned.</param>
/// <param name="SourceValue">The source's value, or null when the source lacks the field.</param>
/// <param name="TargetAccepts">What the target accepts (its value, or the accepted-values template), or null when it lacks the field.</param>
/// <param name="Message">A sentence a person understands.</param>
/// <param name="Block">The 0-based COMPATIBLE block the reason comes from, or null for rules outside blocks.</param>
public sealed record Reason(string Code, string Field, string? SourceValue, string? TargetAccepts, string Message, int? Block);

/// <summary>The value a template variable was bound to.</summary>
/// <param name="Name">The variable.</param>
/// <param name="Value">Its value as text.</param>
/// <param name="BoundBy">The field whose value bound it.</param>
public sealed record VariableBinding(string Name, string Value, string BoundBy);

/// <summary>A dynamic resource: a value the target instance must be created with.</summary>
/// <param name="Field">The field (e.g. <c>aggregator</c>).</param>
/// <param name="Value">The source's value, to set on the new target instance.</param>
public sealed record DynamicResourceClaim(string Field, string Value);

/// <summary>How one COMPATIBLE block judged the source.</summary>
/// <param name="Index">The 0-based block index.</param>
/// <param name="Accepted">True when every field of the block held with one binding.</param>
/// <param name="Reasons">Why not, when not accepted.</param>
/// <param name="Bindings">The variable bindings found (complete when accepted, partial otherwise).</param>
public sealed record BlockVerdict(int Index, bool Accepted, ImmutableArray<Reason> Reasons, ImmutableArray<VariableBinding> Bindings)
{
    /// <summary>Equal when index, result, reasons and bindings are equal (the arrays by value).</summary>
    public bool Equals(BlockVerdict? other) =>
        other is not null && Index == other.Index && Accepted == other.Accepted
        && ArrayEquality.Equal(Reasons, other.Reasons) && ArrayEquality.Equal(Bindings, other.Bindings);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(Index);
        hash.Add(Accepted);
        ArrayEquality.Add(ref hash, Reasons);
        ArrayEquality.Add(ref hash, Bindings);
        return hash.ToHashCode();
    }
}

/// <summary>The answer to "can this source device migrate to that target device, and if not, why".</summary>
/// <param name="Level">Live, cold or none.</param>
/// <param name="Reasons">Every rule that did not hold (empty when live).</param>
/// <param name="Bindings">The template variable bindings of the accepting block (or of the closest block on refusal).</param>
/// <param name="DynamicResources">Values the target instance must be created with.</param>
/// <param name="AcceptedBlock">The 0-based COMPATIBLE block that accepted, or null.</param>
/// <param name="Blocks">Per block, how it judged the source (evaluated until one accepts).</param>
/// <param name="Evidence">What vouches for the rules that were compared; live needs some.</param>
public sealed record Verdict(
    CompatibilityLevel Level,
    ImmutableArray<Reason> Reasons,
    ImmutableArray<VariableBinding> Bindings,
    ImmutableArray<DynamicResourceClaim> DynamicResources,
    int? AcceptedBlock,
    ImmutableArray<BlockVerdict> Blocks,
    Evidence Evidence)
{
    /// <summary>True when the device can live-migrate.</summary>
    public bool IsCompatible => Level == CompatibilityLevel.Live;

    /// <summary>Equal when every member is equal, the arrays by value.</summary>
    public bool Equals(Verdict? other) =>
        other is not null && Level == other.Level && AcceptedBlock == other.AcceptedBlock && Equals(Evidence, other.Evidence)
        && ArrayEquality.Equal(Reasons, other.Reasons) && ArrayEquality.Equal(Bindings, other.Bindings)
        && ArrayEquality.Equal(DynamicResources, other.DynamicResources) && ArrayEquality.Equal(Blocks, other.Blocks);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(Level);
        hash.Add(AcceptedBlock);
        hash.Add(Evidence);
        ArrayEquality.Add(ref hash, Reasons);
        ArrayEquality.Add(ref hash, Blocks);
        return hash.ToHashCode();
    }
}
