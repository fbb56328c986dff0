using System.CommandLine;
using MigCompat.Cli.Input;
using MigCompat.Cli.Output;
using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.RulePacks;

namespace MigCompat.Cli.Commands;

/// <summary><c>migcompat rules list|show</c>: the rule packs that complete descriptors during scans and imports.</summary>
internal static class RulesCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("rules", "List and show the rule packs: per driver, whether it can migrate device state and what it compares (shipped ones, replaced by operator packs of the same name).")
        {
            List(),
            Show(),
        };
        return CommandHelp.Describe(
            command,
            ["migcompat rules list", "migcompat rules show nvidia-vgpu", "migcompat rules list --rules ./rules.d --format json"],
            CommandHelp.StandardExitCodes);
    }

    private static Command List()
    {
        var rules = CliOptions.Rules();
        var format = CliOptions.Format();
        var command = new Command("list", "List the rule packs in use: name, version, drivers, whether they migrate, how many rules, where they come from.") { rules, format };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            if (!TryLoad(parse.GetValue(rules), stderr, out var packs))
            {
                return ExitCodes.UnusableInput;
            }

            if (parse.GetValue(format) == CliOptions.Json)
            {
                JsonOutput.Write(stdout, writer =>
                {
                    writer.WriteStartArray();
                    foreach (var pack in packs)
                    {
                        WritePack(writer, pack, withText: false);
                    }

                    writer.WriteEndArray();
                });
                return ExitCodes.Success;
            }

            var table = new TextTable("NAME", "VERSION", "DRIVERS", "MIGRATES", "RULES", "FILE");
            foreach (var pack in packs)
            {
                table.Add(pack.Name, pack.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), string.Join(", ", pack.Drivers), pack.Migrates ? "yes" : "no", pack.Rules.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), pack.FilePath);
            }

            table.Write(stdout, string.Empty);
            return ExitCodes.Success;
        });
        return CommandHelp.Describe(command, ["migcompat rules list", "migcompat rules list --format json"], ListExitCodes);
    }

    private static Command Show()
    {
        var name = new Argument<string>("NAME") { Description = "The pack's name, as 'rules list' prints it." };
        var rules = CliOptions.Rules();
        var format = CliOptions.Format();
        var command = new Command("show", "Print one rule pack: its sources and the file as written.") { name, rules, format };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            if (!TryLoad(parse.GetValue(rules), stderr, out var packs))
            {
                return ExitCodes.UnusableInput;
            }

            var wanted = parse.GetRequiredValue(name);
            var pack = packs.FirstOrDefault(p => p.Name == wanted);
            if (pack is null)
            {
                stderr.WriteLine($"migcompat rules show: no rule pack '{wanted}'; the packs are {string.Join(", ", packs.Select(p => p.Name))}");
                return ExitCodes.UnusableInput;
            }

            if (parse.GetValue(format) == CliOptions.Json)
            {
                JsonOutput.Write(stdout, writer => WritePack(writer, pack, withText: true));
                return ExitCodes.Success;
            }

            stdout.Write($"{pack.Name} {pack.Version} ({pack.FilePath}): {string.Join(", ", pack.Drivers)} {(pack.Migrates ? "migrates device state" : "cannot migrate device state")}\n\n");
            stdout.Write(pack.Text.EndsWith('\n') ? pack.Text : pack.Text + "\n");
            return ExitCodes.Success;
        });
        return CommandHelp.Describe(command, ["migcompat rules show mtty", "migcompat rules show nvidia-vgpu --format json"], ListExitCodes);
    }

    private static readonly (int Code, string Meaning)[] ListExitCodes =
    [
        (ExitCodes.Success, "printed"),
        (ExitCodes.UnusableInput, "a given rules directory does not exist, a pack in it has errors (listed on stderr), or no such pack"),
        (ExitCodes.InternalError, "internal error (a bug; please report it)"),
    ];

    private static bool TryLoad(string? directory, TextWriter stderr, out IReadOnlyList<RulePack> packs)
    {
        packs = [];
        if (directory is not null && !Directory.Exists(directory))
        {
            DiagnosticOutput.WriteLines(stderr, [Diagnostic.Error(CliDiagnosticCodes.NotFound, "the rules directory is not a directory", directory, 0, 0)]);
            return false;
        }

        var loaded = RulePackLoader.Load(directory ?? RulePackLoader.DefaultDirectory);
        if (!loaded.Warnings.IsEmpty)
        {
            InventoryTable.WriteWarnings(stderr, "rules", loaded.Warnings);
        }

        packs = loaded.Packs;
        return loaded.Warnings.IsEmpty;
    }

    private static void WritePack(System.Text.Json.Utf8JsonWriter writer, RulePack pack, bool withText)
    {
        writer.WriteStartObject();
        writer.WriteString("name", pack.Name);
        writer.WriteNumber("version", pack.Version);
        writer.WriteStartArray("drivers");
        foreach (var driver in pack.Drivers)
        {
            writer.WriteStringValue(driver);
        }

        writer.WriteEndArray();
        writer.WriteBoolean("migrates", pack.Migrates);
        writer.WriteNumber("rules", pack.Rules.Length);
        writer.WriteStartArray("sources");
        foreach (var source in pack.Sources)
        {
            writer.WriteStringValue(source);
        }

        writer.WriteEndArray();
        writer.WriteString("file", pack.FilePath);
        if (withText)
        {
            writer.WriteString("text", pack.Text);
        }

        writer.WriteEndObject();
    }
}
