using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Nvidia;
using MigCompat.Discovery.Profiles;

namespace MigCompat.Discovery.Sysfs;

/// <summary>One entry of an NVIDIA <c>creatable_vgpu_types</c> file: a vGPU type id and its name.</summary>
/// <param name="Id">The numeric vGPU type id (what <c>current_vgpu_type</c> holds), at least 1.</param>
/// <param name="Name">The type's name, e.g. <c>NVIDIA H200X-1-18C</c>.</param>
internal readonly record struct NvidiaVgpuType(int Id, string Name);

/// <summary>A line of a <c>creatable_vgpu_types</c> file that is neither the header nor a type.</summary>
/// <param name="LineNumber">The 1-based line number.</param>
/// <param name="Text">The line, trimmed.</param>
internal readonly record struct NvidiaMalformedLine(int LineNumber, string Text);

/// <summary>What <see cref="NvidiaCreatableTypes.Parse"/> found in one file.</summary>
/// <param name="Types">The types, in file order (an id listed twice is kept once, the first time).</param>
/// <param name="Malformed">The lines that were skipped because they have the wrong shape.</param>
internal sealed record NvidiaCreatableList(ImmutableArray<NvidiaVgpuType> Types, ImmutableArray<NvidiaMalformedLine> Malformed);

/// <summary>
/// Parses <c>nvidia/creatable_vgpu_types</c> of an NVIDIA vGPU VF (vGPU 17 and later): one type per
/// line as <c>&lt;id&gt; : &lt;name&gt;</c> (also <c>&lt;id&gt;:&lt;name&gt;</c> and <c>&lt;id&gt; &lt;name&gt;</c>,
/// as NVIDIA's own vgpu-device-manager accepts), blank lines skipped, and a header line
/// <c>ID : vGPU Name</c> (the first non-blank line, first field <c>ID</c> in any case) skipped. Every
/// other line (no name, an id that is not a decimal number from 1 to 2^31-1, another header-like line)
/// is malformed: reported, not used. Lenient where NVIDIA's parser is, but nothing silently dropped.
/// </summary>
internal static class NvidiaCreatableTypes
{
    public static NvidiaCreatableList Parse(string text)
    {
        var types = ImmutableArray.CreateBuilder<NvidiaVgpuType>();
        var malformed = ImmutableArray.CreateBuilder<NvidiaMalformedLine>();
        var lineNumber = 0;
        var first = true;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.IsEmpty)
            {
                continue;
            }

            var isFirst = first;
            first = false;

            // The first field ends at a blank or a colon; the name is what follows the colon (if any).
            var end = line.IndexOfAny(" \t:");
            var idText = end < 0 ? line : line[..end];
            var name = end < 0 ? [] : line[end..].TrimStart();
            if (name.StartsWith(':'))
            {
                name = name[1..];
            }

            name = name.Trim();
            if (isFirst && idText.Equals("ID", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (name.IsEmpty
                || !int.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                || id == 0)
            {
                malformed.Add(new NvidiaMalformedLine(lineNumber, line.ToString()));
                continue;
            }

            if (!Contains(types, id))
            {
                types.Add(new NvidiaVgpuType(id, name.ToString()));
            }
        }

        return new NvidiaCreatableList(types.ToImmutable(), malformed.ToImmutable());
    }

    private static bool Contains(ImmutableArray<NvidiaVgpuType>.Builder types, int id)
    {
        foreach (var type in types)
        {
            if (type.Id == id)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// NVIDIA vGPU on SR-IOV virtual functions (vGPU 17 and later: Ada Lovelace, Hopper, Blackwell). There
/// is no mdev: the GPU is an SR-IOV PF bound to <c>nvidia</c>, and each VF has a vendor directory
/// <c>nvidia/</c> with <c>current_vgpu_type</c> (the configured type id, 0 for none) and
/// <c>creatable_vgpu_types</c> (the types creatable on that VF now). A VF with a type is a device
/// (kind <see cref="DeviceKind.SriovVf"/>, <c>mdev_type</c> <c>nvidia-&lt;id&gt;</c>, the name NVIDIA's mdev
/// types use); free VFs are capacity, one <see cref="CreatableType"/> per (PF, type id). Read-only:
/// nothing is ever written to <c>current_vgpu_type</c>. docs/discovery.md has the rules.
/// </summary>
internal sealed class NvidiaVgpuFunctions(ScanContext context)
{
    /// <summary>The vendor directory of a VF.</summary>
    public const string VendorDirectory = "nvidia";

    private const string CurrentType = "current_vgpu_type";
    private const string Creatable = "creatable_vgpu_types";
    private const string VfioPciApi = "vfio-pci";
    private const string PciDevices = "bus/pci/devices";

    private readonly SysfsTree tree = context.Tree;

    /// <summary>The VFs read so far, in bus order.</summary>
    private readonly List<VgpuFunction> functions = [];

    /// <summary>The driver, version and PCI ids of each PF, by address, looked up once.</summary>
    private readonly Dictionary<string, PhysicalFunctionFacts> physicalFunctions = new(StringComparer.Ordinal);

    /// <summary>The PFs with a VF whose <c>current_vgpu_type</c> could not be read: which of their VFs are configured is not fully known.</summary>
    private readonly HashSet<string> physicalFunctionsWithUnknownVfs = new(StringComparer.Ordinal);

    /// <summary>
    /// Reads <paramref name="device"/> (entry <paramref name="address"/> of <c>bus/pci/devices</c>) when it
    /// is an NVIDIA vGPU VF: it has <c>nvidia/current_vgpu_type</c>, whatever driver it is bound to.
    /// A VF with a type takes a slot in <paramref name="slots"/>, filled by <see cref="Complete"/>. True
    /// when the device is handled here (also when it is left out with a warning); false when it is not
    /// such a VF and is scanned as any PCI device.
    /// </summary>
    public bool TryRead(string address, SysfsDirectory device, string? driver, List<InventoryDevice?> slots)
    {
        if (device.KindOf(VendorDirectory) is not (SysfsEntryKind.Directory or SysfsEntryKind.Link))
        {
            return false;
        }

        var vendor = tree.OpenChild(device, VendorDirectory);
        if (vendor is null || !vendor.Has(CurrentType))
        {
            return false;
        }

        var shown = tree.Display(PciDevices, address);
        var physicalFunction = tree.LinkName(device, "physfn");
        if (physicalFunction is null)
        {
            context.Warnings.Add(SysfsWarningCodes.UnexpectedLayout, shown, $"has {VendorDirectory}/{CurrentType} but no physfn link, so it is not an SR-IOV VF; it is not read as an NVIDIA vGPU");
            return false;
        }

        var currentPath = tree.Display(vendor.ChildPath(CurrentType));
        var currentText = tree.ReadText(vendor, CurrentType);
        var creatablePath = tree.Display(vendor.ChildPath(Creatable));
        var creatable = ReadCreatable(vendor, creatablePath);
        if (currentText is null)
        {
            // Unreadable: the tree has said why.
            physicalFunctionsWithUnknownVfs.Add(physicalFunction);
            return true;
        }

        if (!int.TryParse(currentText, NumberStyles.None, CultureInfo.InvariantCulture, out var current))
        {
            physicalFunctionsWithUnknownVfs.Add(physicalFunction);
            context.Warnings.Add(SysfsWarningCodes.MalformedValue, currentPath, $"expected the numeric id of the configured vGPU type (0 for none), found \"{ScanWarnings.Shorten(currentText)}\"; the VF is left out (no device, no capacity)");
            return true;
        }

        // A configured VF is a device (its slot keeps bus order); a free one only needs its PCI ids.
        var configured = current != 0;
        var slot = configured ? slots.Count : -1;
        if (configured)
        {
            slots.Add(null);
        }

        var pci = context.ReadPciIds(device);
        var version = configured ? context.Modules.VersionOf(driver) : null;
        var iommuGroup = configured ? context.LinkNumber(device, "iommu_group") : null;
        var numaNode = configured ? tree.ReadInt(device, "numa_node") : null;
        var driverExposed = configured ? context.DriverAttributes.ReadDeviceNode(device, VfioPciApi, TypeId(current)) : null;
        var function = new VgpuFunction(
            address, physicalFunction, current, creatable, pci, shown, currentPath, creatablePath, slot,
            configured ? driver : null, version, iommuGroup, numaNode, driverExposed);
        functions.Add(function);
        return true;
    }

    /// <summary>
    /// Fills the slots of the configured VFs (their type names need every VF of their PF) and returns
    /// the capacity: one creatable type per (PF, type id), by PF address, then numeric id.
    /// </summary>
    public ImmutableArray<CreatableType> Complete(SysfsDirectory bus, List<InventoryDevice?> slots)
    {
        var types = ImmutableArray.CreateBuilder<CreatableType>();
        if (functions.Count == 0)
        {
            return types.ToImmutable();
        }

        var byPhysicalFunction = functions
            .GroupBy(static f => f.PhysicalFunction, StringComparer.Ordinal)
            .OrderBy(static g => g.Key, StringComparer.Ordinal);
        foreach (var group in byPhysicalFunction)
        {
            var pf = PhysicalFunction(bus, group.Key);
            var (pfDriver, pfVersion) = (pf.Driver, pf.Version);
            var gpu = context.Nvml.Gpu(group.Key, physicalFunction: null, tree.Display(PciDevices, group.Key));
            var (negotiated, guestCapable) = ConfiguredVfState(group.Key, group.Count(static f => f.Slot >= 0), gpu);
            var names = new Dictionary<int, string>();
            foreach (var function in group)
            {
                foreach (var type in function.Creatable)
                {
                    names.TryAdd(type.Id, type.Name);
                }
            }

            foreach (var function in group)
            {
                if (function.Slot >= 0)
                {
                    var device = ToDevice(function, pfDriver, pfVersion, names);
                    slots[function.Slot] = device with { Descriptor = NvidiaVgpuFields.Append(device.Descriptor, pf.Pci, gpu, negotiated, guestCapable) };
                }
            }

            var ids = new SortedSet<int>();
            foreach (var function in group)
            {
                if (function.CurrentType != 0)
                {
                    ids.Add(function.CurrentType);
                }
                else
                {
                    foreach (var type in function.Creatable)
                    {
                        ids.Add(type.Id);
                    }
                }
            }

            foreach (var id in ids)
            {
                var type = ToCreatable(group.Key, id, group, pfDriver, pfVersion, names);
                types.Add(type with { Descriptor = NvidiaVgpuFields.Append(type.Descriptor, pf.Pci, gpu, negotiated: null, guestMigrationCapable: null) });
            }
        }

        return types.ToImmutable();
    }

    /// <summary>
    /// What the configured VFs of a PF negotiated. NVML does not say which VF a running vGPU is on (the PCI
    /// address it gives is the one inside the VM), so they cannot be told apart; but when the PF has exactly
    /// as many running vGPUs as configured VFs (and every VF was read), each VF has one of them, and the
    /// versions they may have negotiated lie between the lowest and the highest (a vGPU whose guest driver
    /// has not loaded: anywhere in the host range). The guest side's migration capability is "no" when any
    /// running vGPU's is, "yes" when all say yes. Otherwise nothing is known (null: the host range), with
    /// a warning when some version was known.
    /// </summary>
    private (VgpuVersionRange? Negotiated, bool? GuestMigrationCapable) ConfiguredVfState(string physicalFunction, int configured, NvmlGpuFacts? gpu)
    {
        if (configured == 0 || gpu?.HostRange is not { } range || gpu.RunningVgpus is not { } running)
        {
            return (null, null);
        }

        // A GPU in SR-IOV mode has no mdev-based vGPUs: every running vGPU is on one of its VFs.
        if (running.Length != configured || physicalFunctionsWithUnknownVfs.Contains(physicalFunction))
        {
            if (running.Any(static v => v.Negotiated is not null))
            {
                context.Warnings.Add(
                    SysfsWarningCodes.NvmlVgpuUnmatched,
                    tree.Display(PciDevices, physicalFunction),
                    string.Create(CultureInfo.InvariantCulture, $"NVML does not say which VF a running vGPU is on, and the {running.Length} running vGPUs cannot be tied to the {configured} configured VFs{(physicalFunctionsWithUnknownVfs.Contains(physicalFunction) ? " (and some VFs could not be read)" : string.Empty)}; their vgpu_version is the host's whole range"));
            }

            return (null, null);
        }

        VgpuVersionRange? versions = null;
        bool? capable = true;
        foreach (var vgpu in running)
        {
            var possible = vgpu.Negotiated is { } version ? VgpuVersionRange.Of(version) : range;
            versions = versions is { } known ? known.Span(possible) : possible;
            capable = vgpu.MigrationCapable == false || capable == false ? false : vgpu.MigrationCapable is null ? null : capable;
        }

        return (versions, capable);
    }

    /// <summary>The type id as the inventory writes it: <c>nvidia-&lt;id&gt;</c>, NVIDIA's mdev naming.</summary>
    public static string TypeId(int id) => "nvidia-" + id.ToString(CultureInfo.InvariantCulture);

    private InventoryDevice ToDevice(VgpuFunction function, string? pfDriver, string? pfVersion, Dictionary<int, string> names)
    {
        var typeId = TypeId(function.CurrentType);
        var derived = DerivedDescriptors.ForMdev(VfioPciApi, typeId, pfDriver, pfVersion, DescriptorOrigin.Derived, function.Shown);
        var subject = new ProfileSubject(DeviceKind.SriovVf, pfDriver, pfVersion, function.Pci, typeId, names.GetValueOrDefault(function.CurrentType), VfioPciApi);
        return new InventoryDevice(
            Id: function.Address,
            Kind: DeviceKind.SriovVf,
            DeviceApi: VfioPciApi,
            MdevType: typeId,
            Parent: function.PhysicalFunction,
            Driver: function.Driver,
            DriverVersion: function.DriverVersion,
            Pci: function.Pci,
            IommuGroup: function.IommuGroup,
            NumaNode: function.NumaNode,
            InUse: null,
            Descriptor: context.Choose(function.DriverExposed, subject, derived));
    }

    private CreatableType ToCreatable(string physicalFunction, int id, IEnumerable<VgpuFunction> group, string? pfDriver, string? pfVersion, Dictionary<int, string> names)
    {
        var available = 0;
        var existing = 0;
        VgpuFunction? firstFree = null;
        VgpuFunction? firstConfigured = null;
        foreach (var function in group)
        {
            if (function.CurrentType == id)
            {
                existing++;
                firstConfigured ??= function;
            }
            else if (function.CurrentType == 0 && Lists(function, id))
            {
                available++;
                firstFree ??= function;
            }
        }

        // Where the type was seen: the first free VF's list, else the first configured VF's current type.
        var source = (firstFree ?? firstConfigured)!;
        var detail = firstFree is not null ? source.CreatablePath : source.CurrentPath;
        var typeId = TypeId(id);
        var name = names.GetValueOrDefault(id);
        var derived = DerivedDescriptors.ForMdev(VfioPciApi, typeId, pfDriver, pfVersion, DescriptorOrigin.Derived, detail);
        var subject = new ProfileSubject(DeviceKind.SriovVf, pfDriver, pfVersion, source.Pci, typeId, name, VfioPciApi);
        return new CreatableType(
            Parent: physicalFunction,
            TypeId: typeId,
            Name: name,
            Description: null,
            DeviceApi: VfioPciApi,
            AvailableInstances: available,
            ExistingInstances: existing,
            Driver: pfDriver,
            DriverVersion: pfVersion,
            Descriptor: context.Choose(null, subject, derived));
    }

    private static bool Lists(VgpuFunction function, int id)
    {
        foreach (var type in function.Creatable)
        {
            if (type.Id == id)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The types a VF lists now; empty (with a warning) when the file is absent, unreadable or has no usable line.</summary>
    private ImmutableArray<NvidiaVgpuType> ReadCreatable(SysfsDirectory vendor, string shown)
    {
        if (!vendor.Has(Creatable))
        {
            context.Warnings.Add(SysfsWarningCodes.UnexpectedLayout, shown, $"missing: the VF has {CurrentType} but no {Creatable}; it is counted as offering no types");
            return [];
        }

        var text = tree.ReadText(vendor, Creatable);
        if (text is null)
        {
            return [];
        }

        var list = NvidiaCreatableTypes.Parse(text);
        if (!list.Malformed.IsEmpty)
        {
            context.Warnings.Add(SysfsWarningCodes.MalformedValue, shown, MalformedMessage(list.Malformed));
        }

        return list.Types;
    }

    private static string MalformedMessage(ImmutableArray<NvidiaMalformedLine> lines)
    {
        const int Shown = 3;
        var message = new StringBuilder();
        var one = lines.Length == 1;
        message.Append(CultureInfo.InvariantCulture, $"{lines.Length} {(one ? "line is" : "lines are")} neither the header nor \"<id> : <name>\" and {(one ? "was" : "were")} skipped (the other lines are used): ");
        for (var i = 0; i < lines.Length && i < Shown; i++)
        {
            message.Append(i == 0 ? string.Empty : ", ")
                .Append(CultureInfo.InvariantCulture, $"line {lines[i].LineNumber} \"{ScanWarnings.Shorten(lines[i].Text)}\"");
        }

        if (lines.Length > Shown)
        {
            message.Append(CultureInfo.InvariantCulture, $" and {lines.Length - Shown} more");
        }

        return message.ToString();
    }

    /// <summary>The PF's driver (normally <c>nvidia</c>, the vGPU manager), its module version and its PCI ids (the physical GPU's), from its <c>bus/pci/devices</c> entry (already listed by the scan).</summary>
    private PhysicalFunctionFacts PhysicalFunction(SysfsDirectory bus, string address)
    {
        if (!physicalFunctions.TryGetValue(address, out var known))
        {
            var directory = bus.Has(address) ? tree.OpenChild(bus, address) : null;
            var driver = directory is null ? null : tree.LinkName(directory, "driver");
            var pci = directory is null ? null : context.ReadPciIds(directory);

            known = new PhysicalFunctionFacts(driver, context.Modules.VersionOf(driver), pci);
            physicalFunctions[address] = known;
        }

        return known;
    }

    /// <summary>A PF: the vGPU manager's driver and version, and the physical GPU's PCI ids.</summary>
    private sealed record PhysicalFunctionFacts(string? Driver, string? Version, PciIds? Pci);

    /// <summary>One VF with <c>nvidia/current_vgpu_type</c>; the device fields (driver and after) are read only for a configured one.</summary>
    private sealed record VgpuFunction(
        string Address,
        string PhysicalFunction,
        int CurrentType,
        ImmutableArray<NvidiaVgpuType> Creatable,
        PciIds? Pci,
        string Shown,
        string CurrentPath,
        string CreatablePath,
        int Slot,
        string? Driver,
        string? DriverVersion,
        int? IommuGroup,
        int? NumaNode,
        DescriptorFields? DriverExposed);
}
