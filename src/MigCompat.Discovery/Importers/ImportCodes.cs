namespace MigCompat.Discovery.Importers;

/// <summary>Diagnostic codes of the importers; documented with their meaning in <c>docs/inventory.md</c>.</summary>
public static class ImportCodes
{
    /// <summary>Error: the input exceeds <see cref="ImportLimits.MaxInputChars"/> characters and was refused unread.</summary>
    public const string InputTooLarge = "MCM001";

    /// <summary>Error: the input is not well-formed JSON or XML; line and column say where.</summary>
    public const string Malformed = "MCM002";

    /// <summary>Error: the XML input has a document type declaration (DTD); DTDs are refused for safety.</summary>
    public const string DtdRefused = "MCM003";

    /// <summary>Error when the whole input has the wrong shape; warning when one entry has it (the entry is skipped).</summary>
    public const string UnexpectedShape = "MCM004";

    /// <summary>Warning: a required value is missing or invalid; the entry is skipped, or imported with the stated default (e.g. zero capacity).</summary>
    public const string InvalidValue = "MCM005";

    /// <summary>Warning: a <c>device_api</c> that is not a VFIO device API (e.g. <c>vfio_mdev</c>); kept as given, so it only matches itself.</summary>
    public const string UnknownDeviceApi = "MCM006";

    /// <summary>Warning: the same device UUID or the same parent/type pair appears again; the later entry is skipped.</summary>
    public const string Duplicate = "MCM007";

    /// <summary>Warning: an mdev attribute could not become a self field (not a single name/value pair, a non-text value, or a reserved name).</summary>
    public const string UnusableAttribute = "MCM008";

    /// <summary>Warning: an element or property the importer does not use; it is ignored.</summary>
    public const string Ignored = "MCM009";

    /// <summary>Warning: a libvirt node device that is neither an mdev nor an mdev parent nor a vfio-bound PCI device; skipped.</summary>
    public const string NotAnAssignableDevice = "MCM010";

    /// <summary>Warning: a libvirt domain <c>&lt;hostdev&gt;</c> that is not a VFIO device (usb, scsi) or has no usable address; not part of the check.</summary>
    public const string HostdevSkipped = "MCM011";
}

/// <summary>Size limits that apply to every importer's input.</summary>
public static class ImportLimits
{
    /// <summary>The largest input the importers read, in characters (16 Mi).</summary>
    public const int MaxInputChars = 16 * 1024 * 1024;

    /// <summary>The deepest element nesting the XML importers read (libvirt's XML is less than ten levels deep).</summary>
    public const int MaxXmlDepth = 64;
}
