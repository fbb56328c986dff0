using System.Collections.Immutable;
using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Profiles;

namespace MigCompat.Discovery.Sysfs;

/// <summary>The devices and the capacity found under <c>bus/pci/devices</c>.</summary>
/// <param name="Devices">VFIO-bound PCI devices, SR-IOV VFs and configured NVIDIA vGPU VFs, in bus order.</param>
/// <param name="CreatableTypes">The vGPU types free NVIDIA vGPU VFs can take, per PF (see <see cref="NvidiaVgpuFunctions"/>).</param>
internal sealed record PciScanResult(ImmutableArray<InventoryDevice> Devices, ImmutableArray<CreatableType> CreatableTypes);

/// <summary>VFIO-bound PCI devices and SR-IOV VFs under <c>bus/pci/devices</c>, and NVIDIA vGPU VFs (<see cref="NvidiaVgpuFunctions"/>).</summary>
internal static class PciDeviceScan
{
    private const string VfioPciApi = "vfio-pci";

    public static PciScanResult Scan(ScanContext context)
    {
        var tree = context.Tree;
        var bus = tree.OpenDirectory("bus/pci/devices");
        if (bus is null)
        {
            return new PciScanResult([], []);
        }

        // In bus order; an NVIDIA vGPU VF's slot is filled once every VF of its PF is read.
        var devices = new List<InventoryDevice?>();
        var vgpuFunctions = new NvidiaVgpuFunctions(context);
        foreach (var entry in bus.Entries)
        {
            var device = tree.OpenChild(bus, entry.Name);
            if (device is null)
            {
                continue;
            }

            var driver = tree.LinkName(device, "driver");
            if (vgpuFunctions.TryRead(entry.Name, device, driver, devices) || !VfioDrivers.IsVfioPciDriver(driver))
            {
                continue;
            }

            devices.Add(ReadDevice(context, entry.Name, device, driver!));
        }

        var creatable = vgpuFunctions.Complete(bus, devices);
        return new PciScanResult([.. devices.Select(static d => d!)], creatable);
    }

    /// <summary>The PCI revision (<c>0x01</c> → <c>01</c>): some variant drivers (xe) refuse a stream from another revision.</summary>
    private static string? Revision(string? text) => string.IsNullOrWhiteSpace(text) ? null : DerivedDescriptors.NormalizeHex(text);

    private static InventoryDevice ReadDevice(ScanContext context, string address, SysfsDirectory device, string driver)
    {
        var tree = context.Tree;
        var version = context.Modules.VersionOf(driver);
        var pci = context.ReadPciIds(device);
        var physicalFunction = tree.LinkName(device, "physfn");
        var kind = physicalFunction is null ? DeviceKind.PciDevice : DeviceKind.SriovVf;
        var shown = tree.Display("bus/pci/devices", address);
        var derived = DerivedDescriptors.ForPciDevice(VfioPciApi, pci, driver, version, DescriptorOrigin.Derived, shown, Revision(tree.ReadText(device, "revision")));
        var driverExposed = context.DriverAttributes.ReadDeviceNode(device, VfioPciApi, mdevType: null);
        var subject = new ProfileSubject(kind, driver, version, pci, TypeId: null, TypeName: null, VfioPciApi);
        return new InventoryDevice(
            Id: address,
            Kind: kind,
            DeviceApi: VfioPciApi,
            MdevType: null,
            Parent: physicalFunction,
            Driver: driver,
            DriverVersion: version,
            Pci: pci,
            IommuGroup: context.LinkNumber(device, "iommu_group"),
            NumaNode: tree.ReadInt(device, "numa_node"),
            InUse: null,
            Descriptor: context.Choose(driverExposed, subject, derived));
    }
}
