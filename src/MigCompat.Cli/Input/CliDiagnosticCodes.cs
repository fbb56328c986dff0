namespace MigCompat.Cli.Input;

/// <summary>The codes of diagnostics the command line itself reports about its inputs (<c>MCC0xx</c>); see docs/cli.md.</summary>
internal static class CliDiagnosticCodes
{
    /// <summary>Error: the file or directory does not exist.</summary>
    public const string NotFound = "MCC001";

    /// <summary>Error: the file could not be read (permission, I/O error, timeout).</summary>
    public const string Unreadable = "MCC002";

    /// <summary>Error: the file is larger than the command reads.</summary>
    public const string TooLarge = "MCC003";

    /// <summary>Error: the inventory has no device or creatable type with the id after <c>#</c>.</summary>
    public const string UnknownInventoryId = "MCC004";

    /// <summary>Error: a per-attribute directory holds no readable attribute file, or too many files.</summary>
    public const string BadAttributeDirectory = "MCC005";

    /// <summary>Warning: an entry of a per-attribute directory was skipped (not a regular file, or unreadable).</summary>
    public const string AttributeSkipped = "MCC006";

    /// <summary>Warning: an imported device or type repeats one from an earlier input and was left out.</summary>
    public const string DuplicateImport = "MCC007";

    /// <summary>Warning: a device the domain uses is not in the inventory.</summary>
    public const string AssignedDeviceNotFound = "MCC008";

    /// <summary>Error: the file is not valid UTF-8 (reported at the first invalid byte).</summary>
    public const string InvalidUtf8 = "MCC009";
}
