using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace MigCompat.Core.Model;

/// <summary>The type of a template variable.</summary>
public enum VariableType
{
    /// <summary>A non-negative decimal integer.</summary>
    Int,

    /// <summary>A string.</summary>
    String,
}

/// <summary>An inclusive range of integers; a single value is a range of one.</summary>
/// <param name="From">The first value.</param>
/// <param name="To">The last value (at least <paramref name="From"/>).</param>
public readonly record struct IntRange(long From, long To)
{
    /// <summary>True when <paramref name="value"/> lies in the range.</summary>
    public bool Contains(long value) => value >= From && value <= To;

    /// <summary><c>4</c> or <c>1-8</c>.</summary>
    public override string ToString() =>
        From == To ? From.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{From}-{To}");
}

/// <summary>An arithmetic operator applied to an integer variable, e.g. the <c>/</c> in <c>{val1}/2</c>.</summary>
public enum ArithmeticOperator
{
    /// <summary>Addition.</summary>
    Add,

    /// <summary>Subtraction.</summary>
    Subtract,

    /// <summary>Multiplication.</summary>
    Multiply,

    /// <summary>Division; a result that is not an integer matches nothing.</summary>
    Divide,
}

/// <summary>A part of a template: literal text, a variable declaration or a variable reference.</summary>
public abstract record PatternSegment
{
    /// <summary>The canonical text of this segment.</summary>
    public abstract override string ToString();
}

/// <summary>Literal text that must appear as written.</summary>
/// <param name="Text">The text.</param>
public sealed record LiteralSegment(string Text) : PatternSegment
{
    /// <inheritdoc />
    public override string ToString() => Text;
}

/// <summary>
/// A variable declaration <c>{name:type:values}</c>: matches one of the values and binds the variable
/// to it. With no values (<c>{name:int}</c>), any value of the type matches.
/// </summary>
/// <param name="Name">The variable name.</param>
/// <param name="Type">Int or string.</param>
/// <param name="IntValues">For <see cref="VariableType.Int"/>: the accepted values and ranges; empty means any.</param>
/// <param name="StringValues">For <see cref="VariableType.String"/>: the accepted values; empty means any.</param>
public sealed record DeclarationSegment(string Name, VariableType Type, ImmutableArray<IntRange> IntValues, ImmutableArray<string> StringValues) : PatternSegment
{
    /// <summary>True when the declaration lists no values and so accepts any value of its type.</summary>
    public bool AcceptsAny => Type == VariableType.Int ? IntValues.IsDefaultOrEmpty : StringValues.IsDefaultOrEmpty;

    /// <summary>True when <paramref name="value"/> is one of the accepted integers.</summary>
    public bool AcceptsInt(long value)
    {
        if (AcceptsAny)
        {
            return true;
        }

        foreach (var range in IntValues)
        {
            if (range.Contains(value))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Segments are equal when name, type and values are equal.</summary>
    public bool Equals(DeclarationSegment? other) =>
        other is not null && Name == other.Name && Type == other.Type
        && ArrayEquality.Equal(IntValues, other.IntValues)
        && ArrayEquality.Equal(StringValues, other.StringValues);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, Type, IntValues.Length, StringValues.Length);

    /// <inheritdoc />
    public override string ToString()
    {
        var builder = new StringBuilder().Append('{').Append(Name).Append(':').Append(Type == VariableType.Int ? "int" : "string");
        if (!AcceptsAny)
        {
            builder.Append(':');
            if (Type == VariableType.Int)
            {
                builder.AppendJoin(',', IntValues);
            }
            else
            {
                var first = true;
                foreach (var value in StringValues)
                {
                    if (!first)
                    {
                        builder.Append(',');
                    }

                    first = false;
                    ValueQuoting.AppendQuoted(builder, value);
                }
            }
        }

        return builder.Append('}').ToString();
    }
}

/// <summary>A reference <c>{name}</c> to a variable declared in another field (or earlier in this one).</summary>
/// <param name="Name">The variable name.</param>
public sealed record ReferenceSegment(string Name) : PatternSegment
{
    /// <inheritdoc />
    public override string ToString() => "{" + Name + "}";
}

/// <summary>Integer arithmetic on a reference: the whole value is <c>{name} op operand</c>, e.g. <c>{val1}/2</c>.</summary>
/// <param name="Name">The referenced integer variable.</param>
/// <param name="Operator">The operator.</param>
/// <param name="Operand">The right-hand integer.</param>
public sealed record ArithmeticExpression(string Name, ArithmeticOperator Operator, long Operand)
{
    /// <summary>Evaluates the expression for a value of the variable; false when the result is not a (non-negative) integer.</summary>
    public bool TryEvaluate(long value, out long result)
    {
        result = 0;
        switch (Operator)
        {
            case ArithmeticOperator.Add:
                result = value + Operand;
                break;
            case ArithmeticOperator.Subtract:
                result = value - Operand;
                break;
            case ArithmeticOperator.Multiply:
                if (Operand != 0 && value > long.MaxValue / Operand)
                {
                    return false;
                }

                result = value * Operand;
                break;
            case ArithmeticOperator.Divide:
                if (Operand == 0 || value % Operand != 0)
                {
                    return false;
                }

                result = value / Operand;
                break;
        }

        return result >= 0;
    }

    /// <summary>The operator's symbol.</summary>
    public char Symbol => Operator switch
    {
        ArithmeticOperator.Add => '+',
        ArithmeticOperator.Subtract => '-',
        ArithmeticOperator.Multiply => '*',
        _ => '/',
    };

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{{{Name}}}{Symbol}{Operand}");
}

/// <summary>
/// The accepted values of one COMPATIBLE field: either a sequence of segments (literal text,
/// declarations, references) that must match the whole source value, or an arithmetic expression.
/// Equality is by canonical text.
/// </summary>
public sealed class ValuePattern : IEquatable<ValuePattern>
{
    private string? canonical;

    private ValuePattern(ImmutableArray<PatternSegment> segments, ArithmeticExpression? arithmetic)
    {
        Segments = segments;
        Arithmetic = arithmetic;
        if (arithmetic is null && segments.Length == 1 && segments[0] is LiteralSegment literal)
        {
            LiteralText = literal.Text;
        }
        else if (arithmetic is null && segments.Length == 0)
        {
            LiteralText = string.Empty;
        }

        if (arithmetic is not null)
        {
            ReferenceList = [arithmetic.Name];
            DeclarationList = [];
        }
        else if (LiteralText is not null)
        {
            ReferenceList = [];
            DeclarationList = [];
        }
        else
        {
            var declarationCount = 0;
            var referenceCount = 0;
            foreach (var segment in segments)
            {
                declarationCount += segment is DeclarationSegment ? 1 : 0;
                referenceCount += segment is ReferenceSegment ? 1 : 0;
            }

            var declarations = declarationCount == 0 ? [] : new DeclarationSegment[declarationCount];
            var references = referenceCount == 0 ? [] : new string[referenceCount];
            declarationCount = 0;
            referenceCount = 0;
            foreach (var segment in segments)
            {
                if (segment is DeclarationSegment declaration)
                {
                    declarations[declarationCount++] = declaration;
                }
                else if (segment is ReferenceSegment reference)
                {
                    references[referenceCount++] = reference.Name;
                }
            }

            DeclarationList = ImmutableCollectionsMarshal.AsImmutableArray(declarations);
            ReferenceList = ImmutableCollectionsMarshal.AsImmutableArray(references);
        }
    }

    /// <summary>The segments; empty for an arithmetic pattern or the empty literal.</summary>
    public ImmutableArray<PatternSegment> Segments { get; }

    /// <summary>The arithmetic expression, when the pattern is one.</summary>
    public ArithmeticExpression? Arithmetic { get; }

    /// <summary>The text, when the pattern is a plain literal (no template); otherwise null.</summary>
    public string? LiteralText { get; }

    /// <summary>True when the pattern is a plain literal.</summary>
    public bool IsLiteral => LiteralText is not null;

    /// <summary>
    /// True when a source that lacks the field is accepted: the pattern is the empty literal
    /// (<c>""</c>) or a lone string declaration that lists <c>""</c>.
    /// </summary>
    public bool AcceptsAbsent =>
        LiteralText is { Length: 0 }
        || (Segments.Length == 1 && Segments[0] is DeclarationSegment { Type: VariableType.String } d && d.StringValues.Contains(string.Empty));

    /// <summary>Creates a literal pattern.</summary>
    public static ValuePattern Literal(string text) => new(text.Length == 0 ? [] : [new LiteralSegment(text)], null);

    /// <summary>Creates a template pattern from segments (adjacent literals are merged).</summary>
    public static ValuePattern Template(IEnumerable<PatternSegment> segments)
    {
        var merged = ImmutableArray.CreateBuilder<PatternSegment>();
        foreach (var segment in segments)
        {
            if (segment is LiteralSegment { Text.Length: 0 })
            {
                continue;
            }

            if (segment is LiteralSegment next && merged.Count > 0 && merged[^1] is LiteralSegment previous)
            {
                merged[^1] = new LiteralSegment(previous.Text + next.Text);
            }
            else
            {
                merged.Add(segment);
            }
        }

        return new ValuePattern(merged.ToImmutable(), null);
    }

    /// <summary>Creates a template pattern from segments (adjacent literals are merged), without enumerator allocations.</summary>
    internal static ValuePattern Template(ReadOnlySpan<PatternSegment> segments)
    {
        var merged = new PatternSegment[segments.Length];
        var count = 0;
        foreach (var segment in segments)
        {
            if (segment is LiteralSegment { Text.Length: 0 })
            {
                continue;
            }

            if (segment is LiteralSegment next && count > 0 && merged[count - 1] is LiteralSegment previous)
            {
                merged[count - 1] = new LiteralSegment(previous.Text + next.Text);
            }
            else
            {
                merged[count++] = segment;
            }
        }

        if (count < merged.Length)
        {
            Array.Resize(ref merged, count);
        }

        return new ValuePattern(ImmutableCollectionsMarshal.AsImmutableArray(merged), null);
    }

    /// <summary>Creates an arithmetic pattern.</summary>
    public static ValuePattern FromArithmetic(ArithmeticExpression expression) => new([], expression);

    /// <summary>The declarations in this pattern, in order.</summary>
    public IEnumerable<DeclarationSegment> Declarations => DeclarationList;

    /// <summary>The names of the variables this pattern refers to (not declares).</summary>
    public IEnumerable<string> References => ReferenceList;

    /// <summary>The declarations, precomputed (no enumerator allocation).</summary>
    internal ImmutableArray<DeclarationSegment> DeclarationList { get; }

    /// <summary>The referenced variable names, precomputed: the arithmetic variable, or the references in order.</summary>
    internal ImmutableArray<string> ReferenceList { get; }

    /// <summary>The canonical text, as it is written in the language (quoted when it is a literal that needs it).</summary>
    public override string ToString() => Canonical;

    /// <inheritdoc />
    public bool Equals(ValuePattern? other) => other is not null && string.Equals(Canonical, other.Canonical, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ValuePattern);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Canonical);

    /// <summary>The canonical text, built on first use (benign race: every thread builds the same text).</summary>
    private string Canonical => canonical ??= Arithmetic is not null ? Arithmetic.ToString() : BuildCanonical(Segments);

    private static string BuildCanonical(ImmutableArray<PatternSegment> segments)
    {
        if (segments.Length == 0)
        {
            return "\"\"";
        }

        if (segments.Length == 1 && segments[0] is LiteralSegment literal)
        {
            return ValueQuoting.Format(literal.Text);
        }

        var builder = new StringBuilder();
        foreach (var segment in segments)
        {
            builder.Append(segment.ToString());
        }

        return builder.ToString();
    }
}
