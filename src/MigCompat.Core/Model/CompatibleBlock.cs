using System.Collections.Immutable;

namespace MigCompat.Core.Model;

/// <summary>
/// One COMPATIBLE block: a complete alternative of what may migrate into the device. Every field in
/// the block must hold, with one consistent binding of its template variables.
/// </summary>
/// <param name="Fields">The fields, in written order.</param>
/// <param name="Position">Where the block's header was written; not part of equality.</param>
public sealed record CompatibleBlock(ImmutableArray<AcceptField> Fields, SourcePosition Position = default)
{
    /// <summary>The field named <paramref name="name"/>, or null.</summary>
    public AcceptField? Find(string name)
    {
        foreach (var field in Fields)
        {
            if (string.Equals(field.Name, name, StringComparison.Ordinal))
            {
                return field;
            }
        }

        return null;
    }

    /// <summary>Blocks are equal when their fields are equal, in order.</summary>
    public bool Equals(CompatibleBlock? other) => other is not null && ArrayEquality.Equal(Fields, other.Fields);

    /// <inheritdoc />
    public override int GetHashCode() => ArrayEquality.Hash(Fields);
}
