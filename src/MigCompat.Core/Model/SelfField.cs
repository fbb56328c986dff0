namespace MigCompat.Core.Model;

/// <summary>One field of a device's self description: a name and a concrete value.</summary>
/// <param name="Name">The field name, e.g. <c>mdev_type</c>.</param>
/// <param name="Value">The value.</param>
/// <param name="Position">Where it was written; not part of equality.</param>
public sealed record SelfField(string Name, FieldValue Value, SourcePosition Position = default)
{
    /// <summary>Fields are equal when name and value text are equal.</summary>
    public bool Equals(SelfField? other) =>
        other is not null && string.Equals(Name, other.Name, StringComparison.Ordinal) && Value.Equals(other.Value);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Name), Value);
}
