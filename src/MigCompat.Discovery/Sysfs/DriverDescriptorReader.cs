using System.Collections.Immutable;
using System.Globalization;
using MigCompat.Core.Diagnostics;
using MigCompat.Core.Model;
using MigCompat.Core.Syntax;
using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Profiles;

namespace MigCompat.Discovery.Sysfs;

/// <summary>
/// Reads the migration attributes of every upstream proposal wherever a driver exposes them
/// (docs/discovery.md lists the files). None was merged into Linux; a driver that carries one of
/// them out of tree gets its declaration used as-is (origin <see cref="DescriptorOrigin.Driver"/>).
/// Unparseable declarations are reported (<see cref="SysfsWarningCodes.DriverDescriptorInvalid"/>)
/// and ignored, so the next source (profile, derived) applies.
/// </summary>
internal sealed class DriverDescriptorReader(SysfsTree tree, ScanWarnings warnings)
{
    private const string MigrationVersion = "migration_version";

    /// <summary>Whether a type directory (by path) carries the Sept 2020 per-attribute form: decided once per type, not once per instance.</summary>
    private readonly Dictionary<string, bool> perAttributeTypes = new(StringComparer.Ordinal);

    /// <summary>
    /// Attributes on a device node (mdev instance or PCI device), newest proposal first:
    /// Aug 2020 <c>migration/self</c> + <c>migration/compatible</c>, July 2020 <c>migration_compatible</c>,
    /// 2019 <c>migration_version</c>. Null when the node has none (or none that parses).
    /// </summary>
    public DescriptorFields? ReadDeviceNode(SysfsDirectory device, string? deviceApi, string? mdevType)
    {
        if (device.KindOf("migration") is SysfsEntryKind.Directory or SysfsEntryKind.Link
            && tree.OpenChild(device, "migration") is { } migration
            && (migration.Has("self") || migration.Has("compatible")))
        {
            return ReadSelfAndCompatible(migration, device.ChildPath("migration"));
        }

        if (device.Has("migration_compatible"))
        {
            var path = tree.Display(device.ChildPath("migration_compatible"));
            var text = tree.ReadText(device, "migration_compatible");
            if (text is not null)
            {
                return Accept(DescriptorParser.Parse(text, path), path);
            }
        }

        return ReadOpaqueVersion(device, deviceApi, mdevType);
    }

    /// <summary>
    /// Attributes on an mdev type node: Sept 2020 per-type attributes (<c>software_version</c>,
    /// <c>compatible_type</c>, <c>compatible_&lt;field&gt;</c>, <c>dynamic_resources</c>; field values
    /// from the instance when given, else the type), or a 2019 <c>migration_version</c>.
    /// </summary>
    public DescriptorFields? ReadTypeNode(SysfsDirectory type, string typeId, string? deviceApi, SysfsDirectory? instance)
    {
        return IsPerAttribute(type) ? ReadPerAttribute(type, typeId, deviceApi, instance) : ReadOpaqueVersion(type, deviceApi, typeId);
    }

    private bool IsPerAttribute(SysfsDirectory type)
    {
        if (!perAttributeTypes.TryGetValue(type.Path, out var isPerAttribute))
        {
            isPerAttribute = false;
            foreach (var entry in type.Entries)
            {
                if (entry.Kind != SysfsEntryKind.Directory
                    && (entry.Name is "software_version" or "dynamic_resources" || entry.Name.StartsWith("compatible_", StringComparison.Ordinal)))
                {
                    isPerAttribute = true;
                    break;
                }
            }

            perAttributeTypes[type.Path] = isPerAttribute;
        }

        return isPerAttribute;
    }

    private static bool IsPerAttributeName(string name) =>
        name is "software_version" or "compatible_type" or "dynamic_resources" || name.StartsWith("compatible_", StringComparison.Ordinal);

    private DescriptorFields? ReadPerAttribute(SysfsDirectory type, string typeId, string? deviceApi, SysfsDirectory? instance)
    {
        var attributes = new List<KeyValuePair<string, string>>();
        if (deviceApi is not null)
        {
            attributes.Add(KeyValuePair.Create(Descriptor.DeviceApiField, deviceApi));
        }

        attributes.Add(KeyValuePair.Create(Descriptor.MdevTypeField, typeId));
        var valueFields = new List<string>();
        foreach (var entry in type.Entries)
        {
            if (entry.Kind == SysfsEntryKind.Directory || !IsPerAttributeName(entry.Name))
            {
                continue;
            }

            if (tree.ReadText(type, entry.Name) is { } text)
            {
                attributes.Add(KeyValuePair.Create(entry.Name, text));
                if (entry.Name == "dynamic_resources")
                {
                    valueFields.AddRange(text.Split([',', ' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));
                }
                else if (entry.Name is not "compatible_type" and not "compatible_device_api" and not "compatible_mdev_type"
                    && entry.Name.StartsWith("compatible_", StringComparison.Ordinal))
                {
                    valueFields.Add(entry.Name["compatible_".Length..]);
                }
            }
        }

        // The value of each vendor field: the instance's attribute (e.g. aggregator) first, then the type's.
        foreach (var field in valueFields.Distinct(StringComparer.Ordinal))
        {
            if (attributes.Any(a => a.Key == field))
            {
                continue;
            }

            var value = (instance is not null ? tree.ReadText(instance, field) : null) ?? tree.ReadText(type, field);
            if (value is not null)
            {
                attributes.Add(KeyValuePair.Create(field, value));
            }
        }

        // A creatable type has no instance, so a dynamic resource has no value yet: expected, not a problem.
        var origin = tree.Display(type.Path);
        return Accept(PerAttributeForm.Parse(attributes, origin), origin, instance is null ? DiagnosticCodes.DynamicNotInSelf : null);
    }

    private DescriptorFields? ReadOpaqueVersion(SysfsDirectory node, string? deviceApi, string? mdevType)
    {
        var version = node.Has(MigrationVersion) ? tree.ReadText(node, MigrationVersion) : null;
        if (version is null)
        {
            return null;
        }

        var identity = new List<KeyValuePair<string, string>>();
        if (deviceApi is not null)
        {
            identity.Add(KeyValuePair.Create(Descriptor.DeviceApiField, deviceApi));
        }

        if (mdevType is not null)
        {
            identity.Add(KeyValuePair.Create(Descriptor.MdevTypeField, mdevType));
        }

        var self = identity.Append(KeyValuePair.Create(MigrationVersion, version));
        var accept = identity.Append(KeyValuePair.Create(MigrationVersion, version))
            .Select(static f => KeyValuePair.Create(f.Key, ValueQuoting.Format(f.Value)));
        var path = tree.Display(node.ChildPath(MigrationVersion));
        // The 2019 string is opaque: it is not a major.minor.bugfix version even though its name ends in _version.
        return Accept(DescriptorParser.FromFields(self, [accept], [], path), path, DiagnosticCodes.UnparsableVersion);
    }

    private DescriptorFields? ReadSelfAndCompatible(SysfsDirectory migration, string logicalPath)
    {
        var self = ImmutableArray<KeyValuePair<string, string>>.Empty;
        var blocks = ImmutableArray<ImmutableArray<KeyValuePair<string, string>>>.Empty;
        if (migration.Has("self"))
        {
            var part = ReadPart(migration, "self", isCompatible: false);
            if (part is null)
            {
                return null;
            }

            self = part.Self;
        }

        if (migration.Has("compatible"))
        {
            var part = ReadPart(migration, "compatible", isCompatible: true);
            if (part is null)
            {
                return null;
            }

            blocks = part.Compatible;
        }

        var origin = tree.Display(logicalPath);
        return Accept(DescriptorParser.FromFields(self, blocks.Select(static b => b.AsEnumerable()), [], origin), origin);
    }

    /// <summary>One of <c>migration/self</c> or <c>migration/compatible</c>: a multi-line file, or a directory of one-value files.</summary>
    private DescriptorFields? ReadPart(SysfsDirectory migration, string name, bool isCompatible)
    {
        var path = tree.Display(migration.ChildPath(name));
        var kind = migration.KindOf(name);
        var isDirectory = kind == SysfsEntryKind.Directory
            || (kind == SysfsEntryKind.Link && tree.ResolveChild(migration, name) is { } target && Directory.Exists(tree.FullPath(target)));
        if (!isDirectory)
        {
            var text = tree.ReadText(migration, name);
            if (text is null)
            {
                return null;
            }

            var header = isCompatible ? "COMPATIBLE:" : "SELF:";
            var hasHeader = text.TrimStart().StartsWith(header, StringComparison.Ordinal);
            var parsed = Accept(DescriptorParser.Parse(hasHeader ? text : header + "\n" + text, path, hasHeader ? 1 : 0), path);
            return parsed is null ? null : parsed with
            {
                Self = [.. parsed.Self.Select(RenameType)],
                Compatible = [.. parsed.Compatible.Select(static b => b.Select(RenameType).ToImmutableArray())],
            };
        }

        var directory = tree.OpenChild(migration, name);
        if (directory is null)
        {
            return null;
        }

        var fields = new List<KeyValuePair<string, string>>();
        foreach (var entry in directory.Entries)
        {
            if (entry.Kind == SysfsEntryKind.Directory || tree.ReadText(directory, entry.Name) is not { } value)
            {
                continue;
            }

            fields.Add(RenameType(KeyValuePair.Create(entry.Name, value)));
        }

        var self = isCompatible ? [] : fields.ToImmutableArray();
        ImmutableArray<ImmutableArray<KeyValuePair<string, string>>> blocks = isCompatible ? [fields.ToImmutableArray()] : [];
        return new DescriptorFields(self, blocks, [], DescriptorOrigin.Driver, path);
    }

    /// <summary>The August 2020 proposal calls the mdev type <c>type</c>; the model calls it <c>mdev_type</c>.</summary>
    private static KeyValuePair<string, string> RenameType(KeyValuePair<string, string> field) =>
        field.Key == "type" ? KeyValuePair.Create(Descriptor.MdevTypeField, field.Value) : field;

    private DescriptorFields? Accept(ParseResult result, string path, string? expectedCode = null)
    {
        foreach (var diagnostic in result.Diagnostics)
        {
            if (diagnostic.Code == expectedCode && !diagnostic.IsError)
            {
                continue;
            }

            var location = diagnostic.Line > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{diagnostic.File ?? path}:{diagnostic.Line}:{diagnostic.Column}")
                : diagnostic.File ?? path;
            var consequence = diagnostic.Severity == DiagnosticSeverity.Error
                ? "; the driver's declaration is ignored and the profile or derived descriptor is used"
                : string.Empty;
            warnings.Add(SysfsWarningCodes.DriverDescriptorInvalid, location, $"{diagnostic.Code}: {diagnostic.Message}{consequence}");
        }

        return result.Descriptor is null ? null : DescriptorFieldsConversion.ToFields(result.Descriptor, DescriptorOrigin.Driver, path);
    }
}
