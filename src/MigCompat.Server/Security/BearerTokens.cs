using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MigCompat.Server.Http;

namespace MigCompat.Server.Security;

/// <summary>
/// Who may do what (docs/api.md, "Authentication and authorisation"): <see cref="BearerTokenHandler"/>
/// turns the request's bearer token into a role (and, for an agent, its host); the policies here say
/// which roles each route group takes; <see cref="HostAccessHandler"/> limits an agent to its own host
/// (the route's <c>{name}</c>); <see cref="ProblemResultHandler"/> answers 401 and 403 as problems.
/// </summary>
internal static class BearerTokens
{
    public const string Scheme = "Bearer";

    /// <summary>Fleet-wide reads: the admin, read or scheduler token (anyone with open reads).</summary>
    public const string Read = "read";

    /// <summary>One host's reads: as <see cref="Read"/>, or that host's agent.</summary>
    public const string ReadHost = "read-host";

    /// <summary>One host's writes: the admin token or that host's agent.</summary>
    public const string WriteHost = "write-host";

    /// <summary>Claims: the scheduler or the admin token.</summary>
    public const string Claim = "claim";

    /// <summary>Upgrade plans: the scheduler or the admin token.</summary>
    public const string Plan = "plan";

    public const string Admin = "admin";
    public const string Reader = "reader";
    public const string Scheduler = "scheduler";
    public const string Agent = "agent";

    /// <summary>The claim type naming an agent's host.</summary>
    public const string HostClaim = "migcompat:host";

    public static void Add(IServiceCollection services, ServerOptions options)
    {
        services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(Scheme, null);
        services.AddSingleton<IAuthorizationHandler, HostAccessHandler>();
        services.AddSingleton<IAuthorizationHandler, RoleHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemResultHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(Read, policy => policy.AddRequirements(new RoleRequirement(options.OpenRead, "this agent token may only read and write its own host; use the read, scheduler or admin token for fleet-wide reads", Admin, Reader, Scheduler)))
            .AddPolicy(ReadHost, policy => policy.AddRequirements(new HostAccessRequirement(Write: false, options.OpenRead)))
            .AddPolicy(WriteHost, policy => policy.AddRequirements(new HostAccessRequirement(Write: true, OpenRead: false)))
            .AddPolicy(Claim, policy => policy.AddRequirements(new RoleRequirement(false, "claims need the scheduler token or the admin token", Admin, Scheduler)))
            .AddPolicy(Plan, policy => policy.AddRequirements(new RoleRequirement(false, "plans need the scheduler token or the admin token", Admin, Scheduler)));
    }

    /// <summary>The role of an authenticated request, or null.</summary>
    public static string? RoleOf(ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.Role) : null;
}

/// <summary>Reads <c>Authorization: Bearer TOKEN</c> and compares it in constant time with every configured token.</summary>
internal sealed class BearerTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions, ILoggerFactory logger, UrlEncoder encoder, ServerOptions options)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    private const string Prefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || header.Length == Prefix.Length)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var token = Encoding.UTF8.GetBytes(header[Prefix.Length..].Trim());
        var (role, host) = Identify(token);
        if (role is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("the bearer token is not known to this server"));
        }

        List<Claim> claims = [new(ClaimTypes.Role, role)];
        if (host is not null)
        {
            claims.Add(new Claim(BearerTokens.HostClaim, host));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, BearerTokens.Scheme));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, BearerTokens.Scheme)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer realm=\"migcompat\"";
        var known = await Context.AuthenticateAsync(BearerTokens.Scheme);
        await Problems.Unauthorized(known.None
                ? "this request needs a bearer token: send 'Authorization: Bearer TOKEN'"
                : "the bearer token is not known to this server; check the token or ask the operator for one")
            .ExecuteAsync(Context);
    }

    private (string? Role, string? Host) Identify(byte[] token)
    {
        // Every token is compared (no early exit), so the time taken does not say which role matched.
        string? role = null;
        string? agentHost = null;
        role = Matches(token, options.AdminToken) ? BearerTokens.Admin : role;
        role = Matches(token, options.ReadToken) ? role ?? BearerTokens.Reader : role;
        role = Matches(token, options.SchedulerToken) ? role ?? BearerTokens.Scheduler : role;
        foreach (var (host, agentToken) in options.AgentTokens)
        {
            if (Matches(token, agentToken))
            {
                agentHost = host;
            }
        }

        return role is not null ? (role, null) : agentHost is not null ? (BearerTokens.Agent, agentHost) : (null, null);
    }

    private static bool Matches(byte[] token, string? expected) =>
        !string.IsNullOrEmpty(expected) && CryptographicOperations.FixedTimeEquals(token, Encoding.UTF8.GetBytes(expected));
}

/// <summary>One of <paramref name="Roles"/>, or anyone when <paramref name="Open"/>; <paramref name="Refusal"/> is the 403 detail.</summary>
internal sealed record RoleRequirement(bool Open, string Refusal, params string[] Roles) : IAuthorizationRequirement;

/// <summary>Checks a <see cref="RoleRequirement"/>.</summary>
internal sealed class RoleHandler : AuthorizationHandler<RoleRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RoleRequirement requirement)
    {
        if (requirement.Open || (BearerTokens.RoleOf(context.User) is { } role && requirement.Roles.Contains(role)))
        {
            context.Succeed(requirement);
        }
        else if (context.User.Identity?.IsAuthenticated == true)
        {
            context.Fail(new AuthorizationFailureReason(this, requirement.Refusal));
        }

        return Task.CompletedTask;
    }
}

/// <summary>The host named by the route (<c>{name}</c>): readable by readers (anyone with open reads) and its agent, writable by the admin and its agent.</summary>
internal sealed record HostAccessRequirement(bool Write, bool OpenRead) : IAuthorizationRequirement;

/// <summary>The resource check that limits an agent token to its own host.</summary>
internal sealed class HostAccessHandler : AuthorizationHandler<HostAccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, HostAccessRequirement requirement)
    {
        var host = (context.Resource as HttpContext)?.Request.RouteValues["name"] as string;
        var role = BearerTokens.RoleOf(context.User);
        var agentHost = context.User.FindFirstValue(BearerTokens.HostClaim);
        var allowed = role switch
        {
            BearerTokens.Admin => true,
            BearerTokens.Agent => host is not null && string.Equals(agentHost, host, StringComparison.Ordinal),
            BearerTokens.Reader or BearerTokens.Scheduler => !requirement.Write,
            _ => !requirement.Write && requirement.OpenRead,
        };
        if (allowed)
        {
            context.Succeed(requirement);
        }
        else if (role is not null)
        {
            context.Fail(new AuthorizationFailureReason(this, role switch
            {
                BearerTokens.Agent when requirement.Write => $"this agent token belongs to host '{agentHost}' and may not write host '{StrictJson.Printable(host ?? "")}'",
                BearerTokens.Agent => "this agent token may only read and write its own host; use the read, scheduler or admin token for other hosts",
                BearerTokens.Reader => "the read token cannot write; use the host's agent token or the admin token",
                BearerTokens.Scheduler => "the scheduler token may read and claim but not write hosts; use the host's agent token or the admin token",
                _ => "this token may not do this",
            }));
        }

        return Task.CompletedTask;
    }
}

/// <summary>Answers a refused request with a problem: 401 (with <c>WWW-Authenticate</c>) without a known token, 403 with why otherwise.</summary>
internal sealed class ProblemResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && context.User.Identity?.IsAuthenticated == true)
        {
            var reason = authorizeResult.AuthorizationFailure?.FailureReasons.FirstOrDefault()?.Message ?? "this token may not do this";
            await Problems.Forbidden(reason).ExecuteAsync(context);
            return;
        }

        await fallback.HandleAsync(next, context, policy, authorizeResult);
    }
}
