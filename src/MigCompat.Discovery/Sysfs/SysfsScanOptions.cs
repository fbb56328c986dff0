namespace MigCompat.Discovery.Sysfs;

/// <summary>What a <see cref="SysfsScanner"/> reads and how far it trusts the tree.</summary>
public sealed record SysfsScanOptions
{
    /// <summary>The default per-file read limit: 64 KiB.</summary>
    public const int DefaultMaxAttributeBytes = 64 * 1024;

    /// <summary>The default <see cref="ProcRoot"/>: <c>/proc</c>.</summary>
    public const string DefaultProcRoot = "/proc";

    /// <summary>The sysfs root to scan; <c>/sys</c> by default. Links never leave it.</summary>
    public string SysfsRoot { get; init; } = "/sys";

    /// <summary>
    /// The directory of profile files (<c>*.profile</c>); <c>/etc/migcompat/profiles.d</c> by default.
    /// A missing directory means no profiles, not an error; <c>null</c> disables profiles.
    /// </summary>
    public string? ProfilesDirectory { get; init; } = "/etc/migcompat/profiles.d";

    /// <summary>The directory of operator rule packs (<c>*.rules</c>), added to and replacing the shipped ones by name; missing = shipped packs only; null = shipped packs only.</summary>
    public string? RulesDirectory { get; init; } = RulePacks.RulePackLoader.DefaultDirectory;

    /// <summary>Whether the rule packs shipped with MigCompat apply (default); false leaves only the operator's (<see cref="RulesDirectory"/>).</summary>
    public bool ShippedRulePacks { get; init; } = true;

    /// <summary>The host name written into the inventory; <see cref="Environment.MachineName"/> by default.</summary>
    public string HostName { get; init; } = Environment.MachineName;

    /// <summary>The operator's labels written into the inventory (<see cref="Inventory.HostInventory.Labels"/>).</summary>
    public System.Collections.Immutable.ImmutableArray<KeyValuePair<string, string>> Labels { get; init; } = [];

    /// <summary>The clock that stamps <see cref="Inventory.HostInventory.TakenAt"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The most bytes read from one attribute; a larger attribute is skipped with a warning.</summary>
    public int MaxAttributeBytes { get; init; } = DefaultMaxAttributeBytes;

    /// <summary>How long one attribute read may take before it is abandoned with a warning.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The most symbolic links followed while resolving one path (like the kernel's 40).</summary>
    public int MaxLinkHops { get; init; } = 40;

    /// <summary>
    /// The procfs root whose processes' open files say which devices VMs use now (<c>/proc</c> by default):
    /// a device is in use when some process holds its VFIO group file or device file open (read-only,
    /// <c>readlink</c> of every <c>&lt;pid&gt;/fd/</c> entry; see docs/discovery.md). Null: not looked up, every
    /// <see cref="Inventory.InventoryDevice.InUse"/> stays unknown. A missing default root leaves them unknown
    /// silently (no procfs here); a missing root set by the caller is a warning.
    /// </summary>
    public string? ProcRoot { get; init; } = DefaultProcRoot;

    /// <summary>The default <see cref="NvmlLibrary"/>: <c>libnvidia-ml.so.1</c>, found as the dynamic loader finds libraries.</summary>
    public const string DefaultNvmlLibrary = "libnvidia-ml.so.1";

    /// <summary>
    /// The NVML library through which NVIDIA vGPU state is read (<c>libnvidia-ml.so.1</c> by default; a file name is
    /// looked up by the dynamic loader, a path is used as it is): each GPU's supported vGPU version range, ECC mode and
    /// migration capability, and each running vGPU's negotiated version (docs/discovery.md). Loaded only when the scan
    /// finds an NVIDIA vGPU device or type; read-only. Null: NVML is not used, and no warning says so.
    /// </summary>
    public string? NvmlLibrary { get; init; } = DefaultNvmlLibrary;

    /// <summary>The most <c>&lt;pid&gt;/fd/</c> entries examined in one scan (then the lookup stops with a warning). Internal: tests lower it.</summary>
    internal int MaxOpenFilesExamined { get; init; } = 1_000_000;

    /// <summary>
    /// Tests: called on the scanning thread with a directory's root-relative physical path right after
    /// it is listed, before anything in it is read: a test removes things there to stand for a device
    /// that goes away in the middle of a scan.
    /// </summary>
    internal Action<string>? AfterListing { get; init; }

    /// <summary>Equal when every member is equal, the labels by value.</summary>
    /// <param name="other">The other options.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(SysfsScanOptions? other) =>
        other is not null && SysfsRoot == other.SysfsRoot && ProfilesDirectory == other.ProfilesDirectory && RulesDirectory == other.RulesDirectory
        && ShippedRulePacks == other.ShippedRulePacks && HostName == other.HostName && Core.Model.ArrayEquality.Equal(Labels, other.Labels)
        && Equals(TimeProvider, other.TimeProvider) && MaxAttributeBytes == other.MaxAttributeBytes && ReadTimeout == other.ReadTimeout
        && MaxLinkHops == other.MaxLinkHops && ProcRoot == other.ProcRoot && NvmlLibrary == other.NvmlLibrary
        && MaxOpenFilesExamined == other.MaxOpenFilesExamined && Equals(AfterListing, other.AfterListing);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(SysfsRoot, ProfilesDirectory, RulesDirectory, HostName, Core.Model.ArrayEquality.Hash(Labels), ProcRoot, NvmlLibrary);
}
