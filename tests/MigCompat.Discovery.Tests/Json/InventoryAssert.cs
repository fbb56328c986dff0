using System.Collections.Immutable;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Tests.Json;

/// <summary>Structural equality for inventories (records compare ImmutableArray fields by reference).</summary>
internal static class InventoryAssert
{
    public static void Equal(HostInventory expected, HostInventory actual) =>
        Assert.True(AreEqual(expected, actual), $"Inventories differ.\nExpected:\n{InventoryJson.Serialize(expected)}\nActual:\n{InventoryJson.Serialize(actual)}");

    public static bool AreEqual(HostInventory a, HostInventory b) =>
        a.SchemaVersion == b.SchemaVersion
        && a.Host == b.Host
        && a.TakenAt == b.TakenAt
        && a.TakenAt.Offset == b.TakenAt.Offset
        && SequenceEqual(a.Devices, b.Devices, DeviceEqual)
        && SequenceEqual(a.CreatableTypes, b.CreatableTypes, TypeEqual)
        && SequenceEqual(a.Warnings, b.Warnings, (x, y) => x == y);

    public static bool DeviceEqual(InventoryDevice a, InventoryDevice b) =>
        a with { Descriptor = b.Descriptor } == b && DescriptorEqual(a.Descriptor, b.Descriptor);

    public static bool TypeEqual(CreatableType a, CreatableType b) =>
        a with { Descriptor = b.Descriptor } == b && DescriptorEqual(a.Descriptor, b.Descriptor);

    public static bool DescriptorEqual(DescriptorFields a, DescriptorFields b) =>
        a.Origin == b.Origin
        && a.OriginDetail == b.OriginDetail
        && SequenceEqual(a.Self, b.Self, (x, y) => x.Equals(y))
        && SequenceEqual(a.Compatible, b.Compatible, (x, y) => SequenceEqual(x, y, (p, q) => p.Equals(q)))
        && SequenceEqual(a.DynamicResources, b.DynamicResources, string.Equals);

    private static bool SequenceEqual<T>(ImmutableArray<T> a, ImmutableArray<T> b, Func<T, T, bool> equal)
    {
        var left = a.IsDefault ? [] : a;
        var right = b.IsDefault ? [] : b;
        return left.Length == right.Length && left.Zip(right).All(pair => equal(pair.First, pair.Second));
    }
}
