using System.Globalization;
using System.Text.Json;
using MigCompat.Cli.Output;

namespace MigCompat.Cli.Fleet;

/// <summary>Prints a target answer as a ranked table with a summary of rejected hosts.</summary>
internal static class TargetsReport
{
    public static void Write(JsonElement answer, TextWriter output)
    {
        var table = new TextTable("RANK", "HOST", "LEVEL", "SCORE", "ASSIGNMENTS", "DYNAMIC RESOURCES");
        var rank = 0;
        foreach (var candidate in Array(answer, "candidates"))
        {
            rank++;
            var assignments = Array(candidate, "assignments");
            table.Add(
                rank.ToString(CultureInfo.InvariantCulture),
                Text(candidate, "host"),
                Text(candidate, "level"),
                Text(candidate, "score"),
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
