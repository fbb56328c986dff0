using MigCompat.Fleet.Storage;

namespace MigCompat.Fleet.Tests.Storage;

/// <summary>Compares claims by value, items included (records compare arrays by reference).</summary>
internal sealed class ClaimComparer : IEqualityComparer<Claim?>
{
    public static readonly ClaimComparer Instance = new();

    public bool Equals(Claim? x, Claim? y) =>
        x is null || y is null
            ? x is null && y is null
            : x with { Items = [] } == y with { Items = [] } && x.Items.SequenceEqual(y.Items);

    public int GetHashCode(Claim? obj) => obj?.Id.GetHashCode(StringComparison.Ordinal) ?? 0;
}
