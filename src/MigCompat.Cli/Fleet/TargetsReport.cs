using System.Globalization;
using System.Text.Json;
using MigCompat.Cli.Output;

namespace MigCompat.Cli.Fleet;

/// <summary>
/// Prints a target answer as a ranked table with a summary of rejected hosts. The WHY column says,
/// for each device that can only move cold, which rules failed (reason code and field); EVIDENCE says
/// what vouches for each device's verdict; the numeric score stays in the JSON answer.
/// </summary>
internal static class TargetsReport
{
    public static void Write(JsonElement answer, TextWriter output)
    {
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
        var considered = Text(answer, "hostsConsidered") ?? "?";
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rank} candidate(s) of {considered} host(s) considered; {rejected.Length} rejected host(s) shown."));
        var reasons = rejected
            .SelectMany(host => Array(host, "reasons"))
            .GroupBy(reason => Text(reason, "code") ?? "?", StringComparer.Ordinal)
            .Select(group => (Code: group.Key, Hosts: group.Count()))
            .OrderByDescending(pair => pair.Hosts)
            .ThenBy(pair => pair.Code, StringComparer.Ordinal)
            .ToList();
        if (reasons.Count > 0)
        {
            var summary = new TextTable("REJECTED BECAUSE", "HOSTS");
            foreach (var (code, hosts) in reasons)
            {
                summary.Add(code, hosts.ToString(CultureInfo.InvariantCulture));
            }

            summary.Write(output);
        }
    }

    public static int CandidateCount(JsonElement answer) => Array(answer, "candidates").Length;

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
