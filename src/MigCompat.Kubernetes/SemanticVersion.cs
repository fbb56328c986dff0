using System.Text.RegularExpressions;

namespace MigCompat.Kubernetes;

/// <summary>
/// DRA <c>version</c> attributes must be strict semantic versions (semver 2.0.0): no leading zeros, exactly three
/// numbers. Driver versions often are not (<c>550.127.08</c>, <c>17.4</c>); this normalises what can be normalised.
/// </summary>
public static partial class SemanticVersion
{
    /// <summary>
    /// <paramref name="raw"/> as a strict semantic version: a valid one as it is; one to three dot-separated numbers with
    /// leading zeros dropped and missing ones added (<c>550.127.08</c> → <c>550.127.8</c>, <c>17.4</c> → <c>17.4.0</c>);
    /// null for anything else or anything longer than 64 characters (publish the raw string only).
    /// </summary>
    /// <param name="raw">The version as the driver reports it.</param>
    public static string? Normalize(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var text = raw.Trim();
        if (Strict().IsMatch(text))
        {
            return text.Length <= 64 ? text : null;
        }

        if (!Numbers().IsMatch(text))
        {
            return null;
        }

        var parts = text.Split('.').Select(p => p.TrimStart('0') is { Length: > 0 } trimmed ? trimmed : "0").ToList();
        while (parts.Count < 3)
        {
            parts.Add("0");
        }

        var normalized = string.Join('.', parts);
        return normalized.Length <= 64 && Strict().IsMatch(normalized) ? normalized : null;
    }

    /// <summary>True when <paramref name="text"/> is a strict semver 2.0.0 version.</summary>
    /// <param name="text">The text.</param>
    public static bool IsStrict(string text) => Strict().IsMatch(text);

    // The regular expression semver.org suggests.
    [GeneratedRegex(@"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$", RegexOptions.CultureInvariant)]
    private static partial Regex Strict();

    [GeneratedRegex(@"^\d{1,18}(\.\d{1,18}){0,2}$", RegexOptions.CultureInvariant)]
    private static partial Regex Numbers();
}
