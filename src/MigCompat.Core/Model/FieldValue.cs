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
    private FieldValue(string text, ValueKind kind, long integer, DeviceVersion? version, ImmutableArray<string> features, string comparable)
    {
        Text = text;
        Kind = kind;
        Integer = integer;
        Version = version;
        Features = features;
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
    public ImmutableArray<string> Features { get; }

    /// <summary>The form used for equality when matching: the text, or for a feature set its sorted features.</summary>
    public string Comparable { get; }

    /// <summary>Reads <paramref name="text"/> as the value of field <paramref name="fieldName"/>.</summary>
    public static FieldValue Create(string fieldName, string text)
    {
        ArgumentNullException.ThrowIfNull(fieldName);
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return new FieldValue(text, ValueKind.Empty, 0, null, [], text);
        }

        if (DeviceVersion.IsVersionFieldName(fieldName) && DeviceVersion.TryParse(text, out var version))
        {
            return new FieldValue(text, ValueKind.Version, 0, version, [], text);
        }

        if (TryParseInteger(text, out var integer))
        {
            return new FieldValue(text, ValueKind.Integer, integer, null, [], text);
        }

        if (TrySplitFeatures(text, out var features))
        {
            return new FieldValue(text, ValueKind.FeatureSet, 0, null, features, FeatureKey(features));
        }

        return new FieldValue(text, ValueKind.String, 0, null, [], text);
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
        TrySplitFeatures(text, out var features) ? FeatureKey(features) : text;

    private static bool TrySplitFeatures(string text, out ImmutableArray<string> features)
    {
        features = [];
        if (!text.Contains('+', StringComparison.Ordinal))
        {
            return false;
        }

        // Validate before splitting: no empty part, only feature-name characters.
        var partLength = 0;
        foreach (var c in text)
        {
            if (c == '+')
            {
                if (partLength == 0)
                {
                    return false;
                }

                partLength = 0;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')
            {
                partLength++;
            }
            else
            {
                return false;
            }
        }

        if (partLength == 0)
        {
            return false;
        }

        features = ImmutableCollectionsMarshal.AsImmutableArray(text.Split('+'));
        return true;
    }

    private static string FeatureKey(ImmutableArray<string> features)
    {
        var sorted = features.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        var count = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            if (count == 0 || !string.Equals(sorted[count - 1], sorted[i], StringComparison.Ordinal))
            {
                sorted[count++] = sorted[i];
            }
        }

        return string.Join('+', sorted, 0, count);
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
