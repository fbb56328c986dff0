using System.Globalization;

namespace MigCompat.Server.Http;

/// <summary>
/// What a host name may be: 1 to 253 characters (a DNS name's limit), no control, format or
/// whitespace characters (a newline, a tab, a zero-width or bidi mark) and no lone surrogate.
/// Anything else is refused with 400 before it reaches the store or a log line.
/// </summary>
public static class HostNames
{
    /// <summary>The longest host name: 253 characters, as a DNS name.</summary>
    public const int MaxLength = 253;

    /// <summary>Why <paramref name="name"/> is not a host name, or null when it is one.</summary>
    /// <param name="name">The name.</param>
    /// <param name="what">How the message names where it came from (e.g. <c>the host name in the URL</c>).</param>
    /// <returns>The reason, on one line (the name's control characters escaped), or null.</returns>
    public static string? Problem(string? name, string what)
    {
        if (string.IsNullOrEmpty(name))
        {
            return $"{what} is empty; name the host";
        }

        if (name.Length > MaxLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{what} is {name.Length} characters long; a host name has at most {MaxLength} (as a DNS name)");
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsControl(c) || char.IsWhiteSpace(c) || char.IsSurrogate(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{what} '{StrictJson.Printable(name)}' contains U+{(int)c:X4} at position {i + 1}; a host name has no control, whitespace or invisible formatting characters");
            }
        }

        return null;
    }
}
