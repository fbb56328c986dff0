using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using MigCompat.Server.Http;

namespace MigCompat.Server.Security;

/// <summary>
/// Who may do what, from the request's bearer token: the admin token may do anything; the read
/// token may read; the scheduler token may read and claim; an agent token may write and read its own
/// host only. With <see cref="ServerOptions.OpenRead"/> reads need no token. Tokens are compared in
/// constant time.
/// </summary>
internal sealed class AccessPolicy(ServerOptions options)
{
    private enum Role
    {
        None,
        Unknown,
        Admin,
        Reader,
        Scheduler,
        Agent,
    }

    /// <summary>Null when the request may read fleet-wide data, else the 401/403 problem.</summary>
    public IResult? CheckRead(HttpContext context)
    {
        if (options.OpenRead)
        {
            return null;
        }

        var (role, _) = Identify(context);
        return role switch
        {
            Role.Admin or Role.Reader or Role.Scheduler => null,
            Role.None or Role.Unknown => Unauthorized(context, role),
            _ => Problems.Forbidden("this agent token may only read and write its own host; use the read, scheduler or admin token for fleet-wide reads"),
        };
    }

    /// <summary>Null when the request may read one host (readers, admin, or that host's agent).</summary>
    public IResult? CheckReadHost(HttpContext context, string host)
    {
        var (role, agentHost) = Identify(context);
        if (role == Role.Agent && string.Equals(agentHost, host, StringComparison.Ordinal))
        {
            return null;
        }

        return CheckRead(context);
    }

    /// <summary>Null when the request may change one host (admin, or that host's agent).</summary>
    public IResult? CheckWriteHost(HttpContext context, string host)
    {
        var (role, agentHost) = Identify(context);
        return role switch
        {
            Role.Admin => null,
            Role.Agent when string.Equals(agentHost, host, StringComparison.Ordinal) => null,
            Role.Agent => Problems.Forbidden($"this agent token belongs to host '{agentHost}' and may not write host '{host}'"),
            Role.Reader => Problems.Forbidden("the read token cannot write; use the host's agent token or the admin token"),
            Role.Scheduler => Problems.Forbidden("the scheduler token may read and claim but not write hosts; use the host's agent token or the admin token"),
            _ => Unauthorized(context, role),
        };
    }

    /// <summary>Null when the request may create, confirm or release claims: the scheduler or the admin token.</summary>
    public IResult? CheckClaim(HttpContext context)
    {
        var (role, _) = Identify(context);
        return role switch
        {
            Role.Admin or Role.Scheduler => null,
            Role.None or Role.Unknown => Unauthorized(context, role),
            _ => Problems.Forbidden("claims need the scheduler token or the admin token"),
        };
    }

    /// <summary>Null when the request carries the admin token (draining, deleting hosts and other fleet-wide writes).</summary>
    public IResult? CheckAdmin(HttpContext context)
    {
        var (role, _) = Identify(context);
        return role switch
        {
            Role.Admin => null,
            Role.None or Role.Unknown => Unauthorized(context, role),
            _ => Problems.Forbidden("this operation needs the admin token"),
        };
    }

    private static IResult Unauthorized(HttpContext context, Role role)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"migcompat\"";
        return Problems.Unauthorized(role == Role.None
            ? "this request needs a bearer token: send 'Authorization: Bearer TOKEN'"
            : "the bearer token is not known to this server; check the token or ask the operator for one");
    }

    private (Role Role, string? AgentHost) Identify(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || header.Length == Scheme.Length)
        {
            return (Role.None, null);
        }

        var token = Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim());
        if (Matches(token, options.AdminToken))
        {
            return (Role.Admin, null);
        }

        if (Matches(token, options.ReadToken))
        {
            return (Role.Reader, null);
        }

        if (Matches(token, options.SchedulerToken))
        {
            return (Role.Scheduler, null);
        }

        string? agentHost = null;
        foreach (var (host, agentToken) in options.AgentTokens)
        {
            if (Matches(token, agentToken))
            {
                agentHost = host;
            }
        }

        return agentHost is null ? (Role.Unknown, null) : (Role.Agent, agentHost);
    }

    private static bool Matches(byte[] token, string? expected) =>
        !string.IsNullOrEmpty(expected) && CryptographicOperations.FixedTimeEquals(token, Encoding.UTF8.GetBytes(expected));
}
