using System.Collections.Immutable;
using System.Runtime.InteropServices;
using MigCompat.Core.Versioning;

namespace MigCompat.Core.Model;

/// <summary>The type a self value was read as.</summary>
public enum ValueKind
{
    /// <summary>The empty value (<c>""</c>).</summary>
    Empty,

    /// <summary>Any other text, compared exactly.</summary>
    String,

    /// <summary>A decimal integer such as <c>2</c>.</summary>
    Integer,

    /// <summary>A version, in a field named <c>version</c> or <c>*_version</c>.</summary>
    Version,

    /// <summary>A <c>+</c>-joined set of feature names such as <c>none+ppgtt+context</c>; order does not matter.</summary>
    FeatureSet,
}

/// <summary>A concrete field value: its text and the type it was read as. Equality is by text.</summary>
public sealed class FieldValue : IEquatable<FieldValue>
{
    /// <summary>The features, split on first use (benign race: every thread splits the same text).</summary>
    private string[]? features;

    private FieldValue(string text, ValueKind kind, long integer, DeviceVersion? version, string comparable)
    {
        Text = text;
        Kind = kind;
        Integer = integer;
        Version = version;
        Comparable = comparable;
    }

    /// <summary>The value as written (unquoted, unescaped).</summary>
    public string Text { get; }

    /// <summary>The type it was read as.</summary>
    public ValueKind Kind { get; }

    /// <summary>The integer, when <see cref="Kind"/> is <see cref="ValueKind.Integer"/>.</summary>
    public long Integer { get; }

    /// <summary>The version, when <see cref="Kind"/> is <see cref="ValueKind.Version"/>.</summary>
    public DeviceVersion? Version { get; }

    /// <summary>The features, when <see cref="Kind"/> is <see cref="ValueKind.FeatureSet"/>, in written order.</summary>
    public ImmutableArray<string> Features =>
        Kind == ValueKind.FeatureSet ? ImmutableCollectionsMarshal.AsImmutableArray(features ??= Text.Split('+')) : [];

    /// <summary>The form used for equality when matching: the text, or for a feature set its sorted features.</summary>
    public string Comparable { get; }

    /// <summary>Reads <paramref name="text"/> as the value of field <paramref name="fieldName"/>.</summary>
    public static FieldValue Create(string fieldName, string text)
    {
        ArgumentNullException.ThrowIfNull(fieldName);
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return new FieldValue(text, ValueKind.Empty, 0, null, text);
        }

        if (DeviceVersion.IsVersionFieldName(fieldName) && DeviceVersion.TryParse(text, out var version))
        {
            return new FieldValue(text, ValueKind.Version, 0, version, text);
        }

        if (TryParseInteger(text, out var integer))
        {
            return new FieldValue(text, ValueKind.Integer, integer, null, text);
        }

        if (TryGetFeatureKey(text, out var key))
        {
            return new FieldValue(text, ValueKind.FeatureSet, 0, null, key);
        }

        return new FieldValue(text, ValueKind.String, 0, null, text);
    }

    /// <summary>Parses a non-negative decimal integer of at most 18 digits.</summary>
    public static bool TryParseInteger(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        if (text.Length is 0 or > 18)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }

    /// <summary>The comparable form of a text: for a feature set, the sorted features; otherwise the text.</summary>
    public static string ComparableText(string text) =>
        TryGetFeatureKey(text, out var key) ? key : text;

    /// <summary>
    /// When <paramref name="text"/> is a feature set (<c>+</c>-joined non-empty parts of
    /// <c>[A-Za-z0-9_.-]</c>), its comparable key: the distinct parts in ordinal order, joined by <c>+</c>
    /// (the text itself when it is already in that form).
    /// </summary>
    private static bool TryGetFeatureKey(string text, out string key)
    {
        key = text;
        var plus = text.IndexOf('+', StringComparison.Ordinal);
        if (plus < 0)
        {
            return false;
        }

        // Validate: no empty part, only feature-name characters. Note whether the parts are already
        // strictly increasing (sorted, no duplicates), the usual case, which needs no new string.
        var span = text.AsSpan();
        var partStart = 0;
        var previousStart = -1;
        var previousEnd = -1;
        var sorted = true;
        var parts = 1;
        for (var i = 0; i <= span.Length; i++)
        {
            if (i < span.Length && span[i] != '+')
            {
                if (!(char.IsAsciiLetterOrDigit(span[i]) || span[i] is '_' or '-' or '.'))
                {
                    return false;
                }

                continue;
            }

            if (i == partStart)
            {
                return false;
            }

            if (previousStart >= 0 && sorted)
            {
                sorted = span[previousStart..previousEnd].SequenceCompareTo(span[partStart..i]) < 0;
            }

            if (i < span.Length)
            {
                parts++;
            }

            previousStart = partStart;
            previousEnd = i;
            partStart = i + 1;
        }

        if (!sorted)
        {
            key = SortedFeatureKey(text, parts);
        }

        return true;
    }

    /// <summary>The distinct <c>+</c>-separated parts of a valid feature set in ordinal order, joined by <c>+</c>.</summary>
    private static string SortedFeatureKey(string text, int parts)
    {
        if (parts > 32)
        {
            // Many parts: sort with Array.Sort (the insertion sort below is quadratic).
            var split = text.Split('+');
            Array.Sort(split, StringComparer.Ordinal);
            var distinct = 0;
            for (var i = 0; i < split.Length; i++)
            {
                if (distinct == 0 || !string.Equals(split[distinct - 1], split[i], StringComparison.Ordinal))
                {
                    split[distinct++] = split[i];
                }
            }

            return string.Join('+', split, 0, distinct);
        }

        var span = text.AsSpan();
        Span<(int Start, int Length)> ranges = stackalloc (int, int)[parts];
        var count = 0;
        var partStart = 0;
        for (var i = 0; i <= span.Length; i++)
        {
            if (i == span.Length || span[i] == '+')
            {
                // Insertion sort by ordinal order, dropping duplicates.
                var part = span[partStart..i];
                var at = count;
                while (at > 0 && span.Slice(ranges[at - 1].Start, ranges[at - 1].Length).SequenceCompareTo(part) > 0)
                {
                    at--;
                }

                if (at == 0 || !span.Slice(ranges[at - 1].Start, ranges[at - 1].Length).SequenceEqual(part))
                {
                    ranges[at..count].CopyTo(ranges[(at + 1)..]);
                    ranges[at] = (partStart, i - partStart);
                    count++;
                }

                partStart = i + 1;
            }
        }

        Span<char> buffer = text.Length <= 256 ? stackalloc char[256] : new char[text.Length];
        var length = 0;
        for (var r = 0; r < count; r++)
        {
            if (r > 0)
            {
                buffer[length++] = '+';
            }

            span.Slice(ranges[r].Start, ranges[r].Length).CopyTo(buffer[length..]);
            length += ranges[r].Length;
        }

        return new string(buffer[..length]);
    }

    /// <inheritdoc />
    public bool Equals(FieldValue? other) => other is not null && string.Equals(Text, other.Text, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as FieldValue);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

    /// <summary>The text.</summary>
    public override string ToString() => Text;
}
