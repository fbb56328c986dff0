using System.CommandLine;
using MigCompat.Cli.Input;
using MigCompat.Cli.Output;
using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Importers;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Cli.Commands;

/// <summary>
/// <c>migcompat import domain-xml FILE... [--inventory INVENTORY.json]</c>: list the VFIO devices
/// libvirt domains use, or mark them in use in an inventory.
/// </summary>
internal static class DomainXmlCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var files = new Argument<string[]>("FILE") { Description = "Files with the output of 'virsh dumpxml DOMAIN' (one domain each).", Arity = ArgumentArity.OneOrMore };
        var inventory = new Option<string?>("--inventory")
        {
            Description = "An inventory file of the host the domains run on: write it back with the domains' devices marked in_use=true.",
            HelpName = "FILE",
        };
        var output = CliOptions.Format();
        var command = new Command("domain-xml", "List the mdevs and PCI devices libvirt domains are assigned; with --inventory, mark them in use there.")
        {
            files,
            inventory,
            output,
        };
        command.SetAction(parseResult => Run(
            parseResult.GetRequiredValue(files),
            parseResult.GetValue(inventory),
            parseResult.GetValue(output) == CliOptions.Json,
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return CommandHelp.Describe(
            command,
            [
                "virsh dumpxml vm1 > vm1.xml",
                "migcompat import domain-xml vm1.xml vm2.xml",
                "migcompat import domain-xml vm1.xml --inventory inventory.json --format json > inventory-in-use.json",
            ],
            [
                (ExitCodes.Success, "read (skipped host devices are listed as warnings on stderr)"),
                (ExitCodes.UnusableInput, "a file cannot be read, is not a domain XML, or the inventory is invalid (nothing is written to stdout)"),
                (ExitCodes.InternalError, "internal error (a bug; please report it)"),
            ]);
    }

    /// <summary>Reads the domains and writes what they use (or the marked inventory).</summary>
    /// <param name="files">The domain XML files.</param>
    /// <param name="inventoryPath">The inventory to mark, or null.</param>
    /// <param name="json">True for JSON output.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <returns>The exit code.</returns>
    public static int Run(IReadOnlyList<string> files, string? inventoryPath, bool json, TextWriter stdout, TextWriter stderr)
    {
        var diagnostics = new List<Diagnostic>();
        var domains = new List<DomainAssignedDevices>();
        foreach (var file in files)
        {
            if (!BoundedFile.TryRead(file, ImportCommand.MaxInputBytes, out var content, out var problem))
            {
                diagnostics.Add(problem!);
                continue;
            }

            var read = LibvirtDomainReader.Read(content, file);
            diagnostics.AddRange(read.Diagnostics);
            if (read.Devices is not null)
            {
                domains.Add(read.Devices);
            }
        }

        HostInventory? inventory = null;
        if (inventoryPath is not null)
        {
            var read = InventoryInput.Read(inventoryPath);
            diagnostics.AddRange(read.Diagnostics);
            inventory = read.Inventory;
            foreach (var domain in inventory is null ? [] : domains)
            {
                inventory = inventory!.MarkInUse(domain, out var notFound);
                diagnostics.AddRange(notFound.Select(id => Diagnostic.Warning(CliDiagnosticCodes.AssignedDeviceNotFound, $"domain {domain.DomainName} uses {id}, which is not in this inventory", inventoryPath, 0, 0)));
            }
        }

        DiagnosticOutput.WriteLines(stderr, diagnostics);
        var errors = diagnostics.Count(d => d.IsError);
        stderr.Write($"migcompat import: {DiagnosticOutput.Count(files.Count, "input")}; {DiagnosticOutput.Count(errors, "error")}, {DiagnosticOutput.Count(diagnostics.Count - errors, "warning")}\n");
        if (errors > 0)
        {
            return ExitCodes.UnusableInput;
        }

        if (inventory is not null)
        {
            InventoryOutput.Write(stdout, inventory, json);
        }
        else if (json)
        {
            JsonOutput.Write(stdout, writer => WriteDomainsJson(writer, domains));
        }
        else
        {
            WriteDomainsTable(stdout, domains);
        }

        return ExitCodes.Success;
    }

    private static void WriteDomainsJson(System.Text.Json.Utf8JsonWriter writer, List<DomainAssignedDevices> domains)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("domains");
        foreach (var domain in domains)
        {
            writer.WriteStartObject();
            writer.WriteString("name", domain.DomainName);
            writer.WriteStartArray("mdev_uuids");
            foreach (var uuid in domain.MdevUuids)
            {
                writer.WriteStringValue(uuid);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("pci_addresses");
            foreach (var address in domain.PciAddresses)
            {
                writer.WriteStringValue(address);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteDomainsTable(TextWriter stdout, List<DomainAssignedDevices> domains)
    {
        var table = new TextTable("DOMAIN", "KIND", "ID");
        foreach (var domain in domains)
        {
            foreach (var uuid in domain.MdevUuids)
            {
                table.Add(domain.DomainName, "mdev", uuid);
            }

            foreach (var address in domain.PciAddresses)
            {
                table.Add(domain.DomainName, "pci", address);
            }
        }

        if (table.Count == 0)
        {
            stdout.Write("No VFIO devices are assigned to these domains.\n");
            return;
        }

        table.Write(stdout);
    }
}
