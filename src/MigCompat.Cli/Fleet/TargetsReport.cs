using System.Globalization;
using System.Text.Json;
using MigCompat.Cli.Output;

namespace MigCompat.Cli.Fleet;

/// <summary>
/// Prints a target answer as a ranked table, the hosts not chosen with their reasons, and an explained host
/// when one was asked. The WHY column says,
/// for each device that can only move cold, which rules failed (reason code and field); EVIDENCE says
/// what vouches for each device's verdict; the numeric score stays in the JSON answer.
/// </summary>
internal static class TargetsReport
{
    public static void Write(JsonElement answer, TextWriter output)
    {
        if (answer.TryGetProperty("vm", out var vm) && vm.ValueKind == JsonValueKind.Object)
        {
            var uuid = Text(vm, "uuid") is { } known ? $" ({known})" : "";
            output.WriteLine($"VM {Text(vm, "name")}{uuid} on {Text(vm, "host")}, devices: {string.Join(", ", Array(vm, "devices").Select(d => d.GetString()))}");
            output.WriteLine();
        }

        var table = new TextTable("RANK", "HOST", "LEVEL", "WHY", "EVIDENCE", "ASSIGNMENTS", "DYNAMIC RESOURCES");
        var rank = 0;
        foreach (var candidate in Array(answer, "candidates"))
        {
            rank++;
            var assignments = Array(candidate, "assignments");
            table.Add(
                rank.ToString(CultureInfo.InvariantCulture),
                Text(candidate, "host"),
                Text(candidate, "level"),
                Why(assignments),
                EvidenceText(assignments),
                string.Join(", ", assignments.Select(a => $"#{Text(a, "deviceIndex")} {Text(a, "sourceDeviceId") ?? "(descriptor)"} -> {Text(a, "resourceKey")} ({Text(a, "level")})")),
                string.Join(", ", assignments.SelectMany(a => Array(a, "dynamicResources")).Select(d => $"{Text(d, "field")}={Text(d, "value")}").Distinct(StringComparer.Ordinal)) is { Length: > 0 } dynamic ? dynamic : null);
        }

        if (table.Count == 0)
        {
            output.WriteLine("No host can take these devices.");
        }
        else
        {
            table.Write(output);
        }

        var rejected = Array(answer, "rejected");
        var notChosen = Count(answer, "hostsRejected") + Count(answer, "hostsDrained") + Count(answer, "hostsWithoutCompatibleResource");
        output.WriteLine();
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{rank} candidate(s) shown of {Count(answer, "hostsAccepted")} that can take the VM, {Text(answer, "hostsConsidered") ?? "?"} host(s) considered; not chosen: {Count(answer, "hostsRejected")} close miss(es), {Count(answer, "hostsDrained")} drained, {Count(answer, "hostsWithoutCompatibleResource")} with nothing compatible."));
        if (rejected.Length > 0)
        {
            var hosts = new TextTable("NOT CHOSEN", "WHY (reason: devices)");
            foreach (var host in rejected)
            {
                hosts.Add(Text(host, "host") ?? "?", string.Join(", ", Array(host, "reasons").Select(r => $"{Text(r, "code")}: {Text(r, "count")}")));
            }

            hosts.Write(output);
            if (rejected.Length < notChosen)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{notChosen - rejected.Length} more not shown; --rejected N lists more, --explain HOST explains one host."));
            }
        }

        if (answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("explanation", out var explanation) && explanation.ValueKind == JsonValueKind.Object)
        {
            WriteExplanation(explanation, output);
        }
    }

    /// <summary>One host in full: the outcome, and each device against each resource with free units, level, why and evidence.</summary>
    private static void WriteExplanation(JsonElement explanation, TextWriter output)
    {
        var reasons = string.Join(", ", Array(explanation, "reasons").Select(r => $"{Text(r, "code")}: {Text(r, "count")}"));
        output.WriteLine();
        output.WriteLine($"Host {Text(explanation, "host")}: {Text(explanation, "outcome")}{(reasons.Length > 0 ? " (" + reasons + ")" : "")}");
        var table = new TextTable("DEVICE", "RESOURCE", "FREE", "LEVEL", "WHY", "EVIDENCE");
        foreach (var device in Array(explanation, "devices"))
        {
            foreach (var resource in Array(device, "resources"))
            {
                var evidence = resource.TryGetProperty("evidence", out var e) && e.ValueKind == JsonValueKind.Object
                    ? (Text(e, "kind") is "none" or null ? "none" : $"{Text(e, "kind")} {Text(e, "detail")}".TrimEnd())
                    : null;
                table.Add(
                    $"#{Text(device, "deviceIndex")} {Text(device, "sourceDeviceId") ?? "(descriptor)"}",
                    Text(resource, "resourceKey") ?? "?",
                    Text(resource, "free") ?? "?",
                    Text(resource, "level") ?? "?",
                    string.Join(" + ", Array(resource, "reasons").Select(r => $"{Text(r, "code")} {Text(r, "field")}".TrimEnd()).Distinct(StringComparer.Ordinal)) is { Length: > 0 } why ? why : null,
                    evidence);
            }
        }

        if (table.Count == 0)
        {
            output.WriteLine("The host offers no resource.");
        }
        else
        {
            table.Write(output);
        }
    }

    private static int Count(JsonElement answer, string name) =>
        int.TryParse(Text(answer, name), NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : 0;

    public static int CandidateCount(JsonElement answer) => Array(answer, "candidates").Length;

    /// <summary>True when the explained host can take the VM (outcome live, or cold when cold was allowed).</summary>
    public static bool ExplainedHostTakesTheVm(JsonElement answer) =>
        answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("explanation", out var explanation)
        && Text(explanation, "outcome") is "live" or "cold";

    /// <summary>
    /// Why the candidate is cold: per distinct set of reasons, the reason codes with their fields and
    /// the cold devices concerned, e.g. <c>VERSION_MINOR_TOO_LOW software_version (#0 #1)</c>; null when every device is live.
    /// </summary>
    private static string? Why(JsonElement[] assignments)
    {
        var cold = assignments
            .Where(a => Text(a, "level") == "cold")
            .Select(a => (Device: "#" + Text(a, "deviceIndex"), Reasons: string.Join(" + ", Array(a, "reasons").Select(r => $"{Text(r, "code")} {Text(r, "field")}".TrimEnd()).Distinct(StringComparer.Ordinal))))
            .GroupBy(a => a.Reasons.Length > 0 ? a.Reasons : "(no reason given)", StringComparer.Ordinal)
            .Select(g => $"{g.Key} ({string.Join(' ', g.Select(a => a.Device))})")
            .ToList();
        return cold.Count > 0 ? string.Join(", ", cold) : null;
    }

    /// <summary>
    /// What vouches for each device's verdict, per distinct evidence with the devices concerned, e.g.
    /// <c>rule-pack nvidia-vgpu 1 (#0 #1)</c>, or <c>none (#0)</c>; null when the answer carries none.
    /// </summary>
    private static string? EvidenceText(JsonElement[] assignments)
    {
        var evidence = assignments
            .Where(a => a.ValueKind == JsonValueKind.Object && a.TryGetProperty("evidence", out var e) && e.ValueKind == JsonValueKind.Object)
            .Select(a => (Device: "#" + Text(a, "deviceIndex"), Evidence: a.GetProperty("evidence")))
            .Select(a => (a.Device, Text: Text(a.Evidence, "kind") is "none" or null ? "none" : $"{Text(a.Evidence, "kind")} {Text(a.Evidence, "detail")}".TrimEnd()))
            .GroupBy(a => a.Text, StringComparer.Ordinal)
            .Select(g => $"{g.Key} ({string.Join(' ', g.Select(a => a.Device))})")
            .ToList();
        return evidence.Count > 0 ? string.Join(", ", evidence) : null;
    }

    private static JsonElement[] Array(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray()] : [];

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => value.GetRawText(),
            }
            : null;
}
