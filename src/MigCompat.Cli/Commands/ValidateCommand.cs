using System.Collections.Immutable;
using System.CommandLine;
using MigCompat.Cli.Input;
using MigCompat.Cli.Output;
using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Cli.Commands;

/// <summary><c>migcompat validate FILE...</c>: check descriptors (and inventory files) and report every diagnostic.</summary>
internal static class ValidateCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "Descriptor files, per-attribute directories, INVENTORY.json#ID references, or whole inventory files (*.json: the inventory and every descriptor in it).",
            Arity = ArgumentArity.OneOrMore,
        };
        var format = CliOptions.Format();
        var command = new Command("validate", "Check descriptors and print every error and warning as FILE:LINE:COLUMN: error|warning CODE: message on stderr.")
        {
            files,
            format,
        };
        command.SetAction(parseResult => Run(
            parseResult.GetRequiredValue(files),
            parseResult.GetValue(format) == CliOptions.Json,
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return CommandHelp.Describe(
            command,
            [
                "migcompat validate docs/examples/*.desc",
                "migcompat validate inventory.json",
                "migcompat validate target.desc --format json   # diagnostics as a JSON array on stdout",
            ],
            [
                (ExitCodes.Success, "every input is valid (warnings allowed)"),
                (ExitCodes.UnusableInput, "at least one input has an error or cannot be read"),
                (ExitCodes.InternalError, "internal error (a bug; please report it)"),
            ]);
    }

    /// <summary>Validates the inputs.</summary>
    /// <param name="arguments">The inputs.</param>
    /// <param name="json">True to also write the diagnostics as a JSON array on stdout.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <returns>The exit code.</returns>
    public static int Run(IReadOnlyList<string> arguments, bool json, TextWriter stdout, TextWriter stderr)
    {
        var all = new List<Diagnostic>();
        var invalid = 0;
        foreach (var argument in arguments)
        {
            var diagnostics = Validate(argument);
            all.AddRange(diagnostics);
            if (diagnostics.Any(d => d.IsError))
            {
                invalid++;
            }
        }

        DiagnosticOutput.WriteLines(stderr, all);
        var errors = all.Count(d => d.IsError);
        var warnings = all.Count - errors;
        stderr.Write($"migcompat validate: {DiagnosticOutput.Count(arguments.Count, "input")}, {arguments.Count - invalid} valid; {DiagnosticOutput.Count(errors, "error")}, {DiagnosticOutput.Count(warnings, "warning")}\n");
        if (json)
        {
            JsonOutput.Write(stdout, writer =>
            {
                writer.WriteStartArray();
                foreach (var diagnostic in all)
                {
                    DiagnosticOutput.WriteJson(writer, diagnostic);
                }

                writer.WriteEndArray();
            });
        }

        return invalid == 0 ? ExitCodes.Success : ExitCodes.UnusableInput;
    }

    private static ImmutableArray<Diagnostic> Validate(string argument)
    {
        var isInventory = argument.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && File.Exists(argument);
        return isInventory ? ValidateInventory(argument) : DescriptorInput.Load(argument).Diagnostics;
    }

    private static ImmutableArray<Diagnostic> ValidateInventory(string path)
    {
        var read = InventoryInput.Read(path);
        if (read.Inventory is null)
        {
            return read.Diagnostics;
        }

        var diagnostics = read.Diagnostics.ToBuilder();
        var descriptors = read.Inventory.Devices.Select(d => (Id: d.Id, Fields: d.Descriptor))
            .Concat(read.Inventory.CreatableTypes.Select(t => (Id: t.Parent + "/" + t.TypeId, Fields: t.Descriptor)));
        foreach (var (id, fields) in descriptors)
        {
            var result = fields.Parse(path + "#" + id);
            diagnostics.AddRange(result.Diagnostics);
        }

        return diagnostics.ToImmutable();
    }
}
