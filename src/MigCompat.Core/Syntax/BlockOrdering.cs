using System.Collections.Immutable;
using MigCompat.Core.Model;

namespace MigCompat.Core.Syntax;

/// <summary>
/// The order in which a block's fields are evaluated so that every variable is declared (bound)
/// before a field refers to it. Shared by the checker (to report cycles) and the matcher.
/// </summary>
internal static class BlockOrdering
{
    /// <summary>
    /// True when <see cref="TryOrder"/> would succeed; otherwise false with the variable it names.
    /// Answers the usual block (every reference is to a variable declared by a field that refers to
    /// nothing, or earlier in the same value) without allocating; anything else is ordered in full.
    /// </summary>
    public static bool IsOrderable(CompatibleBlock block, out string? stuckVariable)
    {
        stuckVariable = null;
        var fields = block.Fields;
        if (fields.Length <= 64)
        {
            var simple = true;
            for (var f = 0; f < fields.Length && simple; f++)
            {
                var pattern = fields[f].Pattern;
                if (pattern.ReferenceList.Length == 0)
                {
                    continue;
                }

                if (pattern.Arithmetic is { } arithmetic)
                {
                    simple = IsBoundFirst(fields, arithmetic.Name);
                    continue;
                }

                var segments = pattern.Segments;
                for (var s = 0; s < segments.Length && simple; s++)
                {
                    if (segments[s] is ReferenceSegment reference)
                    {
                        simple = DeclaredBefore(segments, s, reference.Name) || IsBoundFirst(fields, reference.Name);
                    }
                }
            }

            if (simple)
            {
                return true;
            }
        }

        return TryOrder(block, out _, out stuckVariable);
    }

    /// <summary>
    /// True when <paramref name="name"/> is declared by a field that refers to no variable (so that
    /// field is placed in the first round), or by no field at all (the checker reports that).
    /// </summary>
    private static bool IsBoundFirst(ImmutableArray<AcceptField> fields, string name)
    {
        var declared = false;
        foreach (var field in fields)
        {
            foreach (var declaration in field.Pattern.DeclarationList)
            {
                if (string.Equals(declaration.Name, name, StringComparison.Ordinal))
                {
                    if (field.Pattern.ReferenceList.Length == 0)
                    {
                        return true;
                    }

                    declared = true;
                }
            }
        }

        return !declared;
    }

    /// <summary>
    /// Orders the fields of <paramref name="block"/>; false when some references cannot be satisfied
    /// (a cycle, or a reference before its declaration within one value), with the variable named.
    /// Undeclared variables are the checker's concern and are ignored here.
    /// </summary>
    public static bool TryOrder(CompatibleBlock block, out int[] order, out string? stuckVariable)
    {
        var hasReferences = false;
        foreach (var field in block.Fields)
        {
            hasReferences |= field.Pattern.ReferenceList.Length > 0;
        }

        if (!hasReferences)
        {
            // Nothing refers to a variable: every field can be evaluated as written.
            order = new int[block.Fields.Length];
            for (var f = 0; f < order.Length; f++)
            {
                order[f] = f;
            }

            stuckVariable = null;
            return true;
        }

        var declaredBy = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var f = 0; f < block.Fields.Length; f++)
        {
            foreach (var declaration in block.Fields[f].Pattern.DeclarationList)
            {
                declaredBy.TryAdd(declaration.Name, f);
            }
        }

        var count = block.Fields.Length;
        order = new int[count];
        var placed = new bool[count];
        var bound = new HashSet<string>(StringComparer.Ordinal);
        var next = 0;
        stuckVariable = null;
        var progress = true;
        while (next < count && progress)
        {
            progress = false;
            for (var f = 0; f < count; f++)
            {
                if (placed[f] || !CanEvaluate(block.Fields[f].Pattern, bound, declaredBy, out _))
                {
                    continue;
                }

                placed[f] = true;
                order[next++] = f;
                progress = true;
                foreach (var declaration in block.Fields[f].Pattern.DeclarationList)
                {
                    bound.Add(declaration.Name);
                }
            }
        }

        if (next == count)
        {
            return true;
        }

        for (var f = 0; f < count; f++)
        {
            if (!placed[f])
            {
                CanEvaluate(block.Fields[f].Pattern, bound, declaredBy, out stuckVariable);
                break;
            }
        }

        return false;
    }

    private static bool CanEvaluate(ValuePattern pattern, HashSet<string> bound, Dictionary<string, int> declaredBy, out string? missing)
    {
        missing = null;
        if (pattern.Arithmetic is { } arithmetic)
        {
            if (bound.Contains(arithmetic.Name) || !declaredBy.ContainsKey(arithmetic.Name))
            {
                return true;
            }

            missing = arithmetic.Name;
            return false;
        }

        var segments = pattern.Segments;
        for (var s = 0; s < segments.Length; s++)
        {
            if (segments[s] is ReferenceSegment reference
                && !bound.Contains(reference.Name) && !DeclaredBefore(segments, s, reference.Name) && declaredBy.ContainsKey(reference.Name))
            {
                missing = reference.Name;
                return false;
            }
        }

        return true;
    }

    /// <summary>True when a segment before index <paramref name="end"/> declares <paramref name="name"/>.</summary>
    private static bool DeclaredBefore(ImmutableArray<PatternSegment> segments, int end, string name)
    {
        for (var s = 0; s < end; s++)
        {
            if (segments[s] is DeclarationSegment declaration && string.Equals(declaration.Name, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
