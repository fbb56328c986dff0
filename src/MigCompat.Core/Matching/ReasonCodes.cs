namespace MigCompat.Core.Matching;

/// <summary>The stable reason codes of a <see cref="Verdict"/>; see docs/format.md.</summary>
public static class ReasonCodes
{
    /// <summary>The VFIO device APIs differ (level none).</summary>
    public const string DeviceApiMismatch = "DEVICE_API_MISMATCH";

    /// <summary>Only one side states its device API (level none).</summary>
    public const string DeviceApiMissing = "DEVICE_API_MISSING";

    /// <summary>The mdev type is neither equal nor accepted (level none).</summary>
    public const string TypeNotAccepted = "TYPE_NOT_ACCEPTED";

    /// <summary>Only one side has an mdev type (level none).</summary>
    public const string TypeMissing = "TYPE_MISSING";

    /// <summary>Version majors differ.</summary>
    public const string VersionMajorDiffers = "VERSION_MAJOR_DIFFERS";

    /// <summary>The target's minor version is below the source's.</summary>
    public const string VersionMinorTooLow = "VERSION_MINOR_TOO_LOW";

    /// <summary>Without an accepted-values declaration, the values differ.</summary>
    public const string ValueMismatch = "VALUE_MISMATCH";

    /// <summary>The source value is not among the accepted values.</summary>
    public const string ValueNotAccepted = "VALUE_NOT_ACCEPTED";

    /// <summary>The source value conflicts with a variable bound from another field.</summary>
    public const string BindingMismatch = "BINDING_MISMATCH";

    /// <summary>Arithmetic on the bound variable does not give an integer.</summary>
    public const string ArithmeticNotInteger = "ARITHMETIC_NOT_INTEGER";

    /// <summary>The field depends on a variable that no value could bind.</summary>
    public const string UnboundVariable = "UNBOUND_VARIABLE";

    /// <summary>The target requires a field the source lacks.</summary>
    public const string FieldMissingOnSource = "FIELD_MISSING_ON_SOURCE";

    /// <summary>The source has a field the target neither has nor accepts.</summary>
    public const string FieldMissingOnTarget = "FIELD_MISSING_ON_TARGET";

    /// <summary>A block's templates are so ambiguous that deciding took too many steps; the block refuses.</summary>
    public const string SearchLimitExceeded = "SEARCH_LIMIT_EXCEEDED";

    /// <summary>A pre-release target accepts only its own version.</summary>
    public const string VersionPreRelease = "VERSION_PRERELEASE";

    /// <summary>A <c>within</c> rule: the source's version (or the range it may have) is outside the target's ranges.</summary>
    public const string VersionOutOfRange = "VERSION_OUT_OF_RANGE";

    /// <summary>A <c>superset</c> rule: the target's set lacks some of the source's values.</summary>
    public const string SetNotContained = "SET_NOT_CONTAINED";

    /// <summary>The source's or the target's driver cannot migrate device state at all (level at most cold).</summary>
    public const string MigrationUnsupported = "MIGRATION_UNSUPPORTED";

    /// <summary>Nothing vouches for the compared rules: the level is at most cold.</summary>
    public const string NoEvidence = "NO_EVIDENCE";
}
