using System.Globalization;
using System.Text.RegularExpressions;

namespace MigCompat.Discovery.Importers;

/// <summary>Converts libvirt node-device names and addresses into the sysfs ids an inventory uses.</summary>
public static partial class LibvirtNames
{
    /// <summary>
    /// The sysfs id for a libvirt node-device name: <c>pci_0000_00_02_0</c> → <c>0000:00:02.0</c>,
    /// <c>css_0_0_fffe</c> → <c>0.0.fffe</c>, <c>ap_matrix</c> → <c>matrix</c>; null when the name has none of these forms.
    /// </summary>
    /// <param name="nodeDeviceName">The libvirt name.</param>
    /// <returns>The sysfs id, or null.</returns>
    public static string? ToSysfsId(string nodeDeviceName)
    {
        var pci = PciName().Match(nodeDeviceName);
        if (pci.Success)
        {
            return $"{pci.Groups[1].Value}:{pci.Groups[2].Value}:{pci.Groups[3].Value}.{pci.Groups[4].Value}".ToLowerInvariant();
        }

        var css = CssName().Match(nodeDeviceName);
        if (css.Success)
        {
            return $"{css.Groups[1].Value}.{css.Groups[2].Value}.{css.Groups[3].Value}".ToLowerInvariant();
        }

        return nodeDeviceName == "ap_matrix" ? "matrix" : null;
    }

    /// <summary>
    /// A PCI address in <c>DDDD:BB:SS.F</c> form (lower-case hex) from its parts, each either hex with
    /// <c>0x</c> (domain XML) or decimal (node-device XML); null when a part is missing or out of range.
    /// </summary>
    /// <param name="domain">The PCI domain.</param>
    /// <param name="bus">The bus.</param>
    /// <param name="slot">The slot.</param>
    /// <param name="function">The function.</param>
    /// <returns>The normalized address, or null.</returns>
    public static string? PciAddress(string? domain, string? bus, string? slot, string? function)
    {
        if (ParseNumber(domain) is not { } d || ParseNumber(bus) is not { } b || ParseNumber(slot) is not { } s || ParseNumber(function) is not { } f
            || d > 0xffff || b > 0xff || s > 0x1f || f > 7)
        {
            return null;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{d:x4}:{b:x2}:{s:x2}.{f:x}");
    }

    /// <summary>Parses <c>0x1f</c> as hex and <c>31</c> as decimal; null when neither.</summary>
    /// <param name="text">The number text.</param>
    /// <returns>The value, or null.</returns>
    public static int? ParseNumber(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return int.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex) && hex >= 0 ? hex : null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    [GeneratedRegex("^pci_([0-9a-fA-F]{4})_([0-9a-fA-F]{2})_([0-9a-fA-F]{2})_([0-7])$")]
    private static partial Regex PciName();

    [GeneratedRegex("^css_([0-9a-fA-F])_([0-9a-fA-F])_([0-9a-fA-F]{4})$")]
    private static partial Regex CssName();
}
