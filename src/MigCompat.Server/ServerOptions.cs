using System.Collections.Immutable;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using MigCompat.Fleet.Service;

namespace MigCompat.Server;

/// <summary>The fleet server's settings. <see cref="FromConfiguration"/> reads them from configuration and the <c>MIGCOMPAT_*</c> environment variables.</summary>
public sealed record ServerOptions
{
    /// <summary>The largest inventory body <c>PUT /v1/hosts/{name}</c> accepts: 8 MiB.</summary>
    public const int DefaultMaxInventoryBytes = 8 * 1024 * 1024;

    /// <summary>The largest body any other endpoint accepts: 64 KiB.</summary>
    public const int DefaultMaxRequestBytes = 64 * 1024;

    /// <summary>
    /// The fleet service's own settings (database, refresh and sweep intervals, claim retention, clock),
    /// handed to <see cref="FleetService"/> as they are; the server adds its logger. <see cref="Database"/>,
    /// <see cref="RefreshInterval"/>, <see cref="ExpirySweepInterval"/>, <see cref="ClaimRetention"/> and
    /// <see cref="TimeProvider"/> read and set these (in an initializer, set them after <see cref="Fleet"/>).
    /// </summary>
    public FleetServiceOptions Fleet { get; init; } = new();

    /// <summary>The database spec (<c>MIGCOMPAT_DB</c>): <c>sqlite:PATH</c>, a file path, <c>postgres://...</c> or <c>Host=...</c>; <see cref="FleetServiceOptions.Database"/>.</summary>
    public string Database
    {
        get => Fleet.Database;
        init => Fleet = Fleet with { Database = value };
    }

    /// <summary>The addresses to listen on (e.g. <c>http://127.0.0.1:8080</c>, several separated by <c>;</c>); null leaves the host's default.</summary>
    public string? Urls { get; init; }

    /// <summary>The admin token (<c>MIGCOMPAT_ADMIN_TOKEN</c>): may read and write everything. Null: nobody is admin.</summary>
    public string? AdminToken { get; init; }

    /// <summary>The read token (<c>MIGCOMPAT_READ_TOKEN</c>): may read everything, write nothing.</summary>
    public string? ReadToken { get; init; }

    /// <summary>
    /// The scheduler token (<c>MIGCOMPAT_SCHEDULER_TOKEN</c>): may read everything and create, confirm
    /// and release claims — what a migration orchestrator needs — but not write, drain or delete hosts.
    /// </summary>
    public string? SchedulerToken { get; init; }

    /// <summary>Agent tokens by host name (<c>MIGCOMPAT_AGENT_TOKENS="host1=tok1;host2=tok2"</c>): each may write and read only its own host.</summary>
    public ImmutableDictionary<string, string> AgentTokens { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>When true (<c>MIGCOMPAT_OPEN_READ=true</c>), reads need no token. Off by default.</summary>
    public bool OpenRead { get; init; }

    /// <summary>The largest inventory body in bytes; larger requests get 413.</summary>
    public int MaxInventoryBytes { get; init; } = DefaultMaxInventoryBytes;

    /// <summary>The largest body of any other request in bytes; larger requests get 413.</summary>
    public int MaxRequestBytes { get; init; } = DefaultMaxRequestBytes;

    /// <summary>How often the index catches up with changes other instances made to a shared database; <see cref="FleetServiceOptions.RefreshInterval"/>.</summary>
    public TimeSpan RefreshInterval
    {
        get => Fleet.RefreshInterval;
        init => Fleet = Fleet with { RefreshInterval = value };
    }

    /// <summary>How often expired pending claims are swept; <see cref="FleetServiceOptions.ExpirySweepInterval"/>.</summary>
    public TimeSpan ExpirySweepInterval
    {
        get => Fleet.ExpirySweepInterval;
        init => Fleet = Fleet with { ExpirySweepInterval = value };
    }

    /// <summary>
    /// How long released and expired claims are kept after they ended before the expiry sweep purges
    /// them (<c>serve --claim-retention</c>); 7 days by default. Zero or negative keeps them forever.
    /// </summary>
    public TimeSpan ClaimRetention
    {
        get => Fleet.ClaimRetention;
        init => Fleet = Fleet with { ClaimRetention = value };
    }

    /// <summary>The clock for claims; the system clock by default; <see cref="FleetServiceOptions.TimeProvider"/>.</summary>
    public TimeProvider TimeProvider
    {
        get => Fleet.TimeProvider;
        init => Fleet = Fleet with { TimeProvider = value };
    }

    /// <summary>
    /// Reads the options: each setting from its <c>MIGCOMPAT_*</c> key (environment variables are
    /// configuration keys too), falling back to the defaults.
    /// </summary>
    /// <param name="configuration">The configuration.</param>
    /// <exception cref="FormatException"><c>MIGCOMPAT_AGENT_TOKENS</c> or <c>MIGCOMPAT_OPEN_READ</c> is malformed; the message says how to write it.</exception>
    public static ServerOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var defaults = new ServerOptions();
        return defaults with
        {
            Database = NonEmpty(configuration["MIGCOMPAT_DB"]) ?? defaults.Database,
            Urls = NonEmpty(configuration["MIGCOMPAT_URLS"]),
            AdminToken = NonEmpty(configuration["MIGCOMPAT_ADMIN_TOKEN"]),
            ReadToken = NonEmpty(configuration["MIGCOMPAT_READ_TOKEN"]),
            SchedulerToken = NonEmpty(configuration["MIGCOMPAT_SCHEDULER_TOKEN"]),
            AgentTokens = ParseAgentTokens(configuration["MIGCOMPAT_AGENT_TOKENS"]),
            OpenRead = ParseFlag(configuration["MIGCOMPAT_OPEN_READ"], "MIGCOMPAT_OPEN_READ"),
        };
    }

    /// <summary>
    /// Refuses a token configuration that cannot mean what the operator wants: one token given to two
    /// roles (the admin token equal to the read or the scheduler token, ...) or to two agents (each
    /// agent may then write the other's host), or an agent token for a name that is not a host name.
    /// <see cref="MigCompatServer.CreateBuilder"/> calls it, so such a server does not start.
    /// </summary>
    /// <exception cref="FormatException">An address to listen on is malformed, or the configuration is inconsistent; the message says which settings clash (never the tokens).</exception>
    public void Validate()
    {
        if (Urls is not null && Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length == 0)
        {
            throw new FormatException($"--urls / MIGCOMPAT_URLS: '{Urls}' names no address to listen on; write it like http://127.0.0.1:8080 (several separated by ';')");
        }

        foreach (var url in (Urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            BindingAddress address;
            try
            {
                address = BindingAddress.Parse(url);
                if (address.Port is < 0 or > 65535)
                {
                    throw new FormatException();
                }
            }
            catch (FormatException)
            {
                throw new FormatException($"--urls / MIGCOMPAT_URLS: '{url}' is not an address to listen on; write it like http://127.0.0.1:8080 (several separated by ';')");
            }

            if (address.Scheme is not ("http" or "https"))
            {
                throw new FormatException($"--urls / MIGCOMPAT_URLS: '{url}' is not an http:// or https:// address; write it like http://127.0.0.1:8080");
            }

            // Kestrel listens on every interface for a host it does not recognise ('http://[::1', a host name):
            // only an IP address, localhost or an explicit wildcard says where to listen.
            if (!IsListenHost(address.Host))
            {
                throw new FormatException($"--urls / MIGCOMPAT_URLS: '{url}' does not name an IP address to listen on ('{Http.StrictJson.Printable(address.Host)}' would listen on every interface); write an IP address (127.0.0.1, [::1], 0.0.0.0 for every interface) or localhost");
            }
        }

        var seen = new List<(string Token, string Role)>();
        Add(AdminToken, "the admin token (MIGCOMPAT_ADMIN_TOKEN, --admin-token)");
        Add(ReadToken, "the read token (MIGCOMPAT_READ_TOKEN, --read-token)");
        Add(SchedulerToken, "the scheduler token (MIGCOMPAT_SCHEDULER_TOKEN, --scheduler-token)");
        foreach (var (host, token) in AgentTokens.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (Http.HostNames.Problem(host, "the host of an agent token") is { } problem)
            {
                throw new FormatException($"MIGCOMPAT_AGENT_TOKENS / --agent-tokens: {problem}");
            }

            if (string.IsNullOrWhiteSpace(token))
            {
                throw new FormatException($"the agent token of host '{host}' is empty; give each host a token of its own");
            }

            Add(token, $"the agent token of host '{host}'");
        }

        void Add(string? token, string role)
        {
            if (token is null)
            {
                return;
            }

            // A client's 'Authorization: Bearer TOKEN' never carries surrounding whitespace or a control character,
            // so such a token could never be presented: refuse it rather than start with a role nobody can use.
            if (token.Length == 0 || token.Trim().Length != token.Length || token.Any(char.IsControl))
            {
                throw new FormatException($"{role} is empty, starts or ends with whitespace, or holds a control character (a newline...); no client can send it in an Authorization header: give it without them");
            }

            foreach (var (other, otherRole) in seen)
            {
                if (string.Equals(other, token, StringComparison.Ordinal))
                {
                    throw new FormatException($"{otherRole} and {role} are the same token; give every role and every agent a token of its own (a shared token gives each holder the other's rights)");
                }
            }

            seen.Add((token, role));
        }
    }

    /// <summary>Parses <c>host1=tok1;host2=tok2</c> (blank entries ignored).</summary>
    /// <param name="text">The text; null or blank gives no agent tokens.</param>
    /// <exception cref="FormatException">An entry is not <c>host=token</c> or names a host twice.</exception>
    public static ImmutableDictionary<string, string> ParseAgentTokens(string? text)
    {
        var tokens = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var entry in (text ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == entry.Length - 1)
            {
                throw new FormatException($"agent token entry '{Mask(entry)}' is not host=token; write MIGCOMPAT_AGENT_TOKENS as \"host1=token1;host2=token2\"");
            }

            var host = entry[..equals].Trim();
            if (!tokens.TryAdd(host, entry[(equals + 1)..].Trim()))
            {
                throw new FormatException($"agent tokens name host '{host}' twice; give each host one token");
            }
        }

        return tokens.ToImmutable();
    }

    /// <summary>True for a host Kestrel listens on as written: an IP address, <c>localhost</c>, or the wildcards <c>*</c> and <c>+</c>.</summary>
    private static bool IsListenHost(string host) =>
        host is "localhost" or "*" or "+"
        || System.Net.IPAddress.TryParse(host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host, out _);

    private static bool ParseFlag(string? text, string name) => NonEmpty(text)?.ToUpperInvariant() switch
    {
        null or "0" or "FALSE" or "NO" or "OFF" => false,
        "1" or "TRUE" or "YES" or "ON" => true,
        _ => throw new FormatException($"{name}='{text}' is not a boolean; use true or false"),
    };

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string Mask(string entry) => entry.Contains('=', StringComparison.Ordinal) ? entry[..entry.IndexOf('=', StringComparison.Ordinal)] + "=***" : entry;
}
