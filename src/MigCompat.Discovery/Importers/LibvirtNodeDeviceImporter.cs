using System.Collections.Immutable;
using System.Xml.Linq;
using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Importers;

/// <summary>
/// Reads <c>virsh nodedev-dumpxml</c> output: one <c>&lt;device&gt;</c>, several concatenated, or
/// several wrapped in any root element. A device with <c>&lt;capability type='mdev_types'&gt;</c>
/// (PCI, CSS/CCW or the AP matrix) yields creatable types; a device with
/// <c>&lt;capability type='mdev'&gt;</c> yields an mdev device; a PCI device bound to a vfio driver
/// yields a PCI device or SR-IOV VF. Everything else is reported as skipped.
/// </summary>
public static class LibvirtNodeDeviceImporter
{
    /// <summary>The origin detail imported entries carry.</summary>
    public const string ToolName = "virsh nodedev-dumpxml";

    /// <summary>Imports the devices and types; never throws on bad input.</summary>
    /// <param name="content">The XML text.</param>
    /// <param name="fileName">The input's name, for diagnostics.</param>
    /// <returns>The devices, types and diagnostics.</returns>
    public static ImportResult Import(string content, string fileName)
    {
        ArgumentNullException.ThrowIfNull(content);
        var context = new ImportContext(fileName);
        var roots = XmlInput.LoadElements(content, context);
        if (roots is null)
        {
            return new ImportResult([], [], context.Diagnostics);
        }

        var deviceElements = roots
            .SelectMany(r => r.Name.LocalName == "device" ? [r] : r.Descendants("device").Where(d => !d.Ancestors("device").Any()))
            .ToList();
        if (deviceElements.Count == 0)
        {
            var domain = roots.SelectMany(r => r.DescendantsAndSelf("domain")).FirstOrDefault();
            var (line, column) = domain is null ? (1, 1) : XmlInput.Position(domain);
            context.At(DiagnosticSeverity.Error, ImportCodes.UnexpectedShape, line, column, domain is null
                ? "No <device> element found; expected the output of virsh nodedev-dumpxml."
                : $"This is {InputKind.DomainXml}, not node devices: no <device> element found; expected the output of virsh nodedev-dumpxml.");
            return new ImportResult([], [], context.Diagnostics);
        }

        var reader = new NodeDeviceReader(context);
        foreach (var device in deviceElements)
        {
            reader.Read(device);
        }

        return reader.Finish();
    }

    private sealed class NodeDeviceReader(ImportContext context)
    {
        private readonly List<(InventoryDevice Device, XElement Element)> mdevs = [];
        private readonly ImmutableArray<InventoryDevice>.Builder pciDevices = ImmutableArray.CreateBuilder<InventoryDevice>();
        private readonly ImmutableArray<CreatableType>.Builder types = ImmutableArray.CreateBuilder<CreatableType>();
        private readonly Dictionary<string, string?> parentDrivers = new(StringComparer.Ordinal);
        private readonly Dictionary<string, PciIds?> parentPciIds = new(StringComparer.Ordinal);

        public void Read(XElement device)
        {
            var name = device.Element("name")?.Value.Trim() ?? string.Empty;
            var capabilities = device.Elements("capability").ToList();
            var mdevCapability = capabilities.FirstOrDefault(c => (string?)c.Attribute("type") == "mdev");
            if (mdevCapability is not null)
            {
                ReadMdev(device, name, mdevCapability);
                return;
            }

            var typeCapabilities = capabilities.SelectMany(c => c.DescendantsAndSelf("capability")).Where(c => (string?)c.Attribute("type") == "mdev_types").ToList();
            var driver = device.Element("driver")?.Element("name")?.Value.Trim();
            var pciCapability = capabilities.FirstOrDefault(c => (string?)c.Attribute("type") == "pci");
            if (typeCapabilities.Count > 0)
            {
                var parent = SysfsId(device, name, pciCapability);
                parentDrivers[parent] = driver;
                parentPciIds[parent] = pciCapability is null ? null : PciIdsOf(pciCapability);
                foreach (var type in typeCapabilities.SelectMany(c => c.Elements("type")))
                {
                    ReadType(parent, driver, type);
                }

                return;
            }

            if (pciCapability is not null && driver is not null && driver.Contains("vfio", StringComparison.Ordinal))
            {
                ReadVfioPciDevice(device, name, driver, pciCapability);
                return;
            }

            Warn(ImportCodes.NotAnAssignableDevice, device, $"Node device \"{name}\" is neither an mdev, nor an mdev parent, nor a PCI device bound to a vfio driver (driver: {driver ?? "none"}); it is skipped.");
        }

        public ImportResult Finish()
        {
            // An mdev's device_api and driver are not in its own XML; take them from its parent's type when the same input has it.
            var devices = ImmutableArray.CreateBuilder<InventoryDevice>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (mdev, element) in mdevs)
            {
                if (!seen.Add(mdev.Id))
                {
                    Warn(ImportCodes.Duplicate, element, $"mdev {mdev.Id} appears again; the later entry is skipped.");
                    continue;
                }

                var type = types.FirstOrDefault(t => t.Parent == mdev.Parent && t.TypeId == mdev.MdevType);
                var driver = mdev.Parent is not null && parentDrivers.TryGetValue(mdev.Parent, out var d) ? d : null;
                var parentPci = mdev.Parent is not null && parentPciIds.TryGetValue(mdev.Parent, out var p) ? p : null;
                if (type?.DeviceApi is null && driver is null && parentPci is null)
                {
                    devices.Add(mdev);
                    continue;
                }

                var extra = mdev.Descriptor.Self.Where(f => !MdevAttributes.Reserved.Contains(f.Key));
                devices.Add(mdev with
                {
                    DeviceApi = type?.DeviceApi,
                    Driver = driver,
                    Pci = parentPci,
                    Descriptor = DerivedDescriptors.ForMdev(type?.DeviceApi, mdev.MdevType!, driver, null, DescriptorOrigin.Imported, ToolName, extra),
                });
            }

            foreach (var pci in pciDevices)
            {
                if (seen.Add(pci.Id))
                {
                    devices.Add(pci);
                }
            }

            return new ImportResult(devices.ToImmutable(), types.ToImmutable(), context.Diagnostics);
        }

        private void ReadMdev(XElement device, string name, XElement capability)
        {
            var typeId = ((string?)capability.Element("type")?.Attribute("id"))?.Trim();
            if (string.IsNullOrEmpty(typeId))
            {
                Warn(ImportCodes.InvalidValue, capability, $"mdev node device \"{name}\" has no <type id='...'/>; without a type nothing can match, so it is skipped.");
                return;
            }

            var uuidText = capability.Element("uuid")?.Value.Trim() ?? UuidFromName(name);
            if (uuidText is null || !Guid.TryParse(uuidText, out var uuid))
            {
                Warn(ImportCodes.InvalidValue, device, $"mdev node device \"{name}\" has no <uuid> and its name does not carry one; it is skipped.");
                return;
            }

            var parentName = device.Element("parent")?.Value.Trim();
            string? parent = null;
            if (!string.IsNullOrEmpty(parentName))
            {
                parent = LibvirtNames.ToSysfsId(parentName);
                if (parent is null)
                {
                    Warn(ImportCodes.InvalidValue, device.Element("parent")!, $"Parent \"{parentName}\" is not a libvirt PCI, CSS or AP matrix name; it is kept as given.");
                    parent = parentName;
                }
            }

            var attributes = new MdevAttributes();
            foreach (var attr in capability.Elements("attr"))
            {
                var attrName = (string?)attr.Attribute("name");
                var value = (string?)attr.Attribute("value");
                if (string.IsNullOrEmpty(attrName) || value is null)
                {
                    Warn(ImportCodes.UnusableAttribute, attr, "<attr> needs both name and value attributes; it is skipped.");
                }
                else if (!attributes.Add(attrName, value))
                {
                    Warn(ImportCodes.UnusableAttribute, attr, $"Attribute \"{attrName}\" has the name of a field the importer sets itself; it is skipped.");
                }
            }

            var iommuGroup = LibvirtNames.ParseNumber((string?)capability.Element("iommuGroup")?.Attribute("number"));
            mdevs.Add((new InventoryDevice(
                uuid.ToString("D"),
                DeviceKind.Mdev,
                null,
                typeId,
                parent,
                null,
                null,
                null,
                iommuGroup,
                null,
                null,
                DerivedDescriptors.ForMdev(null, typeId, null, null, DescriptorOrigin.Imported, ToolName, attributes.ToFields())), device));
        }

        private void ReadType(string parent, string? driver, XElement type)
        {
            var typeId = ((string?)type.Attribute("id"))?.Trim();
            if (string.IsNullOrEmpty(typeId))
            {
                Warn(ImportCodes.InvalidValue, type, "<type> has no id attribute; it is skipped.");
                return;
            }

            if (types.Any(t => t.Parent == parent && t.TypeId == typeId))
            {
                Warn(ImportCodes.Duplicate, type, $"Type \"{typeId}\" on parent \"{parent}\" appears again; the later entry is skipped.");
                return;
            }

            var availableText = type.Element("availableInstances")?.Value.Trim();
            var available = LibvirtNames.ParseNumber(availableText);
            if (available is null)
            {
                Warn(ImportCodes.InvalidValue, type.Element("availableInstances") ?? type, availableText is null
                    ? $"Type \"{typeId}\" has no <availableInstances>; it is imported with zero capacity."
                    : $"<availableInstances> \"{availableText}\" is not a non-negative whole number; the type is imported with zero capacity.");
            }

            var deviceApi = type.Element("deviceAPI")?.Value.Trim();
            context.CheckDeviceApi(deviceApi, message => Warn(ImportCodes.UnknownDeviceApi, type.Element("deviceAPI")!, message));
            types.Add(new CreatableType(
                parent,
                typeId,
                type.Element("name")?.Value.Trim(),
                null,
                deviceApi,
                available ?? 0,
                0,
                driver,
                null,
                DerivedDescriptors.ForMdev(deviceApi, typeId, driver, null, DescriptorOrigin.Imported, ToolName)));
        }

        private void ReadVfioPciDevice(XElement device, string name, string driver, XElement pci)
        {
            var address = PciAddressOf(pci) ?? LibvirtNames.ToSysfsId(name);
            if (address is null)
            {
                Warn(ImportCodes.InvalidValue, pci, $"PCI node device \"{name}\" has no usable domain/bus/slot/function; it is skipped.");
                return;
            }

            var ids = PciIdsOf(pci);
            var physFunction = pci.Elements("capability").FirstOrDefault(c => (string?)c.Attribute("type") == "phys_function")?.Element("address");
            var parent = physFunction is null ? null : PciAddressOf(physFunction.Attributes().ToDictionary(a => a.Name.LocalName, a => a.Value));
            pciDevices.Add(new InventoryDevice(
                address,
                physFunction is null ? DeviceKind.PciDevice : DeviceKind.SriovVf,
                "vfio-pci",
                null,
                parent,
                driver,
                null,
                ids,
                LibvirtNames.ParseNumber((string?)pci.Element("iommuGroup")?.Attribute("number")),
                LibvirtNames.ParseNumber((string?)pci.Element("numa")?.Attribute("node")),
                null,
                DerivedDescriptors.ForPciDevice("vfio-pci", ids, driver, null, DescriptorOrigin.Imported, ToolName)));
        }

        private string SysfsId(XElement device, string name, XElement? pci)
        {
            var path = device.Element("path")?.Value.Trim();
            if (!string.IsNullOrEmpty(path))
            {
                return path.TrimEnd('/').Split('/')[^1];
            }

            var id = (pci is null ? null : PciAddressOf(pci)) ?? LibvirtNames.ToSysfsId(name);
            if (id is not null)
            {
                return id;
            }

            Warn(ImportCodes.InvalidValue, device, $"Cannot tell the sysfs id of \"{name}\" (no <path>, not a libvirt PCI, CSS or AP matrix name); the name is used as the parent.");
            return name;
        }

        private static PciIds? PciIdsOf(XElement pci)
        {
            var vendor = (string?)pci.Element("vendor")?.Attribute("id");
            var product = (string?)pci.Element("product")?.Attribute("id");
            var classCode = pci.Element("class")?.Value.Trim();
            return vendor is null || product is null
                ? null
                : new PciIds(DerivedDescriptors.NormalizeHex(vendor), DerivedDescriptors.NormalizeHex(product), null, null, classCode is null ? null : DerivedDescriptors.NormalizeHex(classCode));
        }

        private static string? PciAddressOf(XElement pci) =>
            LibvirtNames.PciAddress(pci.Element("domain")?.Value, pci.Element("bus")?.Value, pci.Element("slot")?.Value, pci.Element("function")?.Value);

        private static string? PciAddressOf(Dictionary<string, string> attributes) =>
            LibvirtNames.PciAddress(attributes.GetValueOrDefault("domain"), attributes.GetValueOrDefault("bus"), attributes.GetValueOrDefault("slot"), attributes.GetValueOrDefault("function"));

        private static string? UuidFromName(string name)
        {
            if (!name.StartsWith("mdev_", StringComparison.Ordinal) || name.Length < 5 + 36)
            {
                return null;
            }

            return name.Substring(5, 36).Replace('_', '-');
        }

        private void Warn(string code, XElement at, string message)
        {
            var (line, column) = XmlInput.Position(at);
            context.At(DiagnosticSeverity.Warning, code, line, column, message);
        }
    }
}
