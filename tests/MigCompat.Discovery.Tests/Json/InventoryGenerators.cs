using System.Collections.Immutable;
using CsCheck;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Tests.Json;

/// <summary>CsCheck generators for whole inventories, including odd but valid text (quotes, non-ASCII, newlines).</summary>
internal static class InventoryGenerators
{
    private const string TextChars = "abcXYZ019 _-.:+/\"\\\n\té日本ü€<>&'{}=";

    public static readonly Gen<string> Text = Gen.String[Gen.Char[TextChars], 0, 12];

    public static readonly Gen<string> NonEmptyText = Gen.String[Gen.Char[TextChars], 1, 12];

    public static readonly Gen<string?> OptionalText = OrNull(Text);

    public static readonly Gen<ImmutableArray<KeyValuePair<string, string>>> Fields =
        Gen.Select(Text, Text).Array[0, 4].Select(pairs =>
            pairs.Select((p, i) => new KeyValuePair<string, string>($"f{i}{p.Item1}", p.Item2)).ToImmutableArray());

    public static readonly Gen<DescriptorFields> Descriptor =
        from self in Fields
        from compatible in Fields.Array[0, 3]
        from dynamic in Text.Array[0, 3]
        from origin in Gen.Enum<DescriptorOrigin>()
        from detail in OptionalText
        select new DescriptorFields(self, [.. compatible], [.. dynamic], origin, detail);

    public static readonly Gen<PciIds?> Pci = OrNull(
        from vendor in Text
        from device in Text
        from subVendor in OptionalText
        from subDevice in OptionalText
        from @class in OptionalText
        select new PciIds(vendor, device, subVendor, subDevice, @class));

    public static readonly Gen<InventoryDevice> Device =
        from id in NonEmptyText
        from kind in Gen.Enum<DeviceKind>()
        from strings in OptionalText.Array[5]
        from pci in Pci
        from iommu in OrNullValue(Gen.Int[0, 4096])
        from numa in OrNullValue(Gen.Int[-1, 8])
        from inUse in OrNullValue(Gen.Bool)
        from descriptor in Descriptor
        select new InventoryDevice(id, kind, strings[0], strings[1], strings[2], strings[3], strings[4], pci, iommu, numa, inUse, descriptor);

    public static readonly Gen<CreatableType> Type =
        from parent in Text
        from typeId in Text
        from strings in OptionalText.Array[5]
        from available in Gen.Int[0, int.MaxValue]
        from existing in Gen.Int[0, 1000]
        from descriptor in Descriptor
        select new CreatableType(parent, typeId, strings[0], strings[1], strings[2], available, existing, strings[3], strings[4], descriptor);

    public static readonly Gen<InventoryWarning> Warning =
        from code in Text
        from path in Text
        from message in Text
        select new InventoryWarning(code, path, message);

    public static readonly Gen<DateTimeOffset> Timestamp =
        from ticks in Gen.Long[DateTimeOffset.UnixEpoch.Ticks, new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero).Ticks]
        from offsetMinutes in Gen.Int[-14 * 60, 14 * 60]
        select new DateTimeOffset(ticks, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(offsetMinutes));

    /// <summary>Valid inventories: unique device ids and parent/type pairs (made unique by an index prefix); each device in at most one guest.</summary>
    public static readonly Gen<HostInventory> Inventory =
        from host in NonEmptyText.Where(h => !string.IsNullOrWhiteSpace(h))
        from takenAt in Timestamp
        from devices in Device.Array[0, 4]
        from types in Type.Array[0, 4]
        from warnings in Warning.Array[0, 3]
        from guestOfDevice in Gen.Int[-1, 2].Array[devices.Length]
        from guestNames in NonEmptyText.Array[3]
        from uuids in OrNullValue(Gen.Guid).Array[3]
        from labelValues in NonEmptyText.Array[0, 3]
        let ids = devices.Select((d, i) => $"{i}:{d.Id}").ToArray()
        select new HostInventory(
            HostInventory.CurrentSchemaVersion,
            host,
            takenAt,
            [.. devices.Select((d, i) => d with { Id = ids[i] })],
            [.. types.Select((t, i) => t with { TypeId = $"{i}:{t.TypeId}" })],
            [.. warnings])
        {
            Guests = [.. Enumerable.Range(0, 3)
                .Where(g => guestOfDevice.Contains(g))
                .Select(g => new InventoryGuest($"{g}:{guestNames[g]}", uuids[g] is { } uuid ? $"{g:x8}{uuid.ToString("D")[8..]}" : null, [.. ids.Where((_, i) => guestOfDevice[i] == g)]))],
            Labels = [.. labelValues.Select((value, i) => KeyValuePair.Create($"k{i}.example/x-y_z", value))],
        };

    private static Gen<T?> OrNull<T>(Gen<T> gen)
        where T : class =>
        Gen.Bool.SelectMany(present => present ? gen.Select(v => (T?)v) : Gen.Const((T?)null));

    private static Gen<T?> OrNullValue<T>(Gen<T> gen)
        where T : struct =>
        Gen.Bool.SelectMany(present => present ? gen.Select(v => (T?)v) : Gen.Const((T?)null));
}
