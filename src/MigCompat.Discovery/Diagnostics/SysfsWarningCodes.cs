namespace MigCompat.Discovery.Diagnostics;

/// <summary>The stable codes of the warnings a sysfs scan or profile load puts into an inventory (see <c>docs/discovery.md</c>).</summary>
public static class SysfsWarningCodes
{
    /// <summary>The sysfs root does not exist or is not a directory; the inventory is empty.</summary>
    public const string RootMissing = "MCS001";

    /// <summary>A link points out of the sysfs root; it was not followed.</summary>
    public const string LinkEscapesRoot = "MCS002";

    /// <summary>Resolving a path took more link hops than allowed (a loop); it was not followed.</summary>
    public const string LinkLoop = "MCS003";

    /// <summary>A link points to nothing.</summary>
    public const string DanglingLink = "MCS004";

    /// <summary>An attribute is larger than the read limit; its value was skipped.</summary>
    public const string AttributeTooLarge = "MCS005";

    /// <summary>A file or directory could not be read: permission denied.</summary>
    public const string PermissionDenied = "MCS006";

    /// <summary>A file or directory could not be read: an I/O error (EIO and friends).</summary>
    public const string IoError = "MCS007";

    /// <summary>A file or directory vanished between listing and reading it (device removed mid-scan).</summary>
    public const string Vanished = "MCS008";

    /// <summary>An attribute read did not finish within the read timeout; it was abandoned.</summary>
    public const string ReadTimedOut = "MCS009";

    /// <summary>An attribute holds a value of the wrong shape (e.g. a non-number in <c>available_instances</c>).</summary>
    public const string MalformedValue = "MCS010";

    /// <summary>An entry is not what the layout expects (e.g. an mdev without a usable <c>mdev_type</c> link); it was skipped.</summary>
    public const string UnexpectedLayout = "MCS011";

    /// <summary>Driver-exposed migration attributes could not be parsed; the next source (profile, derived) was used.</summary>
    public const string DriverDescriptorInvalid = "MCS012";

    /// <summary>
    /// Which devices are in use could not be fully looked up in procfs (open files of some processes
    /// unreadable, the proc root missing or unreadable, an open device file sysfs does not name, the limit
    /// on open files reached); devices not found open were left unknown.
    /// </summary>
    public const string InUseUnknown = "MCS013";

    /// <summary>
    /// The command line of a process that holds VFIO files open could not be read (permission, size,
    /// timeout, I/O error), so its devices are in use but not tied to a VM (no guest).
    /// </summary>
    public const string GuestUnknown = "MCS014";

    /// <summary>
    /// NVML (<c>SysfsScanOptions.NvmlLibrary</c>) cannot be loaded or initialized while NVIDIA vGPU devices or
    /// types exist: their vGPU range, ECC mode and negotiated versions are unknown (those fields are left out).
    /// </summary>
    public const string NvmlUnavailable = "MCS030";

    /// <summary>An NVML call failed (the message names it and its return code); what it would have said is unknown.</summary>
    public const string NvmlCallFailed = "MCS031";

    /// <summary>
    /// NVML does not say which SR-IOV VF a running vGPU is on, and the running vGPUs of a GPU could not be tied to its
    /// configured VFs; those VFs' <c>vgpu_version</c> is the host's whole range.
    /// </summary>
    public const string NvmlVgpuUnmatched = "MCS032";

    /// <summary>A profile file has a problem at FILE:LINE:COLUMN; the profile (or the line) was ignored.</summary>
    public const string ProfileInvalid = "MCS020";

    /// <summary>The profiles directory or a profile file could not be read.</summary>
    public const string ProfileUnreadable = "MCS021";

    /// <summary>More than one profile matches a device; the first in file-name order was used.</summary>
    public const string ProfileAmbiguous = "MCS022";

    /// <summary>A rule pack file has an error (<c>FILE:LINE:COLUMN</c>); it is not used.</summary>
    public const string RulePackInvalid = "MCS023";

    /// <summary>The rules directory or a rule pack file cannot be read; it is not used.</summary>
    public const string RulePackUnreadable = "MCS024";
}
