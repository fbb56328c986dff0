using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MigCompat.Cli.Fleet;
using MigCompat.Cli.Output;
using MigCompat.Cli.Publishing;
using MigCompat.Placement;

namespace MigCompat.Cli.Commands;

/// <summary>
/// <c>migcompat placement sync</c>: publishes, as traits on Nova's pGPU resource providers in OpenStack Placement,
/// which source classes each pGPU accepts live (docs/integrations-openstack.md).
/// </summary>
internal static class PlacementCommand
{
    /// <summary>Some planned pGPU had no provider in Placement (the others were synced).</summary>
    public const int SomeWithoutProvider = 1;

    /// <summary>The token sent when none is given: Placement's <c>noauth2</c> mode takes it as an admin.</summary>
    private const string NoAuthToken = "admin";

    /// <summary>Creates the command.</summary>
    /// <returns>The <c>placement</c> command with <c>sync</c>.</returns>
    public static Command Create()
    {
        var command = new Command("placement", "Publish to OpenStack Placement which pGPUs accept which source classes live (traits CUSTOM_MIGCOMPAT_LIVE_*).");
        command.Subcommands.Add(Sync());
        return command;
    }

    private static Command Sync()
    {
        var server = new Option<string?>("--server") { Description = "The fleet server's base URL (or MIGCOMPAT_SERVER).", HelpName = "URL" };
        var token = new Option<string?>("--token") { Description = "The fleet server's read token (or MIGCOMPAT_TOKEN).", HelpName = "TOKEN" };
        var placement = new Option<string?>("--placement") { Description = "Placement's endpoint URL (or MIGCOMPAT_PLACEMENT_URL), e.g. http://controller:8778.", HelpName = "URL" };
        var placementToken = new Option<string?>("--placement-token") { Description = "The Keystone token for Placement, sent as X-Auth-Token (or MIGCOMPAT_PLACEMENT_TOKEN, else OS_TOKEN; else admin, what auth_strategy = noauth2 takes; '' sends none).", HelpName = "TOKEN" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Read Placement and show what would change; write nothing." };
        var prune = new Option<bool>("--prune") { Description = "Also delete CUSTOM_MIGCOMPAT_LIVE_* traits no provider has any more (of classes that are gone)." };
        var format = CliOptions.Format();
        var command = new Command("sync", "Set on each pGPU provider the traits of the source classes it accepts live; replaces only MigCompat's own traits, keeps Nova's and others'; idempotent; retries on concurrent changes (409).")
        {
            server, token, placement, placementToken, dryRun, prune, format,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var endpointText = parse.GetValue(placement) ?? Environment.GetEnvironmentVariable("MIGCOMPAT_PLACEMENT_URL");
            if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
            {
                await stderr.WriteLineAsync(endpointText is null
                    ? "placement sync: no Placement endpoint; give --placement http://controller:8778 or set MIGCOMPAT_PLACEMENT_URL (openstack endpoint list --service placement shows it)"
                    : $"placement sync: --placement '{endpointText}' is not an http:// or https:// URL, e.g. http://controller:8778");
                return ExitCodes.UnusableInput;
            }

            var (report, exitCode) = await SourceClassesSource.FetchAsync("placement sync", parse.GetValue(server), parse.GetValue(token), stderr, cancellationToken);
            if (report is null)
            {
                return exitCode;
            }

            var plan = PlacementPlan.From(report);
            // Without any token, "admin": what Placement's noauth2 mode expects (labs, tests); Keystone refuses it (401, said in words).
            // An empty token sends no X-Auth-Token at all.
            using var client = new PlacementClient(endpoint, parse.GetValue(placementToken) ?? Environment.GetEnvironmentVariable("MIGCOMPAT_PLACEMENT_TOKEN") ?? Environment.GetEnvironmentVariable("OS_TOKEN") ?? NoAuthToken);
            PlacementSyncResult result;
            try
            {
                result = await new PlacementSync(client).RunAsync(plan, parse.GetValue(dryRun), parse.GetValue(prune), cancellationToken);
            }
            catch (PlacementException e)
            {
                await stderr.WriteLineAsync("placement sync: " + e.Message);
                return FleetExitCodes.ServerFailed;
            }

            if (parse.GetValue(format) == CliOptions.Json)
            {
                JsonOutput.Write(stdout, writer => JsonSerializer.Serialize(writer, Projection(result)));
            }
            else
            {
                WriteTable(result, stdout);
            }

            return await Summarize(result, plan, stderr);
        });
        return CommandHelp.Describe(
            command,
            [
                "migcompat placement sync --server http://fleet:8080 --token $READ_TOKEN --placement http://controller:8778 --placement-token $OS_TOKEN",
                "migcompat placement sync --placement http://127.0.0.1:8778 --placement-token admin --dry-run",
                "migcompat placement sync --placement http://controller:8778 --prune --format json",
            ],
            [
                (ExitCodes.Success, "every pGPU provider has its traits (or, with --dry-run, would have)"),
                (SomeWithoutProvider, "some pGPU or host has no provider in Placement (listed on stderr); the others were synced"),
                (ExitCodes.UnusableInput, "bad usage"),
                (FleetExitCodes.ServerFailed, "the fleet server or Placement could not be reached, refused the token, failed, or kept changing a provider (409 every attempt)"),
                (ExitCodes.InternalError, "internal error (a bug; please report it)"),
            ]);
    }

    private static async Task<int> Summarize(PlacementSyncResult result, PlacementPlan plan, TextWriter stderr)
    {
        foreach (var host in result.Providers.Where(p => p.Status == ProviderSyncStatus.NoComputeNode).Select(p => p.Host).Distinct())
        {
            await stderr.WriteLineAsync($"placement sync: host {host} has no compute node provider named '{host}' in Placement; its pGPUs were skipped (the MigCompat host name must be Nova's hypervisor_hostname: openstack hypervisor list)");
        }

        foreach (var provider in result.Providers.Where(p => p.Status == ProviderSyncStatus.NoProvider))
        {
            await stderr.WriteLineAsync($"placement sync: host {provider.Host}: no provider named '{provider.Provider}' (is the pGPU enabled for vGPUs in nova.conf [devices] enabled_mdev_types?); skipped");
        }

        foreach (var provider in result.Providers.Where(p => p.Status == ProviderSyncStatus.Conflict))
        {
            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"placement sync: {provider.Provider} changed under every one of {provider.Attempts} attempts (HTTP 409); its traits were not written; run the sync again"));
        }

        var count = (ProviderSyncStatus status) => result.Providers.Count(p => p.Status == status);
        await stderr.WriteLineAsync(result.DryRun
            ? string.Create(CultureInfo.InvariantCulture, $"placement sync (dry run): {plan.Providers.Length} pGPU provider(s) planned: {count(ProviderSyncStatus.WouldUpdate)} would change, {count(ProviderSyncStatus.Unchanged)} unchanged; {result.TraitsToCreate.Length} trait(s) to create; nothing written")
            : string.Create(CultureInfo.InvariantCulture, $"placement sync: {plan.Providers.Length} pGPU provider(s) planned: {count(ProviderSyncStatus.Updated)} updated, {count(ProviderSyncStatus.Unchanged)} unchanged; {result.TraitsCreated.Length} trait(s) created, {result.TraitsDeleted.Length} deleted; {result.Writes} write(s)"));
        return count(ProviderSyncStatus.Conflict) > 0 ? FleetExitCodes.ServerFailed
            : count(ProviderSyncStatus.NoProvider) + count(ProviderSyncStatus.NoComputeNode) > 0 ? SomeWithoutProvider
            : ExitCodes.Success;
    }

    private static void WriteTable(PlacementSyncResult result, TextWriter output)
    {
        var table = new TextTable("HOST", "PROVIDER", "STATUS", "ADDED", "REMOVED");
        foreach (var provider in result.Providers)
        {
            table.Add(provider.Host, provider.Provider, StatusName(provider.Status), Count(provider.Added.Length), Count(provider.Removed.Length));
        }

        if (table.Count == 0)
        {
            output.WriteLine("No pGPU resources in the fleet: nothing to publish.");
            return;
        }

        table.Write(output);
    }

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string StatusName(ProviderSyncStatus status) => status switch
    {
        ProviderSyncStatus.Updated => "updated",
        ProviderSyncStatus.Unchanged => "unchanged",
        ProviderSyncStatus.WouldUpdate => "would-update",
        ProviderSyncStatus.NoProvider => "no-provider",
        ProviderSyncStatus.NoComputeNode => "no-compute-node",
        _ => "conflict",
    };

    private static object Projection(PlacementSyncResult result) =>
        new
        {
            dryRun = result.DryRun,
            writes = result.Writes,
            traitsCreated = result.TraitsCreated,
            traitsToCreate = result.TraitsToCreate,
            traitsDeleted = result.TraitsDeleted,
            providers = result.Providers.Select(p => new { host = p.Host, provider = p.Provider, uuid = p.Uuid, status = StatusName(p.Status), added = p.Added, removed = p.Removed, attempts = p.Attempts }),
        };
}
