using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MigCompat.Cli.Fleet;
using MigCompat.Cli.Input;
using MigCompat.Cli.Output;
using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Json;
using MigCompat.Discovery.RulePacks;
using static MigCompat.Cli.Commands.FleetAdminCommands;

namespace MigCompat.Cli.Commands;

/// <summary>
/// <c>migcompat plan upgrade</c> and <c>migcompat plan verify</c>: rolling-change plans from the fleet
/// server (<c>POST /v1/plans/upgrade</c>, <c>POST /v1/plans/verify</c>; docs/planning.md).
/// </summary>
internal static class PlanCommands
{
    /// <summary>How large a stored plan file may be.</summary>
    private const int MaxPlanFileBytes = 64 * 1024 * 1024;

    /// <summary>How large a rule pack file may be (as for the operator's packs).</summary>
    private const int MaxRuleFileBytes = 1024 * 1024;

    private static readonly (int Code, string Meaning)[] UpgradeExitCodes =
    [
        (ExitCodes.Success, "planned: every VM on a changed host moves live"),
        (ExitCodes.NotCompatible, "planned, but some VMs no order keeps live (listed as stranded)"),
        (ExitCodes.UnusableInput, "bad usage, an unreadable replacement inventory, a rule pack that does not parse, or the server refused the request (a selector matching no host)"),
        (FleetExitCodes.ServerFailed, "the server could not be reached, refused the token, or failed"),
        (ExitCodes.InternalError, "internal error (a bug; please report it)"),
    ];

    private static readonly (int Code, string Meaning)[] VerifyExitCodes =
    [
        (ExitCodes.Success, "every move of the plan still holds"),
        (ExitCodes.NotCompatible, "some moves no longer hold (listed with the reason)"),
        (ExitCodes.UnusableInput, "bad usage, an unreadable plan file, or the server refused the plan"),
        (FleetExitCodes.ServerFailed, "the server could not be reached, refused the token, or failed"),
        (ExitCodes.InternalError, "internal error (a bug; please report it)"),
    ];

    /// <summary>Creates the <c>plan</c> command.</summary>
    /// <returns>The commands.</returns>
    internal static IEnumerable<Command> Create()
    {
        var command = new Command("plan", "Plan a rolling change (driver, kernel, firmware) and re-check a stored plan.");
        command.Subcommands.Add(Upgrade());
        command.Subcommands.Add(Verify());
        return [command];
    }

    private static Command Upgrade()
    {
        var hosts = new Option<string[]>("--hosts") { Description = "The hosts to change: names or globs (* and ?), or label:KEY=VALUE (the value a glob; labels from the inventories), comma-separated or repeated.", HelpName = "SELECTOR", AllowMultipleArgumentsPerToken = true };
        var set = new Option<string[]>("--set") { Description = "A driver version the hosts get: DRIVER=VERSION (the driver a name or glob: nvidia=580.82.07, mlx5_vfio_pci=6.12.0-1-amd64); repeat for several.", HelpName = "DRIVER=VERSION", AllowMultipleArgumentsPerToken = true };
        var replace = new Option<string[]>("--replace") { Description = "An inventory file (docs/inventory.md) a host will have after the change; repeat for several.", HelpName = "FILE", AllowMultipleArgumentsPerToken = true };
        var rules = new Option<string[]>("--rules") { Description = "A rule pack file, or a directory of *.rules files, the hosts get (docs/rules.md): each replaces the pack of its name, as in /etc/migcompat/rules.d; repeat for several.", HelpName = "FILE_OR_DIR", AllowMultipleArgumentsPerToken = true };
        var perWave = new Option<int>("--max-per-wave") { Description = "At most this many hosts are changed together.", HelpName = "N", DefaultValueFactory = _ => 1 };
        var untouched = new Option<string[]>("--untouched") { Description = "Hosts never to change, even when selected: names or globs.", HelpName = "SELECTOR", AllowMultipleArgumentsPerToken = true };
        var allowCold = new Option<bool>("--allow-cold") { Description = "Move a VM cold when no order keeps it live (the move says cold)." };
        var command = new Command("upgrade", "Plan a change on some hosts: live targets per VM now, during and after; waves of live moves; VMs no order keeps live; one-way doors.")
        {
            hosts, set, rules, replace, perWave, untouched, allowCold,
        };
        object? body = null;
        return Wire(
            "plan upgrade",
            command,
            (parse, client, ct) => TerminalProgress.SpinAsync(parse.InvocationConfiguration.Error, "planning (the server re-derives the changed hosts and orders the waves)", client.PostJsonAsync("/v1/plans/upgrade", body!, ct)),
            WritePlan,
            "migcompat plan upgrade --hosts 'host-00000?' --set nvidia=580.82.07 --max-per-wave 5 --server http://fleet:8080 --token $SCHEDULER_TOKEN",
            UpgradeExitCodes,
            answer => Items(answer, "stranded").Length == 0 ? ExitCodes.Success : ExitCodes.NotCompatible,
            (parse, stderr) => (body = UpgradeBody(parse, hosts, set, rules, replace, perWave, untouched, allowCold, stderr)) is not null);
    }

    private static object? UpgradeBody(ParseResult parse, Option<string[]> hosts, Option<string[]> set, Option<string[]> rules, Option<string[]> replace, Option<int> perWave, Option<string[]> untouched, Option<bool> allowCold, TextWriter stderr)
    {
        static string[] Split(string[]? values) => [.. (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
        var drivers = new List<object>();
        foreach (var text in parse.GetValue(set) ?? [])
        {
            var at = text.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0 || at == text.Length - 1)
            {
                stderr.WriteLine($"plan upgrade: --set '{text}' is not DRIVER=VERSION, e.g. --set nvidia=580.82.07");
                return null;
            }

            drivers.Add(new { driver = text[..at].Trim(), version = text[(at + 1)..].Trim() });
        }

        var replacements = new List<JsonElement>();
        foreach (var file in parse.GetValue(replace) ?? [])
        {
            var read = InventoryInput.Read(file);
            if (read.Inventory is null)
            {
                DiagnosticOutput.WriteLines(stderr, read.Diagnostics);
                return null;
            }

            replacements.Add(JsonDocument.Parse(Discovery.Inventory.InventoryJson.Serialize(read.Inventory)).RootElement.Clone());
        }

        if (RuleFiles(parse.GetValue(rules) ?? [], stderr) is not { } packs)
        {
            return null;
        }

        var selected = Split(parse.GetValue(hosts));
        if (selected.Length == 0 && replacements.Count == 0)
        {
            stderr.WriteLine("plan upgrade: name the hosts to change with --hosts (names or globs), or give --replace FILE");
            return null;
        }

        if (drivers.Count == 0 && replacements.Count == 0 && packs.Count == 0)
        {
            stderr.WriteLine("plan upgrade: nothing to change; give --set DRIVER=VERSION, --rules FILE_OR_DIR or --replace FILE");
            return null;
        }

        if (parse.GetValue(perWave) < 1)
        {
            stderr.WriteLine($"plan upgrade: --max-per-wave {parse.GetValue(perWave)}: give 1 or more");
            return null;
        }

        return new { hosts = selected, drivers, rules = packs, replacements, maxHostsPerWave = parse.GetValue(perWave), untouched = Split(parse.GetValue(untouched)), allowCold = parse.GetValue(allowCold) };
    }

    /// <summary>
    /// The rule pack files to send (a directory gives its <c>*.rules</c> files in name order), each checked here first: null
    /// after writing the diagnostics when one cannot be read or does not parse.
    /// </summary>
    private static List<object>? RuleFiles(string[] paths, TextWriter stderr)
    {
        var packs = new List<object>();
        foreach (var path in paths)
        {
            string[] files;
            try
            {
                files = Directory.Exists(path) ? [.. Directory.GetFiles(path, "*" + RulePackLoader.FileSuffix).Order(StringComparer.Ordinal)] : [path];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                DiagnosticOutput.WriteLines(stderr, [Diagnostic.Error(CliDiagnosticCodes.Unreadable, "the rules directory cannot be listed: " + e.Message, path, 0, 0)]);
                return null;
            }

            if (files.Length == 0)
            {
                DiagnosticOutput.WriteLines(stderr, [Diagnostic.Error(CliDiagnosticCodes.NotFound, $"the directory has no {RulePackLoader.FileSuffix} file", path, 0, 0)]);
                return null;
            }

            foreach (var file in files)
            {
                if (!BoundedFile.TryRead(file, MaxRuleFileBytes, out var text, out var problem))
                {
                    DiagnosticOutput.WriteLines(stderr, [problem!]);
                    return null;
                }

                var parsed = RulePackLoader.Parse(text, file);
                if (parsed.Packs.IsEmpty)
                {
                    foreach (var warning in parsed.Warnings)
                    {
                        stderr.WriteLine($"{warning.Path}: {warning.Code}: {warning.Message}");
                    }

                    return null;
                }

                packs.Add(new { file, text });
            }
        }

        return packs;
    }

    private static Command Verify()
    {
        var file = new Argument<string>("PLAN.json") { Description = "A plan as `plan upgrade --format json` wrote it." };
        var command = new Command("verify", "Re-check a stored plan against the fleet as it is now: which moves no longer hold, and why.") { file };
        JsonElement plan = default;
        return Wire(
            "plan verify",
            command,
            (parse, client, ct) => TerminalProgress.SpinAsync(parse.InvocationConfiguration.Error, "verifying the plan against the fleet", client.PostJsonAsync("/v1/plans/verify", plan, ct)),
            WriteCheck,
            "migcompat plan verify plan.json --server http://fleet:8080 --token $SCHEDULER_TOKEN",
            VerifyExitCodes,
            answer => Text(answer, "holds") == "true" ? ExitCodes.Success : ExitCodes.NotCompatible,
            (parse, stderr) =>
            {
                var path = parse.GetRequiredValue(file);
                if (!BoundedFile.TryRead(path, MaxPlanFileBytes, out var text, out var problem))
                {
                    DiagnosticOutput.WriteLines(stderr, [problem!]);
                    return false;
                }

                // A string that is not Unicode text (a lone surrogate escape) parses, but cannot be sent on: refuse it here.
                var scan = JsonTextScanner.Scan(System.Text.Encoding.UTF8.GetBytes(text), 64);
                if (scan.NotText is { } notText)
                {
                    var (line, column) = scan.LineAndColumn(notText.Offset);
                    stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path}:{line}:{column}: error MCP001: {notText.Path}: {JsonTextScanner.NotTextMessage}; give the file `plan upgrade --format json` wrote"));
                    return false;
                }

                try
                {
                    using var document = JsonDocument.Parse(text);
                    plan = document.RootElement.Clone();
                    return true;
                }
                catch (JsonException e)
                {
                    stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path}:{(e.LineNumber ?? 0) + 1}:{(e.BytePositionInLine ?? 0) + 1}: error MCP001: the plan is not JSON; give the file `plan upgrade --format json` wrote"));
                    return false;
                }
            });
    }

    /// <summary>The plan as text: summary, notes, every wave's moves, stranded VMs, one-way doors, VMs that lose all live targets.</summary>
    internal static void WritePlan(JsonElement answer, TextWriter output)
    {
        var summary = answer.TryGetProperty("summary", out var s) ? s : default;
        output.WriteLine($"Plan as of {Text(answer, "asOf")}: {Text(summary, "changedHosts")} changed hosts in {Text(summary, "waves")} waves, {Text(summary, "moves")} moves ({Text(summary, "coldMoves")} cold), {Text(summary, "stranded")} VMs not kept live, {Text(summary, "oneWayDoors")} one-way doors; spare units needed {Text(summary, "spareUnits")}, capacity lost {Text(summary, "capacityLost")}.");
        output.WriteLine($"What-if: {Text(summary, "vmsLosingAllLiveTargets")} of {Text(summary, "vms")} VMs have live targets now and none after the change.");
        foreach (var note in Items(answer, "notes"))
        {
            output.WriteLine("Note: " + note.GetString());
        }

        var moves = new TextTable("WAVE", "VM", "FROM", "TO", "LEVEL", "DEVICES");
        foreach (var wave in Items(answer, "waves"))
        {
            foreach (var move in Items(wave, "moves"))
            {
                moves.Add(Text(wave, "number"), Text(move, "vm"), Text(move, "from"), Text(move, "to"), Text(move, "level"), string.Join(" ", Items(move, "devices").Select(d => $"{Text(d, "deviceId")}->{Text(d, "resourceKey")}")));
            }
        }

        output.WriteLine();
        output.WriteLine("Waves: " + string.Join("; ", Items(answer, "waves").Select(w => $"{Text(w, "number")}: {string.Join(" ", Items(w, "hosts").Select(h => h.GetString()))}")));
        Section(output, "Moves", moves);
        var stranded = new TextTable("WAVE", "VM", "HOST", "MOVED", "WHY NOT LIVE");
        foreach (var vm in Items(answer, "stranded"))
        {
            stranded.Add(Text(vm, "wave"), Text(vm, "vm"), Text(vm, "host"), Text(vm, "movedCold") == "true" ? "cold" : "no", Text(vm, "reason"));
        }

        Section(output, "VMs no order keeps live", stranded);
        var doors = new TextTable("WAVE", "VM", "HOST", "WHY IT CANNOT GO BACK");
        foreach (var door in Items(answer, "oneWayDoors"))
        {
            doors.Add(Text(door, "wave"), Text(door, "vm"), Text(door, "host"), Text(door, "reason"));
        }

        Section(output, "One-way doors", doors);
        var losing = new TextTable("VM", "HOST", "LIVE NOW", "DURING", "AFTER");
        foreach (var impact in Items(answer, "impacts").Where(i => Text(i, "losesAllLiveTargets") == "true"))
        {
            losing.Add(Text(impact, "vm"), Text(impact, "host"), Text(impact, "liveNow"), Text(impact, "liveDuring"), Text(impact, "liveAfter"));
        }

        Section(output, "VMs that lose all live targets", losing);
    }

    private static void WriteCheck(JsonElement answer, TextWriter output)
    {
        var problems = new TextTable("WAVE", "VM", "FROM", "TO", "WHY IT NO LONGER HOLDS");
        foreach (var problem in Items(answer, "problems"))
        {
            problems.Add(Text(problem, "wave"), Text(problem, "vm"), Text(problem, "from"), Text(problem, "to"), Text(problem, "reason"));
        }

        output.WriteLine(problems.Count == 0
            ? $"All {Text(answer, "movesChecked")} moves still hold (fleet as of {Text(answer, "asOf")})."
            : $"{problems.Count} of {Text(answer, "movesChecked")} moves no longer hold (fleet as of {Text(answer, "asOf")}):");
        if (problems.Count > 0)
        {
            problems.Write(output);
        }
    }

    private static void Section(TextWriter output, string title, TextTable table)
    {
        output.WriteLine();
        if (table.Count == 0)
        {
            output.WriteLine(title + ": none.");
            return;
        }

        output.WriteLine(title + ":");
        table.Write(output);
    }
}
