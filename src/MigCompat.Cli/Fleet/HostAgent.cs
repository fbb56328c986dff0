using System.Collections.Immutable;
using System.Net;
using System.Security.Cryptography;
using MigCompat.Cli.Output;
using MigCompat.Core.Model;
using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Sysfs;

namespace MigCompat.Cli.Fleet;

/// <summary>
/// <c>migcompat agent</c>: scans this host and pushes the inventory with the right generation; retries
/// with exponential backoff and jitter while the server is unreachable or failing.
/// </summary>
internal sealed class HostAgent(FleetClient client, SysfsScanOptions scan, TextWriter stderr)
{
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(2);
    /// <summary>Warnings that mean an operator's file is not used: a profile or rule pack with an error, or unreadable.</summary>
    private static readonly string[] UnusedConfigurationCodes =
        [SysfsWarningCodes.ProfileInvalid, SysfsWarningCodes.ProfileUnreadable, SysfsWarningCodes.RulePackInvalid, SysfsWarningCodes.RulePackUnreadable];

    private static readonly TimeSpan MinStartingWait = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxStartingRetryAfter = TimeSpan.FromMinutes(1);
    private long generation = -1;
    private TimeSpan? startingRetryAfter;
    private bool saidStarting;
    private ImmutableArray<InventoryWarning>? lastWarnings;

    /// <summary>How many attempts one push makes before it gives up until the next interval (or with --once, exits).</summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>
    /// How long one push waits for a server that answers 503 with <c>Retry-After</c> (it is starting:
    /// loading 100,000 hosts takes tens of seconds); such answers are not counted as failed attempts.
    /// </summary>
    public TimeSpan MaxStartingWait { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>The delay before retry number <paramref name="attempt"/> (1-based): 1 s, 2 s, 4 s... up to 2 min, each scaled by a random 50-100 %.</summary>
    public static TimeSpan RetryDelay(int attempt, double jitter) =>
        TimeSpan.FromSeconds(Math.Min(MaxRetryDelay.TotalSeconds, FirstRetryDelay.TotalSeconds * Math.Pow(2, Math.Max(0, attempt - 1))) * (0.5 + (0.5 * Math.Clamp(jitter, 0, 1))));

    public async Task<int> RunAsync(bool once, TimeSpan interval, CancellationToken cancellationToken)
    {
        while (true)
        {
            var pushed = await PushWithRetriesAsync(cancellationToken);
            if (once)
            {
                return !pushed ? FleetExitCodes.ServerFailed
                    : lastWarnings is { } warnings && warnings.Any(w => UnusedConfigurationCodes.Contains(w.Code)) ? ExitCodes.UnusableInput
                    : ExitCodes.Success;
            }

            await Task.Delay(interval, cancellationToken);
        }
    }

    /// <summary>One scan and push, retried on transient failures. True when the server stored it.</summary>
    public async Task<bool> PushWithRetriesAsync(CancellationToken cancellationToken)
    {
        var inventory = SysfsScanner.Scan(scan);
        var warnings = inventory.Warnings.IsDefault ? [] : inventory.Warnings;
        if (lastWarnings is not { } last || !ArrayEquality.Equal(warnings, last))
        {
            // Printed on the first scan and whenever they change, not every interval.
            InventoryTable.WriteWarnings(stderr, "agent", warnings);
            if (warnings.Any(w => UnusedConfigurationCodes.Contains(w.Code)))
            {
                await stderr.WriteLineAsync("agent: a profile or rule pack above is not used: the devices it describes are pushed without its descriptor (no live verdicts from it) until the file is fixed");
            }
        }

        lastWarnings = warnings;
        var json = InventoryJson.Serialize(inventory);
        var waitedForStart = TimeSpan.Zero;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var outcome = await TryPushAsync(inventory.Host, json, cancellationToken);
            if (outcome == PushOutcome.Stored)
            {
                saidStarting = false; // a later restart of the server is said again
                return true;
            }

            if (outcome == PushOutcome.Starting && startingRetryAfter is { } wait && waitedForStart + wait <= MaxStartingWait)
            {
                // The server is up and loading its hosts: wait as long as it asks, without using up an attempt.
                waitedForStart += wait;
                await Task.Delay(wait, cancellationToken);
                attempt--;
                continue;
            }

            if (outcome == PushOutcome.Permanent || attempt == MaxAttempts)
            {
                break;
            }

            var delay = RetryDelay(attempt, RandomNumberGenerator.GetInt32(0, 1001) / 1000.0);
            await stderr.WriteLineAsync($"agent: retrying in {delay.TotalSeconds:0.#} s (attempt {attempt + 1} of {MaxAttempts})");
            await Task.Delay(delay, cancellationToken);
        }

        await stderr.WriteLineAsync($"agent: the inventory of host '{inventory.Host}' was not stored this round");
        return false;
    }

    private async Task<PushOutcome> TryPushAsync(string host, string json, CancellationToken cancellationToken)
    {
        try
        {
            if (generation < 0)
            {
                var current = await client.GetAsync("/v1/hosts/" + Uri.EscapeDataString(host), cancellationToken);
                if (current.Status == HttpStatusCode.NotFound)
                {
                    generation = 0;
                }
                else if (current.IsSuccess && current.LongProperty("generation") is { } stored)
                {
                    generation = stored;
                }
                else
                {
                    return Report(current, "reading the stored generation");
                }
            }

            var response = await client.PutInventoryAsync(host, json, generation, cancellationToken);
            if (response.Status == HttpStatusCode.Conflict && response.LongProperty("currentGeneration") is { } currentGeneration)
            {
                await stderr.WriteLineAsync($"agent: host '{host}' is at generation {currentGeneration}, not {generation} (someone else wrote it); pushing again on top of it");
                generation = currentGeneration;
                response = await client.PutInventoryAsync(host, json, generation, cancellationToken);
            }

            if (response.IsSuccess && response.LongProperty("generation") is { } newGeneration)
            {
                generation = newGeneration;
                await stderr.WriteLineAsync($"agent: stored the inventory of host '{host}' (generation {newGeneration})");
                return PushOutcome.Stored;
            }

            if (response.Status == HttpStatusCode.Conflict)
            {
                generation = -1;
            }

            return Report(response, "storing the inventory");
        }
        catch (HttpRequestException e)
        {
            await stderr.WriteLineAsync($"agent: the server is unreachable ({e.Message}); is 'migcompat serve' running at that address?");
            return PushOutcome.Transient;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("agent: the server did not answer in time");
            return PushOutcome.Transient;
        }
    }

    private PushOutcome Report(FleetResponse response, string what)
    {
        if (response.Status == HttpStatusCode.ServiceUnavailable && response.RetryAfter is { } retryAfter)
        {
            startingRetryAfter = retryAfter < MinStartingWait ? MinStartingWait : retryAfter > MaxStartingRetryAfter ? MaxStartingRetryAfter : retryAfter;
            if (!saidStarting)
            {
                saidStarting = true;
                stderr.WriteLine($"agent: {what}: {response.Message}; waiting as the server asks (Retry-After), up to {MaxStartingWait.TotalMinutes:0.#} min");
            }

            return PushOutcome.Starting;
        }

        var hint = response.Status switch
        {
            HttpStatusCode.Unauthorized => " (check --token)",
            HttpStatusCode.Forbidden => " (this token may not write this host; check --host and the server's MIGCOMPAT_AGENT_TOKENS)",
            HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest => " (the inventory was refused; the previous one stays in use)",
            _ => "",
        };
        stderr.WriteLine($"agent: {what} failed: {response.Message}{hint}");
        var transient = (int)response.Status >= 500 || response.Status is HttpStatusCode.Conflict or HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;
        return transient ? PushOutcome.Transient : PushOutcome.Permanent;
    }

    private enum PushOutcome
    {
        Stored,
        Starting,
        Transient,
        Permanent,
    }
}
