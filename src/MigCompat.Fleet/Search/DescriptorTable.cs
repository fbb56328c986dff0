using System.Collections.Immutable;
using MigCompat.Core.Diagnostics;
using MigCompat.Core.Matching;
using MigCompat.Core.Model;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Fleet.Search;

/// <summary>
/// The fleet's distinct descriptors, each parsed and compiled once and given a small integer id.
/// Append-only; not thread-safe on its own (the index serializes writers and lets readers in only
/// under its read lock).
/// </summary>
internal sealed class DescriptorTable
{
    private readonly Dictionary<DescriptorFields, InternedFields> byFields = new(DescriptorFieldsComparer.Instance);
    private readonly Dictionary<Descriptor, int> byDescriptor = [];
    private readonly List<CompiledTarget> targets = [];
    private readonly Dictionary<string, List<int>> byDeviceApi = new(StringComparer.Ordinal);
    private readonly List<int> withoutDeviceApi = [];
    private readonly Dictionary<string, string> strings = new(StringComparer.Ordinal);

    /// <summary>How many distinct descriptors the table holds.</summary>
    public int Count => targets.Count;

    /// <summary>The compiled descriptor with id <paramref name="id"/>.</summary>
    public CompiledTarget this[int id] => targets[id];

    /// <summary>
    /// The ids of the descriptors whose device API equals <paramref name="deviceApi"/>: every other
    /// descriptor refuses a source with that API at level none, so it need not be checked.
    /// </summary>
    public IReadOnlyList<int> WithDeviceApi(string? deviceApi) =>
        deviceApi is null ? withoutDeviceApi : byDeviceApi.TryGetValue(deviceApi, out var ids) ? ids : [];

    /// <summary>
    /// The id of <paramref name="fields"/>' descriptor, or -1 with the parse errors when it does
    /// not parse. Identical field lists (whatever their origin) are parsed once.
    /// </summary>
    public int Intern(DescriptorFields fields, out ImmutableArray<Diagnostic> errors)
    {
        if (byFields.TryGetValue(fields, out var known))
        {
            errors = known.Errors;
            return known.Id;
        }

        var parsed = fields.Parse("inventory descriptor");
        var id = parsed.Descriptor is { } descriptor ? Intern(descriptor) : -1;
        errors = id < 0 ? [.. parsed.Errors] : [];
        byFields[fields] = new InternedFields(id, errors);
        return id;
    }

    /// <summary>The id of <paramref name="descriptor"/>, adding and compiling it when new.</summary>
    public int Intern(Descriptor descriptor)
    {
        if (byDescriptor.TryGetValue(descriptor, out var id))
        {
            return id;
        }

        id = targets.Count;
        var compiled = CompiledTarget.Compile(descriptor);
        targets.Add(compiled);
        byDescriptor[descriptor] = id;
        if (compiled.DeviceApi is null)
        {
            withoutDeviceApi.Add(id);
        }
        else if (byDeviceApi.TryGetValue(compiled.DeviceApi, out var ids))
        {
            ids.Add(id);
        }
        else
        {
            byDeviceApi[compiled.DeviceApi] = [id];
        }

        return id;
    }

    /// <summary>One shared instance of a string that repeats across hosts (parents, type ids).</summary>
    public string? Share(string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (strings.TryGetValue(text, out var shared))
        {
            return shared;
        }

        strings[text] = text;
        return text;
    }

    private sealed record InternedFields(int Id, ImmutableArray<Diagnostic> Errors);
}
