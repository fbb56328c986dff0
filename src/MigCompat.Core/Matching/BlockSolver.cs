using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
using MigCompat.Core.Model;

namespace MigCompat.Core.Matching;

/// <summary>
/// Finds one binding of a block's variables under which every field accepts the source's value
/// (depth-first search with backtracking over the fields in evaluation order), and when there is
/// none, explains field by field why not. The search is bounded by <see cref="MaxSearchSteps"/>:
/// templates with several open string declarations could otherwise take exponential time.
/// </summary>
internal sealed class BlockSolver
{
    [ThreadStatic]
    private static BlockSolver? cached;

    private CompiledBlock block = null!;
    private string?[] sourceValues = [];
    private string?[] sourceComparables = [];
    private bool[] bound = [];
    private long[] ints = [];
    private string?[] texts = [];
    private string? targetType;
    private int limit;
    private int steps;

    public BlockSolver(CompiledBlock block, Descriptor source, string? targetType) => Reset(block, source, targetType);

    private BlockSolver()
    {
    }

    /// <summary>
    /// This thread's solver, reset for <paramref name="block"/>: its scratch arrays are reused from
    /// check to check. Valid until the next call on the same thread; never use two at once.
    /// </summary>
    public static BlockSolver Shared(CompiledBlock block, Descriptor source, string? targetType)
    {
        var solver = cached ??= new BlockSolver();
        solver.Reset(block, source, targetType);
        return solver;
    }

    private void Reset(CompiledBlock block, Descriptor source, string? targetType)
    {
        this.block = block;
        this.targetType = targetType;
        var fieldCount = block.Fields.Length;
        if (sourceValues.Length < fieldCount)
        {
            sourceValues = new string?[fieldCount];
            sourceComparables = new string?[fieldCount];
        }

        var self = source.Self;
        for (var i = 0; i < fieldCount; i++)
        {
            // Blocks usually list the fields in the source's order: try the same index first.
            var name = block.Fields[i].Name;
            var value = ((uint)i < (uint)self.Length && string.Equals(self[i].Name, name, StringComparison.Ordinal) ? self[i] : source.FindSelf(name))?.Value;
            sourceValues[i] = value?.Text;
            sourceComparables[i] = value?.Comparable;
        }

        var variableCount = block.Variables.Length;
        if (bound.Length < variableCount)
        {
            bound = new bool[variableCount];
            ints = new long[variableCount];
            texts = new string?[variableCount];
        }
        else
        {
            Array.Clear(bound);
        }
    }

    /// <summary>The most matching steps one search may take before it gives up (and refuses).</summary>
    public const int MaxSearchSteps = 200_000;

    /// <summary>True when the last search stopped because it took more than <see cref="MaxSearchSteps"/> steps.</summary>
    public bool SearchLimitReached => steps > MaxSearchSteps;

    /// <summary>True when some binding makes every field hold; the binding is then kept.</summary>
    public bool Solve()
    {
        if (block.Problem is not null)
        {
            return false;
        }

        limit = block.Fields.Length;
        steps = 0;
        return SolveFrom(0);
    }

    /// <summary>The bindings currently held.</summary>
    public ImmutableArray<VariableBinding> Bindings()
    {
        var count = 0;
        for (var i = 0; i < block.Variables.Length; i++)
        {
            count += bound[i] ? 1 : 0;
        }

        if (count == 0)
        {
            return [];
        }

        var list = new VariableBinding[count];
        var next = 0;
        for (var i = 0; i < block.Variables.Length; i++)
        {
            if (bound[i])
            {
                list[next++] = new VariableBinding(block.Variables[i], texts[i]!, block.DeclaredBy[i]);
            }
        }

        return ImmutableCollectionsMarshal.AsImmutableArray(list);
    }

    /// <summary>Evaluates the fields one at a time, keeping the first binding each allows, and reports every field that fails.</summary>
    public List<Reason> Explain(int blockIndex)
    {
        Array.Clear(bound, 0, block.Variables.Length);
        var reasons = new List<Reason>();
        if (block.Problem is not null)
        {
            reasons.Add(new Reason(ReasonCodes.UnboundVariable, block.Fields.Length > 0 ? block.Fields[0].Name : string.Empty, null, null, $"COMPATIBLE block {blockIndex + 1} can never accept: {block.Problem}.", blockIndex));
            return reasons;
        }

        for (var k = 0; k < block.Fields.Length; k++)
        {
            limit = k + 1;
            steps = 0;
            if (SolveFrom(k))
            {
                continue;
            }

            var field = block.Fields[k];
            if (SearchLimitReached)
            {
                reasons.Add(new Reason(ReasonCodes.SearchLimitExceeded, field.Name, sourceValues[k], field.Pattern.ToString(), string.Create(CultureInfo.InvariantCulture, $"{field.Name}: COMPATIBLE block {blockIndex + 1} needs more than {MaxSearchSteps} matching steps to decide whether {field.Pattern} accepts the source's value, so it is refused; make the template less ambiguous (fewer open {{name:string}} declarations)."), blockIndex));
                return reasons;
            }

            reasons.Add(Describe(field, sourceValues[k], blockIndex));
        }

        return reasons;
    }

    private bool SolveFrom(int k)
    {
        if (k >= limit)
        {
            return true;
        }

        if (++steps > MaxSearchSteps)
        {
            return false;
        }

        if (MatchField(k))
        {
            return true;
        }

        // The target's own type is always accepted, even when a block's mdev_type pattern does not list it.
        return block.Fields[k].IsMdevType && targetType is not null && string.Equals(sourceValues[k], targetType, StringComparison.Ordinal)
            && !SearchLimitReached && SolveFrom(k + 1);
    }

    private bool MatchField(int k)
    {
        var field = block.Fields[k];
        var value = sourceValues[k];
        if (value is null)
        {
            if (!field.Pattern.AcceptsAbsent)
            {
                return false;
            }

            if (field.WholeValueSlot >= 0)
            {
                return BindAndContinue(field.WholeValueSlot, 0, string.Empty, k + 1);
            }

            return SolveFrom(k + 1);
        }

        if (field.ArithmeticSlot >= 0 || field.Pattern.Arithmetic is not null)
        {
            return EvaluateArithmetic(field, value, out _) == ArithmeticOutcome.Equal && SolveFrom(k + 1);
        }

        if (field.LiteralComparable is not null)
        {
            return string.Equals(field.LiteralComparable, sourceComparables[k] ?? FieldValue.ComparableText(value), StringComparison.Ordinal) && SolveFrom(k + 1);
        }

        if (field.WholeValueStrings is { } accepted)
        {
            var comparable = sourceComparables[k] ?? FieldValue.ComparableText(value);
            if (accepted.Length == 0)
            {
                return BindAndContinue(field.WholeValueSlot, 0, value, k + 1);
            }

            foreach (var candidate in accepted)
            {
                if (string.Equals(candidate, comparable, StringComparison.Ordinal) && BindAndContinue(field.WholeValueSlot, 0, value, k + 1))
                {
                    return true;
                }
            }

            return false;
        }

        return MatchSegment(k, 0, value, 0);
    }

    private bool BindAndContinue(int slot, long integer, string text, int next)
    {
        if (slot < 0)
        {
            return SolveFrom(next);
        }

        bound[slot] = true;
        ints[slot] = integer;
        texts[slot] = text;
        if (SolveFrom(next))
        {
            return true;
        }

        bound[slot] = false;
        return false;
    }

    private bool MatchSegment(int k, int s, string value, int position)
    {
        if (++steps > MaxSearchSteps)
        {
            return false;
        }

        var segments = block.Fields[k].Segments;
        if (s == segments.Length)
        {
            return position == value.Length && SolveFrom(k + 1);
        }

        var segment = segments[s];
        switch (segment.Kind)
        {
            case SegmentKind.Literal:
                return value.AsSpan(position).StartsWith(segment.Literal, StringComparison.Ordinal)
                       && MatchSegment(k, s + 1, value, position + segment.Literal!.Length);
            case SegmentKind.Reference:
                return segment.Slot >= 0 && bound[segment.Slot]
                       && value.AsSpan(position).StartsWith(texts[segment.Slot], StringComparison.Ordinal)
                       && MatchSegment(k, s + 1, value, position + texts[segment.Slot]!.Length);
            case SegmentKind.IntDeclaration:
                {
                    var end = position;
                    while (end < value.Length && end - position < 18 && char.IsAsciiDigit(value[end]))
                    {
                        end++;
                    }

                    if (end - position > 1 && value[position] == '0')
                    {
                        // Integers are canonical decimals: no leading zeros ("04" is not 4).
                        end = position + 1;
                    }

                    for (var stop = end; stop > position; stop--)
                    {
                        if (FieldValue.TryParseInteger(value.AsSpan(position, stop - position), out var number)
                            && segment.Declaration!.AcceptsInt(number)
                            && TryBind(segment.Slot, number, number.ToString(CultureInfo.InvariantCulture), k, s, value, stop))
                        {
                            return true;
                        }
                    }

                    return false;
                }

            default:
                {
                    var declaration = segment.Declaration!;
                    if (declaration.AcceptsAny)
                    {
                        for (var stop = value.Length; stop > position; stop--)
                        {
                            if (TryBind(segment.Slot, 0, value[position..stop], k, s, value, stop))
                            {
                                return true;
                            }
                        }

                        return false;
                    }

                    foreach (var candidate in declaration.StringValues)
                    {
                        if (value.AsSpan(position).StartsWith(candidate, StringComparison.Ordinal)
                            && TryBind(segment.Slot, 0, candidate, k, s, value, position + candidate.Length))
                        {
                            return true;
                        }
                    }

                    return false;
                }
        }
    }

    private bool TryBind(int slot, long integer, string text, int k, int s, string value, int next)
    {
        bound[slot] = true;
        ints[slot] = integer;
        texts[slot] = text;
        if (MatchSegment(k, s + 1, value, next))
        {
            return true;
        }

        bound[slot] = false;
        return false;
    }

    private enum ArithmeticOutcome
    {
        Equal,
        Different,
        Unbound,
        NotInteger,
    }

    private ArithmeticOutcome EvaluateArithmetic(CompiledField field, string value, out long expected)
    {
        expected = 0;
        var slot = field.ArithmeticSlot;
        if (slot < 0 || !bound[slot])
        {
            return ArithmeticOutcome.Unbound;
        }

        if (!field.Pattern.Arithmetic!.TryEvaluate(ints[slot], out expected))
        {
            return ArithmeticOutcome.NotInteger;
        }

        return IsCanonicalInteger(value, expected) ? ArithmeticOutcome.Equal : ArithmeticOutcome.Different;
    }

    /// <summary>True when <paramref name="value"/> is the canonical decimal text of <paramref name="expected"/> (no sign, no leading zeros).</summary>
    private static bool IsCanonicalInteger(string value, long expected) =>
        FieldValue.TryParseInteger(value, out var actual) && actual == expected && (value.Length == 1 || value[0] != '0');

    private Reason Describe(CompiledField field, string? value, int blockIndex)
    {
        var accepts = field.Pattern.ToString();
        var where = string.Create(CultureInfo.InvariantCulture, $"COMPATIBLE block {blockIndex + 1}");
        if (value is null)
        {
            return new Reason(ReasonCodes.FieldMissingOnSource, field.Name, null, accepts, $"{field.Name}: {where} requires it ({accepts}), but the source does not have this field.", blockIndex);
        }

        var unbound = field.Pattern.References.Where(r => block.Slot(r) is var slot && (slot < 0 || !bound[slot])).ToList();
        if (unbound.Count > 0)
        {
            var name = unbound[0];
            var slot = block.Slot(name);
            var from = slot >= 0 ? block.DeclaredBy[slot] : "?";
            return new Reason(ReasonCodes.UnboundVariable, field.Name, value, accepts, $"{field.Name}: {where} accepts {accepts}, which depends on {{{name}}}; no value of {from} could bind it, so {ValueQuoting.Format(value)} cannot be checked.", blockIndex);
        }

        if (field.Pattern.Arithmetic is { } arithmetic)
        {
            var slot = field.ArithmeticSlot;
            var binding = string.Create(CultureInfo.InvariantCulture, $"{arithmetic.Name}={ints[slot]} (bound by {block.DeclaredBy[slot]})");
            if (EvaluateArithmetic(field, value, out var expected) == ArithmeticOutcome.NotInteger)
            {
                return new Reason(ReasonCodes.ArithmeticNotInteger, field.Name, value, accepts, $"{field.Name}: with {binding}, {arithmetic} is not a non-negative integer, so {where} accepts no value here.", blockIndex);
            }

            var expectedText = expected.ToString(CultureInfo.InvariantCulture);
            return new Reason(ReasonCodes.BindingMismatch, field.Name, value, expectedText, $"{field.Name}: the source has {ValueQuoting.Format(value)}, but with {binding} {where} accepts only {expectedText} ({accepts}).", blockIndex);
        }

        var references = field.Pattern.References.Distinct(StringComparer.Ordinal).ToList();
        if (references.Count > 0 && !field.Pattern.Declarations.Any())
        {
            var expected = string.Concat(field.Pattern.Segments.Select(s => s is ReferenceSegment r ? texts[block.Slot(r.Name)] : s.ToString()));
            var bindings = string.Join(", ", references.Select(r => $"{r}={texts[block.Slot(r)]} (bound by {block.DeclaredBy[block.Slot(r)]})"));
            return new Reason(ReasonCodes.BindingMismatch, field.Name, value, expected, $"{field.Name}: the source has {ValueQuoting.Format(value)}, but with {bindings} {where} accepts only {ValueQuoting.Format(expected)} ({accepts}).", blockIndex);
        }

        if (field.Name == Descriptor.MdevTypeField)
        {
            return new Reason(ReasonCodes.TypeNotAccepted, field.Name, value, accepts, $"mdev_type: {where} accepts {accepts}, which does not include {ValueQuoting.Format(value)}.", blockIndex);
        }

        var versionNote = field.IsVersion ? " (the block lists accepted values explicitly, so the major.minor rule does not apply)" : string.Empty;
        return new Reason(ReasonCodes.ValueNotAccepted, field.Name, value, accepts, $"{field.Name}: the source has {ValueQuoting.Format(value)}, which {where} does not accept ({accepts}){versionNote}.", blockIndex);
    }
}
