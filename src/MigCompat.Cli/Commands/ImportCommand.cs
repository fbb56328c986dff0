using System.CommandLine;
using MigCompat.Cli.Input;
using MigCompat.Cli.Output;
using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Importers;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Profiles;
using MigCompat.Discovery.RulePacks;
using MigCompat.Discovery.Sysfs;

namespace MigCompat.Cli.Commands;

/// <summary><c>migcompat import mdevctl-types|mdevctl-list|nodedev-xml|domain-xml FILE...</c>: turn other tools' exports into an inventory.</summary>
internal static class ImportCommand
{
    /// <summary>The largest tool export read, in bytes.</summary>
    public const int MaxInputBytes = ImportLimits.MaxInputChars;

    /// <summary>Creates the command with one subcommand per format.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("import", "Build a host inventory from mdevctl or libvirt exports, or mark the devices a libvirt domain uses.")
        {
            ToolCommand("mdevctl-types", ImportFormat.MdevctlTypes, "the output of 'mdevctl types --dumpjson' (creatable types)", "mdevctl types --dumpjson > types.json", "types.json"),
            ToolCommand("mdevctl-list", ImportFormat.MdevctlList, "the output of 'mdevctl list --dumpjson' (mdev devices)", "mdevctl list --dumpjson > mdevs.json", "mdevs.json"),
            ToolCommand("nodedev-xml", ImportFormat.LibvirtNodeDevice, "the output of 'virsh nodedev-dumpxml' (types, mdevs, vfio-bound PCI devices)", "virsh nodedev-dumpxml pci_0000_00_02_0 > gpu.xml", "gpu.xml"),
            DomainXmlCommand.Create(),
        };
        return CommandHelp.Describe(
            command,
            [
                "migcompat import mdevctl-types types.json --host gpu-node-07",
                "migcompat import nodedev-xml gpu.xml vf1.xml --format json > inventory.json",
                "migcompat import domain-xml vm1.xml --inventory inventory.json --format json",
            ],
            CommandHelp.StandardExitCodes);
    }

    private static Command ToolCommand(string name, ImportFormat format, string what, string produce, string example)
    {
        var files = new Argument<string[]>("FILE") { Description = $"Files with {what}.", Arity = ArgumentArity.OneOrMore };
        var host = CliOptions.Host();
        var profiles = CliOptions.Profiles();
        var rules = CliOptions.Rules();
        var output = CliOptions.Format();
        var command = new Command(name, $"Import {what} into one host inventory; profiles and rule packs complete the descriptors as in a scan.")
        {
            files,
            host,
            profiles,
            rules,
            output,
        };
        command.SetAction(parseResult =>
        {
            if (!TrySplitInputs(format, parseResult.GetRequiredValue(files), out var inputs, out var usage))
            {
                parseResult.InvocationConfiguration.Error.WriteLine("migcompat import: " + usage);
                return ExitCodes.UnusableInput;
            }

            return Run(
                inputs,
                parseResult.GetValue(host) ?? Environment.MachineName,
                new DescriptorSourceDirectories(parseResult.GetValue(profiles), parseResult.GetValue(rules)),
                parseResult.GetValue(output) == CliOptions.Json,
                parseResult.InvocationConfiguration.Output,
                parseResult.InvocationConfiguration.Error);
        });
        return CommandHelp.Describe(
            command,
            [
                produce,
                $"migcompat import {name} {example}",
                $"migcompat import {name} {example} --host gpu-node-07 --format json > inventory.json",
                "migcompat import mdevctl-types types.json mdevctl-list mdevs.json --format json > inventory.json",
            ],
            [
                (ExitCodes.Success, "imported (skipped entries are listed as warnings on stderr)"),
                (ExitCodes.UnusableInput, "a file cannot be read or is not that tool's output (nothing is written to stdout)"),
                (ExitCodes.InternalError, "internal error (a bug; please report it)"),
            ]);
    }

    /// <summary>The format names that may switch the format of the files after them.</summary>
    private static readonly Dictionary<string, ImportFormat> FormatNames = new(StringComparer.Ordinal)
    {
        ["mdevctl-types"] = ImportFormat.MdevctlTypes,
        ["mdevctl-list"] = ImportFormat.MdevctlList,
        ["nodedev-xml"] = ImportFormat.LibvirtNodeDevice,
    };

    /// <summary>
    /// The files with their formats: the command's own format, switched by a format name among the
    /// arguments for the files after it (<c>mdevctl-types types.json mdevctl-list mdevs.json</c>), so one
    /// host's exports from several tools make one inventory. False (with a message) when a format name
    /// has no file after it.
    /// </summary>
    internal static bool TrySplitInputs(ImportFormat format, IReadOnlyList<string> arguments, out List<(ImportFormat Format, string File)> inputs, out string? usage)
    {
        inputs = [];
        usage = null;
        string? pendingName = null;
        foreach (var argument in arguments)
        {
            if (FormatNames.TryGetValue(argument, out var named))
            {
                if (pendingName is not null)
                {
                    usage = $"format '{pendingName}' is followed by no file; name at least one file after each format (a file literally named so: write ./{argument})";
                    return false;
                }

                format = named;
                pendingName = argument;
                continue;
            }

            inputs.Add((format, argument));
            pendingName = null;
        }

        if (pendingName is not null)
        {
            usage = $"format '{pendingName}' is followed by no file; name at least one file after each format";
            return false;
        }

        return true;
    }

    /// <summary>
    /// Imports the files into one inventory (mdev devices completed from the creatable types of the
    /// same host: <see cref="ImportedInventory.CompleteFromCreatableTypes"/>) and writes it.
    /// </summary>
    /// <param name="inputs">The files, each with its tool format.</param>
    /// <param name="host">The host name.</param>
    /// <param name="sources">The profile and rules directories given (null: the defaults, when they exist).</param>
    /// <param name="json">True for inventory JSON output.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <returns>The exit code.</returns>
    public static int Run(IReadOnlyList<(ImportFormat Format, string File)> inputs, string host, DescriptorSourceDirectories sources, bool json, TextWriter stdout, TextWriter stderr)
    {
        var takenAt = DateTimeOffset.UtcNow;
        var diagnostics = new List<Diagnostic>();
        foreach (var (given, what) in new[] { (sources.Profiles, "profiles"), (sources.Rules, "rules") })
        {
            if (given is not null && !Directory.Exists(given))
            {
                diagnostics.Add(Diagnostic.Error(CliDiagnosticCodes.NotFound, $"the {what} directory is not a directory", given, 0, 0));
            }
        }

        var parts = new List<(string, HostInventory)>();
        foreach (var (format, file) in inputs)
        {
            if (!BoundedFile.TryRead(file, MaxInputBytes, out var content, out var problem))
            {
                diagnostics.Add(problem!);
                continue;
            }

            var (inventory, found) = InventoryImporter.ImportWithDiagnostics(format, content, file, host, takenAt);
            diagnostics.AddRange(found);
            parts.Add((file, inventory));
        }

        // Profiles and rule packs complete the imported descriptors as they do in a scan; their own
        // problems are the inventory's warnings.
        var profiles = ProfileLoader.LoadDirectory(sources.Profiles ?? new SysfsScanOptions().ProfilesDirectory);
        var packs = RulePackLoader.Load(sources.Rules ?? RulePackLoader.DefaultDirectory);
        var imported = InventoryMerge.Merge(host, takenAt, parts, diagnostics).CompleteFromCreatableTypes();
        var merged = DescriptorSources.ApplyTo(imported, profiles.Profiles, packs.Packs);
        var added = profiles.Warnings.AddRange(packs.Warnings).AddRange(merged.Warnings.Skip(imported.Warnings.Length));
        merged = merged with { Warnings = imported.Warnings.AddRange(added) };
        diagnostics.AddRange(added.Select(w => Diagnostic.Warning(w.Code, w.Message, w.Path, 0, 0)));
        DiagnosticOutput.WriteLines(stderr, diagnostics);
        var errors = diagnostics.Count(d => d.IsError);
        stderr.Write($"migcompat import: {DiagnosticOutput.Count(inputs.Count, "input")}; {DiagnosticOutput.Count(errors, "error")}, {DiagnosticOutput.Count(diagnostics.Count - errors, "warning")}\n");
        if (errors > 0)
        {
            return ExitCodes.UnusableInput;
        }

        InventoryOutput.Write(stdout, merged, json);
        return ExitCodes.Success;
    }
}

/// <summary>The profile and rules directories an import was given (null: the defaults, used when they exist).</summary>
/// <param name="Profiles">The <c>--profiles</c> directory.</param>
/// <param name="Rules">The <c>--rules</c> directory.</param>
internal sealed record DescriptorSourceDirectories(string? Profiles, string? Rules);
