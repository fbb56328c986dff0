namespace MigCompat.Libvirt;

/// <summary>Why the hook refuses an incoming migration, or what migrate-xml could not do: one line for libvirt's log.</summary>
/// <param name="Code">A stable code (docs/integrations-libvirt.md, "Refusals"), or a matcher reason code.</param>
/// <param name="Message">What is wrong and what to do, for a person.</param>
public sealed record HookReason(string Code, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>The codes of <see cref="HookReason"/> beyond the matcher's reason codes.</summary>
public static class HookCodes
{
    /// <summary>The domain XML is not usable (malformed, not a domain, too large, a DTD).</summary>
    public const string BadDomainXml = "BAD_DOMAIN_XML";

    /// <summary>An assigned mdev or PCI host device whose source address cannot be read.</summary>
    public const string UnreadableDevice = "UNREADABLE_DEVICE";

    /// <summary>The VM has assigned devices but the domain XML carries no MigCompat metadata.</summary>
    public const string NoMetadata = "NO_METADATA";

    /// <summary>The MigCompat metadata is unusable: two elements, a newer version, a missing or bad attribute.</summary>
    public const string BadMetadata = "BAD_METADATA";

    /// <summary>The claim is for another host.</summary>
    public const string ClaimOtherHost = "CLAIM_OTHER_HOST";

    /// <summary>The claim has expired or was released.</summary>
    public const string ClaimNotActive = "CLAIM_NOT_ACTIVE";

    /// <summary>A fleet server is configured but the claim could not be read from it, or it does not hold a device's resource.</summary>
    public const string ClaimUnconfirmed = "CLAIM_UNCONFIRMED";

    /// <summary>An assigned device the metadata does not describe, or a described device the domain does not have.</summary>
    public const string DeviceNotInMetadata = "DEVICE_NOT_IN_METADATA";

    /// <summary>The source device's descriptor is missing or does not parse.</summary>
    public const string DescriptorUnknown = "DESCRIPTOR_UNKNOWN";

    /// <summary>This host's inventory could not be read.</summary>
    public const string NoInventory = "NO_INVENTORY";

    /// <summary>The claimed resource names no usable device on this host.</summary>
    public const string TargetUnknown = "TARGET_UNKNOWN";

    /// <summary>The target device's descriptor does not parse.</summary>
    public const string TargetDescriptorInvalid = "TARGET_DESCRIPTOR_INVALID";

    /// <summary>Without metadata: the fleet server could not be read (unreachable, timed out, refused the token, failed).</summary>
    public const string FleetUnavailable = "FLEET_UNAVAILABLE";

    /// <summary>Without metadata: the fleet knows no VM with the domain's UUID or name on another host.</summary>
    public const string FleetVmUnknown = "FLEET_VM_UNKNOWN";

    /// <summary>Without metadata: several hosts of the fleet list the VM.</summary>
    public const string FleetVmAmbiguous = "FLEET_VM_AMBIGUOUS";

    /// <summary>Without metadata: the VM's devices in the fleet and the incoming XML's devices cannot be paired by kind and mdev type.</summary>
    public const string FleetDevicesDiffer = "FLEET_DEVICES_DIFFER";
}
