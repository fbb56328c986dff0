using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using MigCompat.Cli.Fleet;
using MigCompat.Cli.Output;
using MigCompat.Discovery.Sysfs;
using MigCompat.Fleet.Storage;
using MigCompat.Server;

namespace MigCompat.Cli.Commands;

/// <summary>The fleet commands: <c>serve</c>, <c>agent</c>, <c>targets</c>, <c>demo</c> (docs/api.md).</summary>
internal static class FleetCommands
{
    /// <summary>The longest <c>serve --claim-retention</c>: about ten years.</summary>
    private const int MaxRetentionDays = 3650;

    private static readonly (int Code, string Meaning)[] ServerExitCodes =
    [
        (ExitCodes.Success, "success"),
        (ExitCodes.UnusableInput, "bad usage: a malformed option, URL, duration or token list"),
        (FleetExitCodes.ServerFailed, "the server could not be reached or started, refused the token, or answered with an error"),
        (ExitCodes.InternalError, "internal error (a bug; please report it)"),
    ];

    private static readonly (int Code, string Meaning)[] AgentExitCodes =
    [
        (ExitCodes.Success, "success (with --once: the inventory was stored)"),
        (ExitCodes.UnusableInput, "bad usage; with --once also: stored, but a profile or rule pack has an error and is not used"),
        (FleetExitCodes.ServerFailed, "the server could not be reached, refused the token, or answered with an error"),
        (ExitCodes.InternalError, "internal error (a bug; please report it)"),
    ];

    /// <summary>Creates the commands.</summary>
    /// <returns>The commands.</returns>
    internal static IEnumerable<Command> Create() => [Serve(), Agent(), Targets(), Demo()];

    private static Command Serve()
    {
        var db = new Option<string?>("--db") { Description = "The database: a SQLite file (default fleet.db, or MIGCOMPAT_DB), sqlite:PATH, postgres://user:pass@host/db or Host=...;Database=...", HelpName = "SPEC" };
        var urls = new Option<string?>("--urls") { Description = "Where to listen, ';'-separated (or MIGCOMPAT_URLS; default http://127.0.0.1:8080).", HelpName = "URLS" };
        var adminToken = new Option<string?>("--admin-token") { Description = "The admin token (or MIGCOMPAT_ADMIN_TOKEN): reads and writes everything.", HelpName = "TOKEN" };
        var readToken = new Option<string?>("--read-token") { Description = "The read token (or MIGCOMPAT_READ_TOKEN).", HelpName = "TOKEN" };
        var schedulerToken = new Option<string?>("--scheduler-token") { Description = "The scheduler token (or MIGCOMPAT_SCHEDULER_TOKEN): reads, and creates, confirms and releases claims; changes no host.", HelpName = "TOKEN" };
        var agentTokens = new Option<string?>("--agent-tokens") { Description = "Agent tokens 'host1=tok1;host2=tok2' (or MIGCOMPAT_AGENT_TOKENS): each writes only its own host.", HelpName = "LIST" };
        var openRead = new Option<bool>("--open-read") { Description = "Let reads through without a token (or MIGCOMPAT_OPEN_READ=true). Off by default." };
        var claimRetention = new Option<string>("--claim-retention")
        {
            Description = "How long released and expired claims are kept after they ended (idempotent replays of their keys work until then), then purged: 7d, 36h, 30m, 90.",
            HelpName = "DURATION",
            DefaultValueFactory = _ => "7d",
        };
        var command = new Command("serve", "Run the fleet HTTP API: host inventories, target searches and claims (docs/api.md).") { db, urls, adminToken, readToken, schedulerToken, agentTokens, openRead, claimRetention };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            if (!DurationText.TryParse(parse.GetValue(claimRetention), TimeSpan.FromDays(MaxRetentionDays), out var retention))
            {
                await stderr.WriteLineAsync($"serve: --claim-retention '{parse.GetValue(claimRetention)}' is not a duration; write e.g. 7d, 36h or 30m (at most {MaxRetentionDays} days)");
                return ExitCodes.UnusableInput;
            }

            ServerOptions options;
            try
            {
                var fromEnvironment = ServerOptions.FromConfiguration(new ConfigurationBuilder().AddEnvironmentVariables().Build());
                options = fromEnvironment with
                {
                    Database = parse.GetValue(db) ?? fromEnvironment.Database,
                    Urls = parse.GetValue(urls) ?? fromEnvironment.Urls ?? "http://127.0.0.1:8080",
                    AdminToken = parse.GetValue(adminToken) ?? fromEnvironment.AdminToken,
                    ReadToken = parse.GetValue(readToken) ?? fromEnvironment.ReadToken,
                    SchedulerToken = parse.GetValue(schedulerToken) ?? fromEnvironment.SchedulerToken,
                    AgentTokens = parse.GetValue(agentTokens) is { } list ? ServerOptions.ParseAgentTokens(list) : fromEnvironment.AgentTokens,
                    OpenRead = parse.GetValue(openRead) || fromEnvironment.OpenRead,
                    ClaimRetention = retention,
                };
                FleetStoreSpec.Parse(options.Database);
                options.Validate();
            }
            catch (Exception e) when (e is FormatException or FleetStoreException)
            {
                await stderr.WriteLineAsync("serve: " + e.Message);
                return ExitCodes.UnusableInput;
            }

            if (options.AdminToken is null)
            {
                await stderr.WriteLineAsync("serve: warning: no admin token is set (--admin-token or MIGCOMPAT_ADMIN_TOKEN); nobody but agents can write, and only the scheduler token (if set) can claim");
            }

            try
            {
                await using var app = await FleetHosting.StartAsync(options, "serve", cancellationToken);
                await stderr.WriteLineAsync($"serve: listening on {string.Join(", ", FleetHosting.Addresses(app))} with {FleetStoreSpec.Parse(options.Database)}; loading the hosts (the API answers 503 until then); Ctrl+C stops");
                try
                {
                    // A failed load ends here with its one-line message (the outer catch), like a failed open.
                    await TerminalProgress.WatchAsync(stderr, "loading hosts", () => MigCompatServer.LoadProgress(app), MigCompatServer.WhenReadyAsync(app, cancellationToken));
                    await stderr.WriteLineAsync($"serve: ready ({MigCompatServer.LoadProgress(app).Loaded} hosts)");
                    using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Lifetime.ApplicationStopping);
                    await Task.Delay(Timeout.Infinite, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    await stderr.WriteLineAsync("serve: stopping");
                }

                return ExitCodes.Success;
            }
            catch (Exception e) when (e is FleetStoreException or IOException or InvalidOperationException)
            {
                await stderr.WriteLineAsync("serve: the server could not start: " + e.Message);
                return FleetExitCodes.ServerFailed;
            }
        });
        return CommandHelp.Describe(
            command,
            [
                "MIGCOMPAT_ADMIN_TOKEN=s3cret migcompat serve --db /var/lib/migcompat/fleet.db",
                "migcompat serve --db postgres://migcompat:pw@db1/fleet --urls http://0.0.0.0:8080 --agent-tokens 'gpu-01=t1;gpu-02=t2'",
            ],
            ServerExitCodes);
    }

    private static Command Agent()
    {
        var server = new Option<string?>("--server") { Description = "The fleet server's base URL (or MIGCOMPAT_SERVER).", HelpName = "URL" };
        var agentToken = new Option<string?>("--token") { Description = "This host's agent token, or the admin token (or MIGCOMPAT_AGENT_TOKEN, which keeps it out of the process list).", HelpName = "TOKEN" };
        var interval = new Option<string>("--interval") { Description = "Time between scans: 90, 30s, 5m, 1h.", HelpName = "DURATION", DefaultValueFactory = _ => "60s" };
        var once = new Option<bool>("--once") { Description = "Scan and push once, then exit (0 when stored)." };
        var sysfsRoot = new Option<string>("--sysfs-root") { Description = "The sysfs tree to read; never written to.", HelpName = "DIR", DefaultValueFactory = _ => "/sys" };
        var profiles = new Option<string?>("--profiles") { Description = "Directory of *.profile files (default /etc/migcompat/profiles.d when it exists).", HelpName = "DIR" };
        var procRoot = new Option<string?>("--proc-root") { Description = "The procfs tree whose open VFIO files say which devices VMs use now (default /proc). In a container: the host PID namespace, or the host's /proc mounted and named here.", HelpName = "DIR" };
        var attempts = new Option<int>("--attempts") { Description = "Attempts per push while the server is down or failing (1-20; backoff 1 s, 2 s, 4 s... between them).", HelpName = "N", DefaultValueFactory = _ => 6 };
        var host = new Option<string?>("--host") { Description = "The host name to report (default: this machine's name).", HelpName = "NAME" };
        var nvml = CliOptions.Nvml();
        var rules = CliOptions.Rules();
        var labels = CliOptions.Labels();
        var command = new Command("agent", "Scan this host's assigned devices and push the inventory to the fleet server, now and every interval; retries with backoff while the server is down.")
        {
            server, agentToken, interval, once, attempts, sysfsRoot, profiles, rules, procRoot, nvml, host, labels,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            var token = parse.GetValue(agentToken) ?? Environment.GetEnvironmentVariable("MIGCOMPAT_AGENT_TOKEN");
            if (string.IsNullOrEmpty(token))
            {
                await stderr.WriteLineAsync("agent: no token; give --token or set MIGCOMPAT_AGENT_TOKEN (this host's agent token)");
                return ExitCodes.UnusableInput;
            }

            if (!TryServer(parse.GetValue(server) ?? Environment.GetEnvironmentVariable("MIGCOMPAT_SERVER"), stderr, out var url))
            {
                return ExitCodes.UnusableInput;
            }

            if (!DurationText.TryParse(parse.GetValue(interval), out var every))
            {
                await stderr.WriteLineAsync($"agent: --interval '{parse.GetValue(interval)}' is not a duration; write e.g. 60s, 5m or 1h");
                return ExitCodes.UnusableInput;
            }

            if (parse.GetValue(attempts) is < 1 or > 20)
            {
                await stderr.WriteLineAsync($"agent: --attempts {parse.GetValue(attempts)} is out of range; give 1 to 20");
                return ExitCodes.UnusableInput;
            }

            if (CliOptions.ParseLabels("agent", parse.GetValue(labels), stderr) is not { } given)
            {
                return ExitCodes.UnusableInput;
            }

            var scan = new SysfsScanOptions
            {
                Labels = given,
                SysfsRoot = parse.GetRequiredValue(sysfsRoot),
                ProfilesDirectory = parse.GetValue(profiles) ?? new SysfsScanOptions().ProfilesDirectory,
                RulesDirectory = parse.GetValue(rules) ?? new SysfsScanOptions().RulesDirectory,
                ProcRoot = parse.GetValue(procRoot) ?? SysfsScanOptions.DefaultProcRoot,
                NvmlLibrary = CliOptions.NvmlLibrary(parse.GetValue(nvml)),
                HostName = parse.GetValue(host) ?? Environment.MachineName,
            };
            // The server refuses such a name on every push; say so now rather than retry for ever.
            if (MigCompat.Server.Http.HostNames.Problem(scan.HostName, "the host name") is { } badHost)
            {
                await stderr.WriteLineAsync($"agent: {badHost}; give --host NAME");
                return ExitCodes.UnusableInput;
            }

            using var client = new FleetClient(url, token);
            try
            {
                return await new HostAgent(client, scan, stderr) { MaxAttempts = parse.GetValue(attempts) }.RunAsync(parse.GetValue(once), every, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await stderr.WriteLineAsync("agent: stopping");
                return ExitCodes.Success;
            }
        });
        return CommandHelp.Describe(
            command,
            [
                "migcompat agent --server http://fleet:8080 --token $AGENT_TOKEN",
                "migcompat agent --server http://127.0.0.1:8080 --token t1 --once --sysfs-root ./sys-copy --host gpu-01",
                "migcompat agent --server http://fleet:8080 --token $AGENT_TOKEN --once --attempts 1",
            ],
            AgentExitCodes);
    }

    private static Command Targets()
    {
        var server = new Option<string?>("--server") { Description = "The fleet server's base URL (or MIGCOMPAT_SERVER).", HelpName = "URL" };
        var host = new Option<string?>("--from") { Description = "The host the VM runs on now: its devices are looked up there, and it is never a target (optional when every device is a --descriptor, and with --vm).", HelpName = "HOST" };
        var vm = new Option<string?>("--vm") { Description = "The VM by name or UUID, as the hosts' inventories list it (migcompat vms list): its devices and its host are looked up. With --from, only that host is looked at (for a name two hosts list).", HelpName = "NAME|UUID" };
        var devices = new Option<string[]>("--device") { Description = "A device of the VM by its id in the --from host's inventory (mdev UUID or PCI address); repeat for several.", HelpName = "ID", AllowMultipleArgumentsPerToken = true };
        var domainXml = new Option<string?>("--domain-xml") { Description = "The VM's libvirt domain XML (virsh dumpxml): every mdev and PCI host device it is assigned, by id on the --from host.", HelpName = "FILE" };
        var descriptors = new Option<string[]>("--descriptor") { Description = "A device of the VM as a descriptor (a file, a per-attribute directory or FILE#ID, as check reads); repeat for several.", HelpName = "FILE", AllowMultipleArgumentsPerToken = true };
        var token = new Option<string?>("--token") { Description = "The read or admin token (or MIGCOMPAT_TOKEN).", HelpName = "TOKEN" };
        var limit = new Option<int>("--limit") { Description = "How many candidates to list (1-100).", DefaultValueFactory = _ => 10 };
        var format = CliOptions.Format();
        var explain = new Option<string?>("--explain") { Description = "Explain one host in full: every device's verdict against every resource there, free units, drain, evidence. The exit code then answers for that host.", HelpName = "HOST" };
        var rejected = new Option<int>("--rejected") { Description = "How many hosts not chosen to list with their reasons (0-1000).", HelpName = "N", DefaultValueFactory = _ => 20 };
        var liveOnly = new Option<bool>("--live-only") { Description = "Only hosts that take every device live; cold moves count as not chosen." };
        var command = new Command("targets", "Ask the fleet server which hosts can take a VM's devices, ranked, and why every other host cannot.") { server, vm, host, devices, domainXml, descriptors, token, limit, liveOnly, rejected, explain, format };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            if (!TryServer(parse.GetValue(server) ?? Environment.GetEnvironmentVariable("MIGCOMPAT_SERVER"), stderr, out var url))
            {
                return ExitCodes.UnusableInput;
            }

            var ids = parse.GetValue(devices) ?? [];
            var vmName = parse.GetValue(vm);
            if (vmName is not null && (ids.Length > 0 || parse.GetValue(domainXml) is not null || parse.GetValue(descriptors) is { Length: > 0 }))
            {
                await stderr.WriteLineAsync("targets: --vm looks the VM's devices up; give it alone, or name the devices with --device, --domain-xml or --descriptor instead");
                return ExitCodes.UnusableInput;
            }

            if (vmName is not null && string.IsNullOrWhiteSpace(vmName))
            {
                await stderr.WriteLineAsync("targets: --vm is empty; give the VM's name or UUID");
                return ExitCodes.UnusableInput;
            }

            // With --vm the server looks the VM's devices up; none go with the query.
            var vmDevices = vmName is null ? TargetsInput.Devices(ids, parse.GetValue(domainXml), parse.GetValue(descriptors) ?? [], stderr) : null;
            if (vmName is null && vmDevices is null)
            {
                return ExitCodes.UnusableInput;
            }

            if (vmName is null && parse.GetValue(host) is null && (ids.Length > 0 || parse.GetValue(domainXml) is not null))
            {
                await stderr.WriteLineAsync("targets: --device and --domain-xml name devices on the VM's current host; give it with --from HOST");
                return ExitCodes.UnusableInput;
            }

            using var client = new FleetClient(url, parse.GetValue(token) ?? Environment.GetEnvironmentVariable("MIGCOMPAT_TOKEN"));
            var body = new
            {
                sourceHost = parse.GetValue(host) ?? string.Empty,
                vm = vmName,
                devices = vmDevices,
                limit = parse.GetValue(limit),
                includeCold = !parse.GetValue(liveOnly),
                maxRejected = parse.GetValue(rejected),
                explainHost = parse.GetValue(explain),
            };
            var (answer, exitCode) = await FleetClient.CallAsync("targets", url, () => client.PostJsonAsync("/v1/migrations/targets", body, cancellationToken), stderr, cancellationToken);
            if (answer?.Json is not { } json)
            {
                return exitCode;
            }

            if (parse.GetValue(format) == CliOptions.Json)
            {
                await stdout.WriteLineAsync(answer.Text);
            }
            else
            {
                TargetsReport.Write(json, stdout);
            }

            return (parse.GetValue(explain) is null ? TargetsReport.CandidateCount(json) > 0 : TargetsReport.ExplainedHostTakesTheVm(json))
                ? ExitCodes.Success
                : FleetExitCodes.NoTarget;
        });
        return CommandHelp.Describe(
            command,
            [
                "migcompat targets --server http://fleet:8080 --token $READ_TOKEN --vm vm-web-01",
                "migcompat targets --server http://fleet:8080 --vm 6e0e2f1c-1111-4c5e-9a3b-0d1f2e3a4b5c --explain gpu-07 --live-only",
                "migcompat targets --server http://fleet:8080 --token $READ_TOKEN --from gpu-01 --device 53764d0e-85a0-42b4-af5c-2046b460b1dc",
                "migcompat targets --server http://fleet:8080 --from gpu-01 --device 0000:3b:00.2 --device 0000:3b:00.3 --format json",
                "migcompat targets --server http://fleet:8080 --from gpu-01 --device 0000:3b:00.2 --explain gpu-07 --live-only",
                "migcompat targets --server http://fleet:8080 --from gpu-01 --domain-xml vm-42.xml",
                "migcompat targets --server http://fleet:8080 --descriptor vgpu.desc",
            ],
            [
                (ExitCodes.Success, "at least one host can take the devices"),
                (FleetExitCodes.NoTarget, "no host can take the devices (the reasons are listed); with --explain: that host cannot"),
                (ExitCodes.UnusableInput, "bad usage, or the server refused the query (unknown host, device id or VM; a VM name two hosts list)"),
                (FleetExitCodes.ServerFailed, "the server could not be reached, refused the token, or failed"),
                (ExitCodes.InternalError, "internal error (a bug; please report it)"),
            ]);
    }

    private static Command Demo()
    {
        var once = new Option<bool>("--once") { Description = "Print the demo output and exit instead of serving until Ctrl+C." };
        var db = new Option<string?>("--db") { Description = "The database (default: a temporary SQLite file, deleted on exit).", HelpName = "SPEC" };
        var hosts = new Option<int>("--hosts") { Description = "How many generated hosts (1-100000).", DefaultValueFactory = _ => 200 };
        var port = new Option<int>("--port") { Description = "The port on 127.0.0.1 (0: any free port).", DefaultValueFactory = _ => 8080 };
        var command = new Command("demo", "Serve a generated fleet on 127.0.0.1, show how to query it, and run one real targets query.") { once, db, hosts, port };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            var count = parse.GetValue(hosts);
            var portNumber = parse.GetValue(port);
            if (count is < 1 or > 100_000 || portNumber is < 0 or > 65535)
            {
                await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"demo: --hosts must be 1..100000 and --port 0..65535 (got {count}, {portNumber})"));
                return ExitCodes.UnusableInput;
            }

            try
            {
                return await DemoRunner.RunAsync(parse.GetValue(db), count, portNumber, parse.GetValue(once), parse.InvocationConfiguration.Output, stderr, cancellationToken);
            }
            catch (Exception e) when (e is FleetStoreException or IOException or HttpRequestException or InvalidOperationException)
            {
                await stderr.WriteLineAsync("demo: " + e.Message);
                return FleetExitCodes.ServerFailed;
            }
        });
        return CommandHelp.Describe(command, ["migcompat demo", "migcompat demo --once --hosts 50 --port 0"], ServerExitCodes);
    }

    /// <summary>The fleet server URL from --server or MIGCOMPAT_SERVER; false after saying on stderr why there is none.</summary>
    internal static bool TryServer(string? text, TextWriter stderr, out Uri url)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out url!) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
        {
            return true;
        }

        stderr.WriteLine(string.IsNullOrEmpty(text)
            ? "no fleet server: give --server URL or set MIGCOMPAT_SERVER, e.g. http://fleet.example:8080"
            : $"--server '{text}' is not an http:// or https:// URL, e.g. http://fleet.example:8080");
        return false;
    }
}
