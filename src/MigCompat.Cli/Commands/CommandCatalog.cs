using System.CommandLine;

namespace MigCompat.Cli.Commands;

/// <summary>
/// Builds the <c>migcompat</c> root command from a list of command factories. Each factory returns
/// one or more top-level commands; a new group of commands is one more entry in <see cref="Factories"/>.
/// </summary>
internal static class CommandCatalog
{
    /// <summary>The root command's description (the first line of <c>migcompat --help</c>).</summary>
    public const string Description =
        "migcompat: can this VM's assigned VFIO devices (mdev vGPUs, vfio-ccw, vfio-ap, SR-IOV VFs, vfio-pci variant devices) live-migrate to that host, and if not, why?";

    /// <summary>The command factories, in the order their commands appear in <c>--help</c>.</summary>
    private static IEnumerable<Func<IEnumerable<Command>>> Factories =>
    [
        LanguageCommands,
        DiscoveryCommands,
        //// FLEET COMMANDS (serve, agent, targets, demo), owned by the fleet engineer in FleetCommands.cs:
        FleetCommands.Create,
        FleetAdminCommands.Create,
        LibvirtCommands.Create,
        PublishingCommands,
        PlanCommands.Create,
    ];

    /// <summary>Creates the root command with every command, <c>--help</c> (with examples and exit codes) and <c>--version</c>.</summary>
    /// <returns>The root command.</returns>
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand(Description);
        foreach (var factory in Factories)
        {
            foreach (var command in factory())
            {
                root.Subcommands.Add(command);
            }
        }

        CommandHelp.Describe(
            root,
            [
                "migcompat check source.desc target.desc",
                "migcompat validate docs/examples/*.desc",
                "migcompat format target.desc",
                "migcompat scan --format json > inventory.json",
                "migcompat import mdevctl-types types.json --host gpu-node-07",
                "migcompat COMMAND --help",
            ],
            [
                (ExitCodes.Success, "success (check: live-compatible)"),
                (ExitCodes.NotCompatible, "check: not live-compatible (cold or none)"),
                (ExitCodes.UnusableInput, "unusable input: unreadable file, syntax error, unknown id, bad usage"),
                (ExitCodes.InternalError, "internal error (a bug; please report it)"),
            ]);
        CommandHelp.Install(root);
        return root;
    }

    /// <summary>The descriptor-language commands: check, validate, format.</summary>
    /// <returns>The commands.</returns>
    private static IEnumerable<Command> LanguageCommands() => [CheckCommand.Create(), ValidateCommand.Create(), FormatCommand.Create()];

    /// <summary>The publishers: placement (OpenStack Placement traits), export (KubeVirt node labels and migrations, DRA ResourceSlices).</summary>
    /// <returns>The commands.</returns>
    private static IEnumerable<Command> PublishingCommands() => [PlacementCommand.Create(), ExportCommand.Create()];

    /// <summary>The discovery commands: scan, import, rules.</summary>
    /// <returns>The commands.</returns>
    private static IEnumerable<Command> DiscoveryCommands() => [ScanCommand.Create(), ImportCommand.Create(), RulesCommand.Create()];
}
