using System.Collections.Immutable;
using System.Text.Json;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.RulePacks;
using MigCompat.Fleet.Planning;

namespace MigCompat.Server.Contracts;

/// <summary>The body of <c>POST /v1/plans/upgrade</c> (docs/planning.md), also the <c>request</c> a plan repeats.</summary>
internal sealed record PlanUpgradeRequest
{
    /// <summary>Host selectors: names or globs (<c>*</c>, <c>?</c>).</summary>
    public IReadOnlyList<string>? Hosts { get; init; }

    /// <summary>Driver versions the selected hosts get.</summary>
    public IReadOnlyList<DriverChangeBody?>? Drivers { get; init; }

    /// <summary>Whole inventories (docs/inventory.md) hosts will have after the change.</summary>
    public IReadOnlyList<JsonElement>? Replacements { get; init; }

    /// <summary>Rule packs (docs/rules.md) the selected hosts get, each replacing the pack of its name: the files' texts.</summary>
    public IReadOnlyList<RuleFileBody?>? Rules { get; init; }

    /// <summary>At most this many hosts per wave (default 1).</summary>
    public int? MaxHostsPerWave { get; init; }

    /// <summary>Host selectors never changed.</summary>
    public IReadOnlyList<string>? Untouched { get; init; }

    /// <summary>Move a VM cold when no order keeps it live (default false).</summary>
    public bool? AllowCold { get; init; }

    /// <summary>
    /// The request as the planner takes it; null with a problem when it is not usable. A rule pack that does not parse
    /// leaves its own diagnostics (<c>FILE:LINE:COLUMN: CODE: message</c>) in <paramref name="packErrors"/>.
    /// </summary>
    public UpgradeRequest? ToRequest(string path, out string? problem, out string? problemPath, out ImmutableArray<string> packErrors)
    {
        problem = null;
        problemPath = null;
        packErrors = [];
        var packs = ImmutableArray.CreateBuilder<RulePack>();
        var errors = new List<string>();
        for (var i = 0; i < (Rules?.Count ?? 0); i++)
        {
            if (Rules![i] is not { Text: { } text } rule)
            {
                problem = "every rule pack needs 'text' (the file's text) and may give 'file' (its name)";
                problemPath = $"{path}.rules[{i}]";
                return null;
            }

            var parsed = RulePackLoader.Parse(text, string.IsNullOrWhiteSpace(rule.File) ? $"rules[{i}]" : rule.File);
            if (parsed.Packs.IsEmpty)
            {
                errors.AddRange(parsed.Warnings.Select(w => $"{w.Path}: {w.Code}: {w.Message}"));
            }

            packs.AddRange(parsed.Packs);
        }

        if (packs.GroupBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            errors.Add($"rule pack '{twice.Key}' is given twice ({string.Join(", ", twice.Select(p => p.FilePath))}); give each pack once");
        }

        if (errors.Count > 0)
        {
            packErrors = [.. errors];
            problem = "a rule pack does not parse: " + string.Join("; ", errors.Take(3));
            problemPath = $"{path}.rules";
            return null;
        }
        var replacements = ImmutableArray.CreateBuilder<HostInventory>();
        for (var i = 0; i < (Replacements?.Count ?? 0); i++)
        {
            var read = InventoryJson.Read(Replacements![i].GetRawText(), $"{path}.replacements[{i}]");
            if (read.Inventory is null)
            {
                problem = $"replacement inventory {i} is not a usable inventory: " + string.Join("; ", read.Diagnostics.Select(d => d.Message).Take(3));
                problemPath = $"{path}.replacements[{i}]";
                return null;
            }

            replacements.Add(read.Inventory);
        }

        var drivers = ImmutableArray.CreateBuilder<DriverVersionChange>();
        for (var i = 0; i < (Drivers?.Count ?? 0); i++)
        {
            if (Drivers![i] is not { Driver: { Length: > 0 } driver, Version: { Length: > 0 } version })
            {
                problem = "every driver change needs 'driver' (a name or glob) and 'version'";
                problemPath = $"{path}.drivers[{i}]";
                return null;
            }

            drivers.Add(new DriverVersionChange(driver, version));
        }

        if ((Hosts?.Count ?? 0) == 0 && replacements.Count == 0)
        {
            problem = "'hosts' is missing or empty; name the hosts to change (names or globs such as 'gpu-rack-a-*'), or give 'replacements'";
            problemPath = $"{path}.hosts";
            return null;
        }

        if (drivers.Count == 0 && replacements.Count == 0 && packs.Count == 0)
        {
            problem = "nothing to change: give 'drivers' ({\"driver\": \"nvidia\", \"version\": \"580.82.07\"}), 'rules' or 'replacements'";
            problemPath = $"{path}.drivers";
            return null;
        }

        return new UpgradeRequest([.. Hosts ?? []], drivers.ToImmutable(), replacements.ToImmutable(), MaxHostsPerWave ?? 1, [.. Untouched ?? []], AllowCold ?? false) { RulePacks = packs.ToImmutable() };
    }

    /// <summary>The request a plan repeats, as sent (replacements as inventory JSON).</summary>
    public static PlanUpgradeRequest From(UpgradeRequest request) => new()
    {
        Hosts = [.. request.Hosts],
        Drivers = [.. request.Drivers.Select(d => new DriverChangeBody { Driver = d.Driver, Version = d.Version })],
        Rules = [.. request.RulePacks.Select(p => new RuleFileBody { File = p.FilePath, Text = p.Text })],
        Replacements = [.. request.Replacements.Select(r => JsonDocument.Parse(InventoryJson.Serialize(r)).RootElement.Clone())],
        MaxHostsPerWave = request.MaxHostsPerWave,
        Untouched = [.. request.Untouched],
        AllowCold = request.AllowCold,
    };
}

/// <summary>One rule pack file of a plan request.</summary>
internal sealed record RuleFileBody
{
    /// <summary>The file's name, as diagnostics and evidence name it.</summary>
    public string? File { get; init; }

    /// <summary>The file's text (docs/rules.md).</summary>
    public string? Text { get; init; }
}

/// <summary>One planned driver version.</summary>
internal sealed record DriverChangeBody
{
    /// <summary>The driver name or a glob on it.</summary>
    public string? Driver { get; init; }

    /// <summary>The version after the change.</summary>
    public string? Version { get; init; }
}

/// <summary>An upgrade plan: the answer of <c>POST /v1/plans/upgrade</c>, the file <c>migcompat plan verify</c> reads.</summary>
internal sealed record PlanResponse(
    DateTimeOffset AsOf,
    PlanUpgradeRequest Request,
    IReadOnlyList<string> ChangedHosts,
    PlanSummaryResponse Summary,
    IReadOnlyList<WaveResponse> Waves,
    IReadOnlyList<StrandedResponse> Stranded,
    IReadOnlyList<OneWayDoorResponse> OneWayDoors,
    IReadOnlyList<ImpactResponse> Impacts,
    IReadOnlyList<string> Notes)
{
    public static PlanResponse From(UpgradePlan plan) => new(
        plan.AsOf,
        PlanUpgradeRequest.From(plan.Request),
        plan.ChangedHosts,
        new PlanSummaryResponse(
            plan.ChangedHosts.Length,
            plan.Waves.Length,
            plan.Waves.Sum(w => w.Moves.Length),
            plan.Waves.Sum(w => w.Moves.Count(m => m.Level == "cold")),
            plan.Stranded.Length,
            plan.OneWayDoors.Length,
            plan.Impacts.Length,
            plan.Impacts.Count(i => i.LosesAllLiveTargets),
            plan.SpareUnits,
            plan.CapacityLost),
        [.. plan.Waves.Select(w => new WaveResponse(w.Number, w.Hosts, w.Units, [.. w.Moves.Select(m => new MoveResponse(m.Vm, m.From, m.To, m.Level, [.. m.Devices.Select(d => new MoveDeviceBody { Index = d.Index, DeviceId = d.DeviceId, ResourceKey = d.ResourceKey, Evidence = d.Evidence })]))]))],
        [.. plan.Stranded.Select(v => new StrandedResponse(v.Vm, v.Host, v.Wave, v.Reason, v.MovedCold))],
        [.. plan.OneWayDoors.Select(d => new OneWayDoorResponse(d.Vm, d.Host, d.Wave, d.Reason))],
        [.. plan.Impacts.Select(i => new ImpactResponse(i.Vm, i.Host, i.LiveNow, i.LiveDuring, i.LiveAfter, i.LosesAllLiveTargets))],
        plan.Notes);
}

/// <summary>The plan in numbers.</summary>
internal sealed record PlanSummaryResponse(int ChangedHosts, int Waves, int Moves, int ColdMoves, int Stranded, int OneWayDoors, int Vms, int VmsLosingAllLiveTargets, long SpareUnits, long CapacityLost);

/// <summary>One wave.</summary>
internal sealed record WaveResponse(int Number, IReadOnlyList<string> Hosts, long Units, IReadOnlyList<MoveResponse> Moves);

/// <summary>One move.</summary>
internal sealed record MoveResponse(string Vm, string From, string To, string Level, IReadOnlyList<MoveDeviceBody> Devices);

/// <summary>Where one device of a moving VM lands (in a plan, and as a stored plan sends it back).</summary>
internal sealed record MoveDeviceBody
{
    /// <summary>The device's position in the VM's device list.</summary>
    public int Index { get; init; }

    /// <summary>The device's id on the VM's first host.</summary>
    public string? DeviceId { get; init; }

    /// <summary>The target resource key.</summary>
    public string? ResourceKey { get; init; }

    /// <summary>What vouches for the verdict.</summary>
    public string? Evidence { get; init; }
}

/// <summary>A VM no order keeps live.</summary>
internal sealed record StrandedResponse(string Vm, string Host, int Wave, string Reason, bool MovedCold);

/// <summary>A VM that cannot go back once moved.</summary>
internal sealed record OneWayDoorResponse(string Vm, string Host, int Wave, string Reason);

/// <summary>What-if for one VM.</summary>
internal sealed record ImpactResponse(string Vm, string Host, int LiveNow, int LiveDuring, int LiveAfter, bool LosesAllLiveTargets);

/// <summary>The body of <c>POST /v1/plans/verify</c>: a stored plan (its request, waves and stranded VMs are read; the rest is ignored).</summary>
internal sealed record PlanVerifyRequest
{
    public PlanUpgradeRequest? Request { get; init; }

    public IReadOnlyList<WaveBody?>? Waves { get; init; }

    public IReadOnlyList<StrandedBody?>? Stranded { get; init; }
}

/// <summary>A wave as a stored plan has it.</summary>
internal sealed record WaveBody
{
    public int Number { get; init; }

    public IReadOnlyList<string>? Hosts { get; init; }

    public IReadOnlyList<MoveBody?>? Moves { get; init; }
}

/// <summary>A move as a stored plan has it.</summary>
internal sealed record MoveBody
{
    public string? Vm { get; init; }

    public string? From { get; init; }

    public string? To { get; init; }

    public string? Level { get; init; }

    public IReadOnlyList<MoveDeviceBody?>? Devices { get; init; }
}

/// <summary>A stranded VM as a stored plan has it (its wave's VMs the plan does not move).</summary>
internal sealed record StrandedBody
{
    public string? Vm { get; init; }

    public string? Host { get; init; }

    public int Wave { get; init; }
}

/// <summary>The answer of <c>POST /v1/plans/verify</c>.</summary>
internal sealed record PlanCheckResponse(DateTimeOffset AsOf, bool Holds, int MovesChecked, IReadOnlyList<MoveProblemResponse> Problems)
{
    public static PlanCheckResponse From(PlanCheck check) => new(check.AsOf, check.Problems.IsEmpty, check.MovesChecked, [.. check.Problems.Select(p => new MoveProblemResponse(p.Wave, p.Vm, p.From, p.To, p.Reason))]);
}

/// <summary>A move that no longer holds.</summary>
internal sealed record MoveProblemResponse(int Wave, string Vm, string From, string To, string Reason);
