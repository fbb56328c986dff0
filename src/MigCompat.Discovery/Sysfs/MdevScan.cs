using System.Collections.Immutable;
using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Nvidia;
using MigCompat.Discovery.Profiles;

namespace MigCompat.Discovery.Sysfs;

/// <summary>
/// mdev parents and their types (<c>class/mdev_bus/*/mdev_supported_types/*</c>) and mdev instances
/// (<c>bus/mdev/devices/*</c>, whose <c>mdev_type</c> link names type and parent).
/// </summary>
internal sealed class MdevScan(ScanContext context)
{
    private const string SupportedTypes = "mdev_supported_types";
    private const string DeviceApiAttribute = "device_api";
    private const string AvailableInstances = "available_instances";

    private static readonly HashSet<string> KernelInstanceFiles = new(StringComparer.Ordinal)
    {
        "remove", "uevent", "modalias", "migration_version", "migration_compatible",
    };

    private readonly SysfsTree tree = context.Tree;
    private readonly Dictionary<string, MdevParent> parentsByPath = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MdevType?> typesByPath = new(StringComparer.Ordinal);

    public ImmutableArray<CreatableType> ScanTypes()
    {
        var types = ImmutableArray.CreateBuilder<CreatableType>();
        var bus = tree.OpenDirectory("class/mdev_bus");
        if (bus is null)
        {
            return types.ToImmutable();
        }

        foreach (var entry in bus.Entries)
        {
            var parentDirectory = tree.OpenChild(bus, entry.Name);
            if (parentDirectory is null)
            {
                continue;
            }

            var parent = Parent(entry.Name, parentDirectory);
            if (!parentDirectory.Has(SupportedTypes))
            {
                context.Warnings.Add(SysfsWarningCodes.UnexpectedLayout, tree.Display("class/mdev_bus/" + entry.Name), $"an mdev parent without {SupportedTypes}/; it offers no types");
                continue;
            }

            var typesDirectory = tree.OpenChild(parentDirectory, SupportedTypes);
            if (typesDirectory is null)
            {
                continue;
            }

            foreach (var typeEntry in typesDirectory.Entries)
            {
                var type = Type(tree.ResolveChild(typesDirectory, typeEntry.Name), typeEntry.Name, parent, creatable: true);
                if (type is not null)
                {
                    types.Add(ToCreatable(type));
                }
            }
        }

        return types.ToImmutable();
    }

    public ImmutableArray<InventoryDevice> ScanInstances()
    {
        var devices = ImmutableArray.CreateBuilder<InventoryDevice>();
        var bus = tree.OpenDirectory("bus/mdev/devices");
        if (bus is null)
        {
            return devices.ToImmutable();
        }

        foreach (var entry in bus.Entries)
        {
            var instance = tree.OpenChild(bus, entry.Name);
            if (instance is null)
            {
                continue;
            }

            var shown = tree.Display("bus/mdev/devices", entry.Name);
            if (!instance.Has("mdev_type"))
            {
                context.Warnings.Add(SysfsWarningCodes.UnexpectedLayout, shown, "an mdev without an mdev_type link; its type and parent are unknown, so it is not in the inventory");
                continue;
            }

            var typePath = tree.ResolveChild(instance, "mdev_type");
            var type = typePath is null ? null : TypeAt(typePath);
            if (type is null)
            {
                context.Warnings.Add(SysfsWarningCodes.UnexpectedLayout, shown, "the mdev_type link does not lead to a readable <parent>/mdev_supported_types/<type> directory; the mdev is not in the inventory");
                continue;
            }

            devices.Add(ToDevice(entry.Name, instance, type, shown));
            tree.Forget(instance);
        }

        return devices.ToImmutable();
    }

    private InventoryDevice ToDevice(string uuid, SysfsDirectory instance, MdevType type, string shown)
    {
        var parent = type.Parent;
        var vendorAttributes = VendorAttributes(instance);
        var derived = DerivedDescriptors.ForMdev(type.DeviceApi, type.TypeId, type.Driver, type.DriverVersion, DescriptorOrigin.Derived, shown, vendorAttributes);
        var driverExposed = context.DriverAttributes.ReadDeviceNode(instance, type.DeviceApi, type.TypeId)
            ?? context.DriverAttributes.ReadTypeNode(type.Directory, type.TypeId, type.DeviceApi, instance);
        return new InventoryDevice(
            Id: uuid,
            Kind: DeviceKind.Mdev,
            DeviceApi: type.DeviceApi,
            MdevType: type.TypeId,
            Parent: parent.Id,
            Driver: type.Driver,
            DriverVersion: type.DriverVersion,
            Pci: parent.Pci,
            IommuGroup: context.LinkNumber(instance, "iommu_group"),
            NumaNode: parent.NumaNode,
            InUse: null,
            Descriptor: WithNvidiaFields(context.Choose(driverExposed, Subject(type), derived), parent, uuid));
    }

    private CreatableType ToCreatable(MdevType type)
    {
        var parent = type.Parent;
        var shown = tree.Display(type.Directory.Path);
        var derived = DerivedDescriptors.ForMdev(type.DeviceApi, type.TypeId, type.Driver, type.DriverVersion, DescriptorOrigin.Derived, shown);
        var driverExposed = context.DriverAttributes.ReadTypeNode(type.Directory, type.TypeId, type.DeviceApi, instance: null);
        var available = tree.ReadInt(type.Directory, AvailableInstances);
        if (available is null && !type.Directory.Has(AvailableInstances))
        {
            context.Warnings.Add(SysfsWarningCodes.UnexpectedLayout, shown, "the type has no available_instances; 0 free instances assumed");
        }

        var existing = tree.CountEntries(type.Directory, "devices");
        return new CreatableType(
            Parent: parent.Id,
            TypeId: type.TypeId,
            Name: type.Name,
            Description: tree.ReadText(type.Directory, "description"),
            DeviceApi: type.DeviceApi,
            AvailableInstances: Math.Max(available ?? 0, 0),
            ExistingInstances: existing,
            Driver: type.Driver,
            DriverVersion: type.DriverVersion,
            Descriptor: WithNvidiaFields(context.Choose(driverExposed, Subject(type), derived), parent, instance: null));
    }

    /// <summary>
    /// An NVIDIA vGPU (parent driver <c>nvidia</c>) gets the GPU's fields and, through NVML, its running vGPU's
    /// negotiated version (found by mdev UUID); a creatable type (<paramref name="instance"/> null) the host range.
    /// </summary>
    private DescriptorFields WithNvidiaFields(DescriptorFields descriptor, MdevParent parent, string? instance)
    {
        if (parent.Driver != NvidiaVgpuFields.Driver)
        {
            return descriptor;
        }

        var gpu = context.Nvml.Gpu(parent.Id, parent.PhysicalFunction, tree.Display("class/mdev_bus", parent.Id));
        NvmlVgpuFacts? running = null;
        if (instance is not null && gpu?.RunningVgpus is { } vgpus)
        {
            running = vgpus.FirstOrDefault(v => string.Equals(v.MdevUuid, instance, StringComparison.OrdinalIgnoreCase));
        }

        var negotiated = running?.Negotiated is { } version ? VgpuVersionRange.Of(version) : (VgpuVersionRange?)null;
        return NvidiaVgpuFields.Append(descriptor, parent.Pci, gpu, negotiated, running?.MigrationCapable);
    }

    private static ProfileSubject Subject(MdevType type) =>
        new(DeviceKind.Mdev, type.Driver, type.DriverVersion, type.Parent.Pci, type.TypeId, type.Name, type.DeviceApi);

    /// <summary>The type at a resolved <c>&lt;parent&gt;/mdev_supported_types/&lt;type&gt;</c> path, read once.</summary>
    private MdevType? TypeAt(string typePath)
    {
        if (typesByPath.TryGetValue(typePath, out var known))
        {
            return known;
        }

        var parts = typePath.Split('/');
        if (parts.Length < 3 || parts[^2] != SupportedTypes)
        {
            typesByPath[typePath] = null;
            return null;
        }

        var parentPath = string.Join('/', parts[..^2]);
        if (!parentsByPath.TryGetValue(parentPath, out var parent))
        {
            var parentDirectory = tree.List(parentPath, parentPath, warnIfMissing: true);
            if (parentDirectory is null)
            {
                typesByPath[typePath] = null;
                return null;
            }

            parent = Parent(parts[^3], parentDirectory);
        }

        return Type(typePath, parts[^1], parent, creatable: false);
    }

    /// <summary>The type at a resolved path, read once; <paramref name="creatable"/>: it is listed as a creatable type too (so more of it is read).</summary>
    private MdevType? Type(string? typePath, string typeId, MdevParent parent, bool creatable)
    {
        if (typePath is null)
        {
            return null;
        }

        if (typesByPath.TryGetValue(typePath, out var known))
        {
            return known;
        }

        var directory = tree.List(typePath, typePath, warnIfMissing: true);
        MdevType? type = null;
        if (directory is not null)
        {
            var name = tree.ReadText(directory, "name");
            var driver = parent.Driver ?? DriverNamedByType(typeId);
            type = new MdevType(typeId, string.IsNullOrEmpty(name) ? null : name, tree.ReadText(directory, DeviceApiAttribute), directory, parent,
                driver, parent.Driver is null ? context.Modules.VersionOf(driver) : parent.DriverVersion);
        }

        typesByPath[typePath] = type;
        return type;
    }

    private MdevParent Parent(string id, SysfsDirectory directory)
    {
        if (parentsByPath.TryGetValue(directory.Path, out var known))
        {
            return known;
        }

        var driver = tree.LinkName(directory, "driver") ?? InstanceDriver(directory);
        var parent = new MdevParent(
            id,
            driver,
            context.Modules.VersionOf(driver),
            directory.Has("vendor") ? context.ReadPciIds(directory) : null,
            directory.Has("numa_node") ? tree.ReadInt(directory, "numa_node") : null,
            driver == NvidiaVgpuFields.Driver && directory.Has("physfn") ? tree.LinkName(directory, "physfn") : null);
        parentsByPath[directory.Path] = parent;
        return parent;
    }

    /// <summary>
    /// The driver of a parent that has no <c>driver</c> link, from its instances: the kernel's sample
    /// drivers (mtty, mdpy, mbochs) register a class device with no driver and no bus as the parent,
    /// while each instance (<c>&lt;parent&gt;/&lt;uuid&gt;/</c>) is bound to the mdev driver
    /// (<c>driver -&gt; .../bus/mdev/drivers/mtty</c>). The first instance, in name order, with a
    /// <c>driver</c> link tells; null when none has one.
    /// </summary>
    private string? InstanceDriver(SysfsDirectory parentDirectory)
    {
        foreach (var entry in parentDirectory.Entries)
        {
            if (entry.Kind != SysfsEntryKind.Directory || !Guid.TryParseExact(entry.Name, "D", out _))
            {
                continue;
            }

            var path = parentDirectory.ChildPath(entry.Name);
            var instance = tree.List(path, logicalPath: null, warnIfMissing: false);
            if (instance is not null && instance.Has("mdev_type") && tree.LinkName(instance, "driver") is { } driver)
            {
                return driver;
            }
        }

        return null;
    }

    /// <summary>
    /// The driver a type id names when nothing else tells: the kernel names a type
    /// <c>&lt;dev_driver_string(parent)&gt;-&lt;name&gt;</c> (the parent's driver, else its bus, else its class:
    /// <c>mtty-1</c>, <c>i915-GVTg_V5_4</c>, <c>vfio_ccw-io</c>), so the text before the first <c>-</c>.
    /// Null when the id has no <c>-</c> or starts with one.
    /// </summary>
    internal static string? DriverNamedByType(string typeId)
    {
        var dash = typeId.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 ? typeId[..dash] : null;
    }

    /// <summary>Vendor attributes of an instance (e.g. <c>aggregator</c>): its one-line regular files other than the kernel's own.</summary>
    private List<KeyValuePair<string, string>>? VendorAttributes(SysfsDirectory instance)
    {
        List<KeyValuePair<string, string>>? attributes = null;
        foreach (var entry in instance.Entries)
        {
            if (entry.Kind != SysfsEntryKind.File || KernelInstanceFiles.Contains(entry.Name))
            {
                continue;
            }

            var value = tree.ReadText(instance, entry.Name);
            if (value is null)
            {
                continue;
            }

            if (value.Contains('\n', StringComparison.Ordinal))
            {
                context.Warnings.Add(SysfsWarningCodes.MalformedValue, tree.Display(instance.ChildPath(entry.Name)), "a vendor attribute with several lines is not a field value; it is left out of the descriptor");
                continue;
            }

            (attributes ??= []).Add(KeyValuePair.Create(entry.Name, value));
        }

        return attributes;
    }

    /// <summary>A parent; <see cref="Driver"/> from its <c>driver</c> link, else from an instance's (null when neither exists); <paramref name="PhysicalFunction"/> is its PF when it is an SR-IOV VF (read for NVIDIA parents only).</summary>
    private sealed record MdevParent(string Id, string? Driver, string? DriverVersion, PciIds? Pci, int? NumaNode, string? PhysicalFunction);

    /// <summary>A type; <see cref="Driver"/> is the parent's, else the one the type id names (<see cref="DriverNamedByType"/>).</summary>
    private sealed record MdevType(string TypeId, string? Name, string? DeviceApi, SysfsDirectory Directory, MdevParent Parent, string? Driver, string? DriverVersion);
}
