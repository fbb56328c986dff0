using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
using MigCompat.Core.Model;

namespace MigCompat.Core.Syntax;

/// <summary>
/// Parses a bare COMPATIBLE value into a <see cref="ValuePattern"/>: literal text with
/// <c>{name:type:values}</c> declarations and <c>{name}</c> references, or <c>{name} op integer</c>.
/// </summary>
internal static class TemplateParser
{
    // Per-thread scratch lists (the parser is not reentrant on a thread): segments, ':' parts, ',' items.
    [ThreadStatic]
    private static List<PatternSegment>? segmentScratch;

    [ThreadStatic]
    private static List<(int Start, int End)>? partScratch;

    [ThreadStatic]
    private static List<(int Start, int End)>? itemScratch;

    /// <summary>Parses <paramref name="text"/>, which starts at index <paramref name="offset"/> of its line (for error positions).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, int offset, out ValuePattern pattern, out SyntaxError error)
    {
        pattern = null!;
        error = default;
        var i = text.IndexOf('{');
        if (i < 0)
        {
            // No placeholder: a plain literal, as Template would make of a single literal segment.
            pattern = ValuePattern.Literal(StringPool.Get(text));
            return true;
        }

        var segments = segmentScratch ??= [];
        segments.Clear();
        var literalStart = 0;
        while (i >= 0)
        {
            if (i > literalStart)
            {
                segments.Add(new LiteralSegment(StringPool.Get(text[literalStart..i])));
            }

            var close = FindClose(text, i);
            if (close < 0)
            {
                error = new SyntaxError(DiagnosticCodes.InvalidTemplate, "'{' is never closed with '}'", offset + i);
                return false;
            }

            if (!TryParsePlaceholder(text, i + 1, close, offset, out var segment, out error))
            {
                return false;
            }

            segments.Add(segment);
            literalStart = close + 1;
            i = text[literalStart..].IndexOf('{');
            i = i < 0 ? -1 : literalStart + i;
        }

        if (literalStart < text.Length)
        {
            segments.Add(new LiteralSegment(StringPool.Get(text[literalStart..])));
        }

        if (segments is [ReferenceSegment reference, LiteralSegment tail] && TryParseArithmetic(reference.Name, tail.Text, out var expression))
        {
            pattern = ValuePattern.FromArithmetic(expression);
            return true;
        }

        pattern = ValuePattern.Template(CollectionsMarshal.AsSpan(segments));
        segments.Clear();
        return true;
    }

    private static int FindClose(ReadOnlySpan<char> text, int open)
    {
        for (var i = open + 1; i < text.Length; i++)
        {
            if (text[i] == '"')
            {
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    i += text[i] == '\\' ? 2 : 1;
                }
            }
            else if (text[i] == '}')
            {
                return i;
            }
        }

        return -1;
    }

    private static bool TryParsePlaceholder(ReadOnlySpan<char> text, int start, int end, int offset, out PatternSegment segment, out SyntaxError error)
    {
        segment = null!;
        var parts = SplitTopLevel(text, start, end, ':', 3, partScratch ??= []);
        var name = StringPool.Get(text[parts[0].Start..parts[0].End].Trim());
        if (!IsVariableName(name))
        {
            error = new SyntaxError(
                DiagnosticCodes.InvalidTemplate,
                name.Length == 0
                    ? "a placeholder needs a variable name: {name}, {name:int:1,2} or {name:string:\"a\",\"b\"}"
                    : $"'{name}' is not a variable name; use letters, digits and '_', starting with a letter or '_'",
                offset + parts[0].Start);
            return false;
        }

        if (parts.Count == 1)
        {
            error = default;
            segment = new ReferenceSegment(name);
            return true;
        }

        if (parts.Count > 3)
        {
            error = new SyntaxError(DiagnosticCodes.InvalidTemplate, "too many ':' in the placeholder; write {name:type:values}", offset + parts[3].Start - 1);
            return false;
        }

        var typeText = text[parts[1].Start..parts[1].End].Trim();
        VariableType type;
        switch (typeText)
        {
            case "int": type = VariableType.Int; break;
            case "string": type = VariableType.String; break;
            default:
                error = new SyntaxError(DiagnosticCodes.InvalidTemplate, $"unknown variable type '{typeText.ToString()}'; use int or string", offset + parts[1].Start);
                return false;
        }

        if (parts.Count == 2)
        {
            error = default;
            segment = new DeclarationSegment(name, type, [], []);
            return true;
        }

        var valuesStart = parts[2].Start;
        var valuesEnd = parts[2].End;
        var items = SplitTopLevel(text, valuesStart, valuesEnd, ',', DescriptorLimits.MaxListItems + 1, itemScratch ??= []);
        if (items.Count > DescriptorLimits.MaxListItems)
        {
            error = new SyntaxError(DiagnosticCodes.TooMany, string.Create(CultureInfo.InvariantCulture, $"a value list has at most {DescriptorLimits.MaxListItems} items; use a range (1-100) for integers"), offset + valuesStart);
            return false;
        }

        return type == VariableType.Int
            ? TryParseIntItems(text, items, offset, name, out segment, out error)
            : TryParseStringItems(text, items, offset, name, out segment, out error);
    }

    private static bool TryParseIntItems(ReadOnlySpan<char> text, List<(int Start, int End)> items, int offset, string name, out PatternSegment segment, out SyntaxError error)
    {
        segment = null!;
        var ranges = new IntRange[items.Count];
        var count = 0;
        foreach (var (start, end) in items)
        {
            var item = text[start..end].Trim();
            var itemIndex = offset + start + (end - start - text[start..end].TrimStart().Length);
            if (item.IsEmpty)
            {
                error = new SyntaxError(DiagnosticCodes.InvalidTemplate, $"an empty item in the values of '{name}'", offset + start);
                return false;
            }

            var separator = item.IndexOf("..", StringComparison.Ordinal);
            var separatorLength = 2;
            if (separator < 0)
            {
                separator = item.IndexOf('-');
                separatorLength = 1;
            }

            var fromText = separator < 0 ? item : item[..separator].Trim();
            var toText = separator < 0 ? item : item[(separator + separatorLength)..].Trim();
            if (!FieldValue.TryParseInteger(fromText, out var from) || !FieldValue.TryParseInteger(toText, out var to))
            {
                error = new SyntaxError(DiagnosticCodes.InvalidTemplate, $"'{item}' is not a non-negative integer or a range like 1-8", itemIndex);
                return false;
            }

            if (to < from)
            {
                error = new SyntaxError(DiagnosticCodes.InvalidTemplate, $"the range '{item}' is empty: its end is below its start", itemIndex);
                return false;
            }

            ranges[count++] = new IntRange(from, to);
        }

        error = default;
        segment = new DeclarationSegment(name, VariableType.Int, ImmutableCollectionsMarshal.AsImmutableArray(ranges), []);
        return true;
    }

    private static bool TryParseStringItems(ReadOnlySpan<char> text, List<(int Start, int End)> items, int offset, string name, out PatternSegment segment, out SyntaxError error)
    {
        segment = null!;
        var values = new string[items.Count];
        var count = 0;
        foreach (var (start, end) in items)
        {
            var i = start;
            while (i < end && text[i] is ' ' or '\t')
            {
                i++;
            }

            string value;
            if (i < end && text[i] == '"')
            {
                var slice = text[..end];
                if (!ValueLexer.TryReadQuotedString(slice, i, out value, out var after, out var inner))
                {
                    error = inner with { Index = offset + inner.Index };
                    return false;
                }

                while (after < end && text[after] is ' ' or '\t')
                {
                    after++;
                }

                if (after < end)
                {
                    error = new SyntaxError(DiagnosticCodes.UnexpectedText, $"unexpected text after a quoted value of '{name}'; separate values with ','", offset + after);
                    return false;
                }
            }
            else
            {
                value = StringPool.Get(text[i..end].Trim());
                if (value.Length == 0)
                {
                    error = new SyntaxError(DiagnosticCodes.InvalidTemplate, $"an empty item in the values of '{name}'; write \"\" for the empty string", offset + start);
                    return false;
                }
            }

            values[count++] = value;
        }

        error = default;
        segment = new DeclarationSegment(name, VariableType.String, [], ImmutableCollectionsMarshal.AsImmutableArray(values));
        return true;
    }

    private static bool TryParseArithmetic(string name, string tail, out ArithmeticExpression expression)
    {
        expression = null!;
        var span = tail.AsSpan().Trim();
        if (span.Length < 2)
        {
            return false;
        }

        ArithmeticOperator op;
        switch (span[0])
        {
            case '+': op = ArithmeticOperator.Add; break;
            case '-': op = ArithmeticOperator.Subtract; break;
            case '*': op = ArithmeticOperator.Multiply; break;
            case '/': op = ArithmeticOperator.Divide; break;
            default: return false;
        }

        if (!FieldValue.TryParseInteger(span[1..].Trim(), out var operand))
        {
            return false;
        }

        expression = new ArithmeticExpression(name, op, operand);
        return true;
    }

    private static List<(int Start, int End)> SplitTopLevel(ReadOnlySpan<char> text, int start, int end, char separator, int maxParts, List<(int Start, int End)> parts)
    {
        parts.Clear();
        var partStart = start;
        for (var i = start; i < end; i++)
        {
            if (text[i] == '"')
            {
                i++;
                while (i < end && text[i] != '"')
                {
                    i += text[i] == '\\' ? 2 : 1;
                }
            }
            else if (text[i] == separator)
            {
                parts.Add((partStart, i));
                partStart = i + 1;
                if (parts.Count >= maxParts)
                {
                    break;
                }
            }
        }

        parts.Add((partStart, Math.Max(partStart, end)));
        return parts;
    }

    /// <summary>True for <c>[A-Za-z_][A-Za-z0-9_]*</c> of at most <see cref="DescriptorLimits.MaxNameLength"/> characters.</summary>
    public static bool IsVariableName(string name)
    {
        if (name.Length is 0 or > DescriptorLimits.MaxNameLength || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
