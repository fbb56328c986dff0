using System.Text;

namespace MigCompat.Discovery.Inventory;

/// <summary>
/// Interns the unescaped string values of one document while <see cref="InventoryJsonFastReader"/>
/// reads it: a value seen before in the same document (a field name, a device API, a driver, a type
/// id, a version) is returned as the same <see cref="string"/> instead of a new one, which keeps a
/// loaded fleet small. A few schema-defined names are shared across documents. Entries point into
/// the document's bytes, so a pool lives exactly as long as one read; the table is reused per thread.
/// </summary>
internal ref struct InventoryJsonStringPool
{
    /// <summary>Longer values are rarely repeated and are not pooled.</summary>
    private const int MaxPooledBytes = 256;

    private const int InitialSize = 256;

    /// <summary>A table grown beyond this by a huge document is not kept for the thread's next read.</summary>
    private const int MaxCachedSize = 4096;

    /// <summary>Throws on invalid UTF-8, as <see cref="System.Text.Json.Utf8JsonReader.GetString"/> does.</summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Names from the schema and the domain that most inventories contain; shared by every read.</summary>
    private static readonly (byte[] Utf8, string Value)[] WellKnown =
    [
        .. new[]
        {
            "vfio-pci", "vfio-platform", "vfio-amba", "vfio-ccw", "vfio-ap", "vfio-cdx",
            "device_api", "mdev_type", "pci_id", "subsystem_id", "driver", "driver_build", "software_version", "interface_version",
            "aggregator", "pv_mode", "type", "subchannel_type", "vendor",
            "i915", "nvidia", "mlx5_vfio_pci", "hisi_acc_vfio_pci", "nvgrace_gpu_vfio_pci", "vfio_ccw", "vfio_ap", "matrix",
            "mdevctl types", "mdevctl list", "virsh nodedev-dumpxml",
        }.Select(name => (Encoding.UTF8.GetBytes(name), name)),
    ];

    [ThreadStatic]
    private static Entry[]? cachedEntries;

    private readonly ReadOnlySpan<byte> document;
    private Entry[] entries;
    private int count;

    private InventoryJsonStringPool(ReadOnlySpan<byte> document, Entry[] entries)
    {
        this.document = document;
        this.entries = entries;
    }

    /// <summary>Starts a pool for one document, reusing this thread's table when it is free.</summary>
    public static InventoryJsonStringPool Rent(ReadOnlySpan<byte> document)
    {
        var entries = cachedEntries ?? new Entry[InitialSize];
        cachedEntries = null;
        return new InventoryJsonStringPool(document, entries);
    }

    /// <summary>Forgets the document's strings and gives the table back to this thread.</summary>
    public void Return()
    {
        if (entries is null)
        {
            return;
        }

        if (count > 0)
        {
            Array.Clear(entries);
        }

        if (entries.Length <= MaxCachedSize)
        {
            cachedEntries = entries;
        }

        entries = null!;
        count = 0;
    }

    /// <summary>The string for unescaped UTF-8 text that lies inside the document.</summary>
    /// <exception cref="DecoderFallbackException">The text is not valid UTF-8.</exception>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        if (utf8.Length > MaxPooledBytes || !document.Overlaps(utf8, out var start))
        {
            return StrictUtf8.GetString(utf8);
        }

        var hash = Hash(utf8);
        var mask = entries.Length - 1;
        var slot = hash & mask;
        while (entries[slot].Value is { } existing)
        {
            if (entries[slot].Hash == hash && entries[slot].Length == utf8.Length && document.Slice(entries[slot].Start, utf8.Length).SequenceEqual(utf8))
            {
                return existing;
            }

            slot = (slot + 1) & mask;
        }

        var text = WellKnownOrNull(utf8) ?? StrictUtf8.GetString(utf8);
        if ((count + 1) * 2 > entries.Length)
        {
            Grow();
            mask = entries.Length - 1;
            slot = hash & mask;
            while (entries[slot].Value is not null)
            {
                slot = (slot + 1) & mask;
            }
        }

        entries[slot] = new Entry(hash, start, utf8.Length, text);
        count++;
        return text;
    }

    private static string? WellKnownOrNull(ReadOnlySpan<byte> utf8)
    {
        foreach (var (bytes, value) in WellKnown)
        {
            if (utf8.SequenceEqual(bytes))
            {
                return value;
            }
        }

        return null;
    }

    private static int Hash(ReadOnlySpan<byte> utf8)
    {
        var hash = default(HashCode);
        hash.AddBytes(utf8);
        return hash.ToHashCode() & int.MaxValue;
    }

    private void Grow()
    {
        var old = entries;
        entries = new Entry[old.Length * 2];
        var mask = entries.Length - 1;
        foreach (var entry in old)
        {
            if (entry.Value is null)
            {
                continue;
            }

            var slot = entry.Hash & mask;
            while (entries[slot].Value is not null)
            {
                slot = (slot + 1) & mask;
            }

            entries[slot] = entry;
        }
    }

    private readonly record struct Entry(int Hash, int Start, int Length, string? Value);
}
