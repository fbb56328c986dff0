using MigCompat.Cli.Input;
using MigCompat.Cli.Output;
using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Importers;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Profiles;

namespace MigCompat.Cli.Fleet;

/// <summary>
/// The VM's devices for a <c>targets</c> query, in the API's shape: ids on the source host (<c>--device</c>, or
/// every mdev UUID and PCI address a libvirt domain XML assigns: <c>--domain-xml</c>) and inline descriptors
/// (<c>--descriptor</c>, any input <c>check</c> reads).
/// </summary>
internal static class TargetsInput
{
    /// <summary>Every mdev UUID and PCI address a libvirt domain XML assigns, or null after writing why not to <paramref name="stderr"/>.</summary>
    public static IReadOnlyList<string>? DomainDeviceIds(string command, string domainXml, TextWriter stderr)
    {
        if (!BoundedFile.TryRead(domainXml, 8 * 1024 * 1024, out var text, out var problem))
        {
            DiagnosticOutput.WriteLines(stderr, [problem!]);
            return null;
        }

        var read = LibvirtDomainReader.Read(text, domainXml);
        DiagnosticOutput.WriteLines(stderr, read.Diagnostics);
        if (read.Devices is not { } domain)
        {
            return null;
        }

        if (domain.MdevUuids.IsEmpty && domain.PciAddresses.IsEmpty)
        {
            stderr.WriteLine($"{command}: the domain '{domain.DomainName}' in {domainXml} is assigned no mdev or PCI host device");
            return null;
        }

        return [.. domain.MdevUuids.Concat(domain.PciAddresses)];
    }

    /// <summary>The devices in the order given (ids, then the domain's, then descriptors), or null after writing why not to <paramref name="stderr"/>.</summary>
    public static List<object>? Devices(string[] ids, string? domainXml, string[] descriptors, TextWriter stderr)
    {
        var devices = new List<object>(ids.Select(id => new { id }));
        if (domainXml is not null)
        {
            if (DomainDeviceIds("targets", domainXml, stderr) is not { } domainIds)
            {
                return null;
            }

            devices.AddRange(domainIds.Select(id => new { id }));
        }

        foreach (var argument in descriptors)
        {
            var loaded = DescriptorInput.Load(argument);
            DiagnosticOutput.WriteLines(stderr, loaded.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
            if (loaded.Descriptor is not { } descriptor)
            {
                return null;
            }

            var fields = DescriptorFieldsConversion.ToFields(descriptor, DescriptorOrigin.Imported, argument);
            devices.Add(new
            {
                self = fields.Self.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal),
                compatible = fields.Compatible.Select(block => block.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal)).ToArray(),
                dynamicResources = fields.DynamicResources.ToArray(),
            });
        }

        if (devices.Count == 0)
        {
            stderr.WriteLine("targets: name the VM's devices: --device ID (on the --from host), --domain-xml FILE (virsh dumpxml), or --descriptor FILE");
            return null;
        }

        return devices;
    }
}
