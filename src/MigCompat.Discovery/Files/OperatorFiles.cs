using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Files;

/// <summary>
/// The operator's configuration files of one kind (<c>*.profile</c>, <c>*.rules</c>) in one directory, read in ordinal
/// file-name order with a size cap and a read timeout; what cannot be listed or read is a warning, never an error.
/// </summary>
internal static class OperatorFiles
{
    /// <summary>The most bytes one file may have.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The texts of the directory's <c>*<paramref name="suffix"/></c> files; a null or missing directory has none and
    /// no warning. A directory that cannot be listed, or a file that cannot be read, adds a warning with
    /// <paramref name="unreadableCode"/> saying the <paramref name="kind"/> is not used.
    /// </summary>
    public static List<(string Path, string Text)> Read(string? directory, string suffix, string kind, string unreadableCode, List<InventoryWarning> warnings)
    {
        if (directory is null || !Directory.Exists(directory))
        {
            return [];
        }

        string[] files;
        try
        {
            files = Directory.GetFiles(directory, "*" + suffix, new EnumerationOptions { AttributesToSkip = 0, RecurseSubdirectories = false });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            warnings.Add(new InventoryWarning(unreadableCode, directory, $"cannot list the {kind}s directory: {ex.Message}; its {kind}s are not used"));
            return [];
        }

        Array.Sort(files, StringComparer.Ordinal);
        var texts = new List<(string, string)>(files.Length);
        foreach (var file in files)
        {
            // The operator's files are text: bytes that are not UTF-8 make the file unused, never U+FFFD in a descriptor.
            var read = AttributeReader.Read(file, MaxFileBytes, ReadTimeout, strictUtf8: true);
            if (read.Status == AttributeReadStatus.Ok)
            {
                texts.Add((file, read.Text!));
            }
            else
            {
                warnings.Add(new InventoryWarning(unreadableCode, file, $"{kind} not used: {read.Status} ({read.Reason})"));
            }
        }

        return texts;
    }
}
