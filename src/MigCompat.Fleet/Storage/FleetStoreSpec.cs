using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace MigCompat.Fleet.Storage;

/// <summary>Which database a fleet store lives in.</summary>
public enum FleetStoreBackend
{
    /// <summary>A SQLite file.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database.</summary>
    Postgres,
}

/// <summary>
/// A parsed database spec: <c>sqlite:PATH</c>, a plain file path, a <c>postgres://user:pass@host:port/db</c>
/// URI, or an Npgsql connection string (<c>Host=...;Database=...</c>).
/// </summary>
/// <param name="Backend">The backend.</param>
/// <param name="Target">The SQLite file path, or the Npgsql connection string.</param>
public sealed partial record FleetStoreSpec(FleetStoreBackend Backend, string Target)
{
    private const string Forms = "use sqlite:PATH, a file path, postgres://user:password@host:port/database, or Host=...;Database=...;Username=...";

    /// <summary>Parses a spec.</summary>
    /// <param name="db">The spec text.</param>
    /// <exception cref="FleetStoreException">The spec is empty or malformed; the message says which forms are accepted.</exception>
    public static FleetStoreSpec Parse(string? db)
    {
        var text = db?.Trim() ?? "";
        if (text.Length == 0)
        {
            throw new FleetStoreException("no database was given; " + Forms);
        }

        if (text.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var path = text["sqlite:".Length..];
            if (path.StartsWith("//", StringComparison.Ordinal))
            {
                path = path[2..]; // sqlite:///var/lib/x.db and sqlite://x.db
            }

            return path.Length == 0
                ? throw new FleetStoreException("'sqlite:' needs a file path after it, e.g. sqlite:/var/lib/migcompat/fleet.db")
                : new FleetStoreSpec(FleetStoreBackend.Sqlite, path);
        }

        if (SchemePattern().Match(text) is { Success: true } scheme)
        {
            var name = scheme.Groups[1].Value.ToLowerInvariant();
            return name is "postgres" or "postgresql"
                ? new FleetStoreSpec(FleetStoreBackend.Postgres, FromUri(text))
                : throw new FleetStoreException($"unsupported database scheme '{name}://'; {Forms}");
        }

        if (ConnectionStringPattern().IsMatch(text))
        {
            return new FleetStoreSpec(FleetStoreBackend.Postgres, FromConnectionString(text));
        }

        return new FleetStoreSpec(FleetStoreBackend.Sqlite, text);
    }

    /// <summary>The spec for people and logs: the password is masked.</summary>
    public override string ToString() => Backend == FleetStoreBackend.Sqlite
        ? "sqlite:" + Target
        : "postgres: " + new NpgsqlConnectionStringBuilder(Target) { Password = null }.ConnectionString;

    private static string FromConnectionString(string text)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            throw new FleetStoreException($"the PostgreSQL connection string is malformed: {e.Message}; {Forms}", e);
        }

        return string.IsNullOrWhiteSpace(builder.Host)
            ? throw new FleetStoreException("the PostgreSQL connection string has no Host=; " + Forms)
            : builder.ConnectionString;
    }

    private static string FromUri(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new FleetStoreException("the PostgreSQL URI is malformed (expected postgres://user:password@host:port/database)");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = uri.IdnHost };
        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.Trim('/'));
        if (database.Contains('/', StringComparison.Ordinal))
        {
            throw new FleetStoreException($"the PostgreSQL URI path '{uri.AbsolutePath}' must be a single database name");
        }

        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
            try
            {
                builder[QueryKey(key)] = value;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
            {
                throw new FleetStoreException($"the PostgreSQL URI option '{key}={value}' is not understood: {e.Message}", e);
            }
        }

        return builder.ConnectionString;
    }

    /// <summary>Maps libpq URI option names to Npgsql keywords where they differ.</summary>
    private static string QueryKey(string key) => key.ToLower(CultureInfo.InvariantCulture) switch
    {
        "sslmode" => "SSL Mode",
        "connect_timeout" => "Timeout",
        "application_name" => "Application Name",
        "options" => "Options",
        _ => key,
    };

    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9+.\-]*)://")]
    private static partial Regex SchemePattern();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z ]*=")]
    private static partial Regex ConnectionStringPattern();
}
