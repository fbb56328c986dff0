namespace MigCompat.Core.Model;

/// <summary>One field of a COMPATIBLE block: the field name and the values it accepts.</summary>
/// <param name="Name">The field name.</param>
/// <param name="Pattern">The accepted values: a literal or a template.</param>
/// <param name="Position">Where it was written; not part of equality.</param>
public sealed record AcceptField(string Name, ValuePattern Pattern, SourcePosition Position = default)
{
    /// <summary>Fields are equal when name and pattern are equal.</summary>
    public bool Equals(AcceptField? other) =>
        other is not null && string.Equals(Name, other.Name, StringComparison.Ordinal) && Pattern.Equals(other.Pattern);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Name), Pattern);
}
