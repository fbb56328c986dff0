namespace MigCompat.Core.Syntax;

/// <summary>The stable codes of descriptor diagnostics (<c>MC1xxx</c> errors, <c>MC2xxx</c> warnings); see docs/format.md.</summary>
public static class DiagnosticCodes
{
    /// <summary>A line is neither a section header nor <c>name=value</c>.</summary>
    public const string ExpectedFieldLine = "MC1001";

    /// <summary>A field name has a character that is not allowed, or is too long.</summary>
    public const string InvalidFieldName = "MC1002";

    /// <summary>A quoted value has no closing quote.</summary>
    public const string UnterminatedString = "MC1003";

    /// <summary>An unknown escape sequence in a quoted value.</summary>
    public const string InvalidEscape = "MC1004";

    /// <summary>A field appears twice in one section.</summary>
    public const string DuplicateField = "MC1005";

    /// <summary>An unknown section header.</summary>
    public const string UnknownSection = "MC1006";

    /// <summary>A malformed template placeholder.</summary>
    public const string InvalidTemplate = "MC1007";

    /// <summary>A reference to a variable no field of the block declares.</summary>
    public const string UndeclaredVariable = "MC1008";

    /// <summary>A variable declared twice in one block.</summary>
    public const string DuplicateVariable = "MC1009";

    /// <summary>A template in the SELF section, where values must be concrete.</summary>
    public const string TemplateInSelf = "MC1010";

    /// <summary>A SELF header after fields or COMPATIBLE blocks.</summary>
    public const string MisplacedSelf = "MC1011";

    /// <summary>The input is larger than <see cref="DescriptorLimits.MaxInputLength"/>.</summary>
    public const string InputTooLarge = "MC1012";

    /// <summary>A line is longer than <see cref="DescriptorLimits.MaxLineLength"/>.</summary>
    public const string LineTooLong = "MC1013";

    /// <summary>Too many fields, blocks or list values.</summary>
    public const string TooMany = "MC1014";

    /// <summary>Unexpected text after a quoted value, or a quote inside a bare value.</summary>
    public const string UnexpectedText = "MC1015";

    /// <summary>A control character (other than tab) in the input.</summary>
    public const string ControlCharacter = "MC1016";

    /// <summary>Variables that depend on each other in a circle, or a reference before its declaration in one value.</summary>
    public const string CircularReference = "MC1017";

    /// <summary>A COMPATIBLE block without fields.</summary>
    public const string EmptyBlock = "MC1019";

    /// <summary>Arithmetic on a variable that is not an int.</summary>
    public const string ArithmeticOnString = "MC1020";

    /// <summary>A <c>rule.&lt;field&gt;</c> that names no compared field or no known rule.</summary>
    public const string InvalidRule = "MC1021";

    /// <summary>An unknown <c>migration.</c> field, or a <c>migration.capable</c> that is not yes or no.</summary>
    public const string InvalidMigrationField = "MC1022";

    /// <summary>Error: a descriptor of its own (a file) has no field at all (<see cref="DescriptorParser.Parse(string, string?, int, bool)"/> with <c>requireFields</c>).</summary>
    public const string EmptyDescriptor = "MC1023";

    /// <summary>A parent-device id field next to <c>mdev_type</c>.</summary>
    public const string ParentIdNextToMdevType = "MC2001";

    /// <summary>Arithmetic that yields a non-integer for some listed values.</summary>
    public const string NonIntegerArithmetic = "MC2002";

    /// <summary>An integer list for a version field where the x.y.z rule belongs.</summary>
    public const string IntegerVersionList = "MC2003";

    /// <summary><c>device_type</c> used where <c>device_api</c> is meant.</summary>
    public const string DeviceTypeField = "MC2004";

    /// <summary>A <c>device_api</c> value that is not a VFIO device API.</summary>
    public const string UnknownDeviceApi = "MC2005";

    /// <summary>A version field whose value is not a version.</summary>
    public const string UnparsableVersion = "MC2006";

    /// <summary>The field a <c>within</c> rule reads its ranges from is not a version range list.</summary>
    public const string InvalidRangeList = "MC2009";

    /// <summary>A dynamic resource that is not a self field.</summary>
    public const string DynamicNotInSelf = "MC2008";
}
