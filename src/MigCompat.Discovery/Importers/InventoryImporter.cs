using System.Collections.Immutable;
using System.Globalization;
using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Importers;

/// <summary>The tool outputs <see cref="InventoryImporter"/> reads into a host inventory.</summary>
public enum ImportFormat
{
    /// <summary><c>mdevctl types --dumpjson</c>: creatable types.</summary>
    MdevctlTypes,

    /// <summary><c>mdevctl list --dumpjson</c>: mdev devices.</summary>
    MdevctlList,

    /// <summary><c>virsh nodedev-dumpxml</c> (one or more devices): creatable types, mdevs, vfio-bound PCI devices.</summary>
    LibvirtNodeDevice,
}

/// <summary>
/// Imports one tool output into a <see cref="HostInventory"/>. A libvirt domain XML is not a host
/// inventory; read it with <see cref="LibvirtDomainReader"/> and apply it with
/// <see cref="ImportedInventory.MarkInUse(HostInventory, DomainAssignedDevices)"/>.
/// </summary>
public static class InventoryImporter
{
    /// <summary>
    /// Imports the content. Every diagnostic (errors included) becomes an <see cref="InventoryWarning"/>
    /// whose path is <c>FILE:LINE:COLUMN</c>; use <see cref="ImportWithDiagnostics"/> to tell an
    /// unusable input (errors) from a partly usable one.
    /// </summary>
    /// <param name="format">What tool produced the content.</param>
    /// <param name="content">The tool's output.</param>
    /// <param name="fileName">The input's name, for diagnostics.</param>
    /// <param name="hostName">The host the output came from.</param>
    /// <param name="takenAt">When the output was taken; now when null.</param>
    /// <returns>The inventory.</returns>
    public static HostInventory Import(ImportFormat format, string content, string fileName, string hostName, DateTimeOffset? takenAt = null) =>
        ImportWithDiagnostics(format, content, fileName, hostName, takenAt).Inventory;

    /// <summary>Imports the content and also returns the diagnostics with their severities.</summary>
    /// <param name="format">What tool produced the content.</param>
    /// <param name="content">The tool's output.</param>
    /// <param name="fileName">The input's name, for diagnostics.</param>
    /// <param name="hostName">The host the output came from.</param>
    /// <param name="takenAt">When the output was taken; now when null.</param>
    /// <returns>The inventory and the importer's diagnostics.</returns>
    public static (HostInventory Inventory, ImmutableArray<Diagnostic> Diagnostics) ImportWithDiagnostics(
        ImportFormat format, string content, string fileName, string hostName, DateTimeOffset? takenAt = null)
    {
        var result = format switch
        {
            ImportFormat.MdevctlTypes => MdevctlTypesImporter.Import(content, fileName),
            ImportFormat.MdevctlList => MdevctlListImporter.Import(content, fileName),
            ImportFormat.LibvirtNodeDevice => LibvirtNodeDeviceImporter.Import(content, fileName),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not a defined import format."),
        };

        var inventory = new HostInventory(
            HostInventory.CurrentSchemaVersion,
            hostName,
            takenAt ?? DateTimeOffset.UtcNow,
            result.Devices,
            result.CreatableTypes,
            [.. result.Diagnostics.Select(ToWarning)]);
        return (inventory, result.Diagnostics);
    }

    /// <summary>A diagnostic as an inventory warning: path <c>FILE:LINE:COLUMN</c>, message prefixed with <c>error:</c> for errors.</summary>
    /// <param name="diagnostic">The diagnostic.</param>
    /// <returns>The warning.</returns>
    public static InventoryWarning ToWarning(Diagnostic diagnostic)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        var path = string.Create(CultureInfo.InvariantCulture, $"{diagnostic.File ?? "<input>"}:{diagnostic.Line}:{diagnostic.Column}");
        return new InventoryWarning(diagnostic.Code, path, diagnostic.IsError ? "error: " + diagnostic.Message : diagnostic.Message);
    }
}
