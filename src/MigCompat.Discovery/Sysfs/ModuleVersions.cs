namespace MigCompat.Discovery.Sysfs;

/// <summary>
/// Driver module versions from <c>module/&lt;driver&gt;/version</c> (the driver name as bound, then with
/// <c>-</c> read as <c>_</c>, since <c>vfio-pci</c> is module <c>vfio_pci</c>); read once per driver.
/// In-tree modules usually have no <c>version</c>: that is null, not a warning.
/// </summary>
internal sealed class ModuleVersions(SysfsTree tree)
{
    private readonly Dictionary<string, string?> versions = new(StringComparer.Ordinal);

    public string? VersionOf(string? driver)
    {
        if (driver is null)
        {
            return null;
        }

        if (!versions.TryGetValue(driver, out var version))
        {
            version = ReadVersion(driver) ?? (driver.Contains('-', StringComparison.Ordinal) ? ReadVersion(driver.Replace('-', '_')) : null);
            versions[driver] = version;
        }

        return version;
    }

    private string? ReadVersion(string module)
    {
        var directory = tree.OpenDirectory("module/" + module);
        var text = directory is null ? null : tree.ReadText(directory, "version");
        return string.IsNullOrEmpty(text) ? null : text;
    }
}
