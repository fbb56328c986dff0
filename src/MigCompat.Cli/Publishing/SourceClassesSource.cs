using System.Collections.Immutable;
using System.Text.Json;
using MigCompat.Cli.Commands;
using MigCompat.Cli.Fleet;
using MigCompat.Core.Matching;
using MigCompat.Fleet.Publishing;

namespace MigCompat.Cli.Publishing;

/// <summary>
/// Reads <c>GET /v1/source-classes</c> from the fleet server for the publishers (<c>placement sync</c>,
/// <c>export kubevirt|dra</c>) and turns the answer back into the fleet's <see cref="SourceClassReport"/>.
/// </summary>
internal static class SourceClassesSource
{
    /// <summary>The report, or null with an exit code after writing why to <paramref name="stderr"/>.</summary>
    /// <param name="command">The command, for messages.</param>
    /// <param name="server">The server URL, else MIGCOMPAT_SERVER.</param>
    /// <param name="token">The read token, else MIGCOMPAT_TOKEN.</param>
    /// <param name="stderr">Where messages go.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="host">Only this host's acceptance (the classes stay complete); the server answers 404 for a host it does not know.</param>
    public static async Task<(SourceClassReport? Report, int ExitCode)> FetchAsync(string command, string? server, string? token, TextWriter stderr, CancellationToken cancellationToken, string? host = null)
    {
        if (!FleetCommands.TryServer(server ?? Environment.GetEnvironmentVariable("MIGCOMPAT_SERVER"), stderr, out var url))
        {
            return (null, ExitCodes.UnusableInput);
        }

        using var client = new FleetClient(url, token ?? Environment.GetEnvironmentVariable("MIGCOMPAT_TOKEN"));
        var (answer, exitCode) = await FleetClient.CallAsync(command, url, () => client.GetAsync("/v1/source-classes" + (host is null ? string.Empty : "?host=" + Uri.EscapeDataString(host)), cancellationToken), stderr, cancellationToken);
        if (answer?.Json is not { } json)
        {
            return (null, answer is null ? exitCode : FleetExitCodes.ServerFailed);
        }

        try
        {
            return (Read(json), ExitCodes.Success);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            await stderr.WriteLineAsync($"{command}: the server at {url} answered /v1/source-classes with something this migcompat cannot read (is it the same version?): {e.Message}");
            return (null, FleetExitCodes.ServerFailed);
        }
    }

    /// <summary>Reads the API's JSON (docs/api.md, "Source classes").</summary>
    public static SourceClassReport Read(JsonElement json) => new(
        [.. json.GetProperty("classes").EnumerateArray().Select(c => new SourceClass(
            c.GetProperty("id").GetString()!, c.GetProperty("descriptor").GetString()!, c.GetProperty("devices").GetInt32(), c.GetProperty("hosts").GetInt32()))],
        [.. json.GetProperty("hosts").EnumerateArray().Select(h => new HostAcceptance(
            h.GetProperty("name").GetString()!,
            h.GetProperty("drained").GetBoolean(),
            [.. h.GetProperty("sources").EnumerateArray().Select(s => new SourceDevice(s.GetProperty("deviceId").GetString()!, s.GetProperty("classId").GetString()!))],
            [.. h.GetProperty("resources").EnumerateArray().Select(ReadResource)]))]);

    private static ResourceAcceptance ReadResource(JsonElement r) => new(
        r.GetProperty("resourceKey").GetString()!,
        r.GetProperty("kind").GetString() == "device" ? AcceptingResourceKind.Device : AcceptingResourceKind.CreatableType,
        r.GetProperty("id").GetString()!,
        Optional(r, "parent"),
        Optional(r, "typeId"),
        r.GetProperty("capacity").GetInt32(),
        [.. r.GetProperty("live").EnumerateArray().Select(l => new ClassAcceptance(l.GetProperty("classId").GetString()!, ReadEvidence(l.GetProperty("evidence"))))]);

    private static Evidence ReadEvidence(JsonElement e)
    {
        var name = e.GetProperty("kind").GetString();
        var kind = Enum.GetValues<EvidenceKind>().FirstOrDefault(k => Evidence.Name(k) == name);
        return new Evidence(kind, e.GetProperty("detail").GetString() ?? string.Empty);
    }

    private static string? Optional(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

}
