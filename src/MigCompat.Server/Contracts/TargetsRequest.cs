namespace MigCompat.Server.Contracts;

/// <summary>The body of <c>POST /v1/migrations/targets</c>.</summary>
internal sealed record TargetsRequest
{
    /// <summary>The host the VM runs on now (excluded from the answer); with <see cref="Vm"/>, the only host where the VM is looked for.</summary>
    public string? SourceHost { get; init; }

    /// <summary>The VM's devices: each by inventory id or by its descriptor. Not with <see cref="Vm"/>.</summary>
    public IReadOnlyList<TargetDeviceRequest?>? Devices { get; init; }

    /// <summary>The VM by name or UUID, as a host's inventory lists it in <c>guests</c>: its devices and host are looked up. Not with <see cref="Devices"/>.</summary>
    public string? Vm { get; init; }

    /// <summary>How many candidates to return (1..100, 10 by default).</summary>
    public int? Limit { get; init; }

    /// <summary>Whether hosts that only allow a cold migration are listed (true by default).</summary>
    public bool? IncludeCold { get; init; }

    /// <summary>How many hosts not chosen to list with their reasons (0 to 1000; default 20).</summary>
    public int? MaxRejected { get; init; }

    /// <summary>A host to explain in full: every device's verdict against every resource there.</summary>
    public string? ExplainHost { get; init; }
}

/// <summary>One VM device: <c>{"id": "..."}</c> for a device in the source host's inventory, or its descriptor fields.</summary>
internal sealed record TargetDeviceRequest
{
    /// <summary>The device id in the source host's inventory (mdev UUID or PCI address).</summary>
    public string? Id { get; init; }

    /// <summary>The device's self fields, when it is given by descriptor.</summary>
    public IReadOnlyDictionary<string, string>? Self { get; init; }

    /// <summary>The device's COMPATIBLE blocks (optional with <see cref="Self"/>).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>>? Compatible { get; init; }

    /// <summary>The device's dynamic resources (optional with <see cref="Self"/>).</summary>
    public IReadOnlyList<string>? DynamicResources { get; init; }
}
