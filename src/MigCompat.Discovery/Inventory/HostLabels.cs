namespace MigCompat.Discovery.Inventory;

/// <summary>Host labels (<see cref="HostInventory.Labels"/>): the keys allowed and the <c>KEY=VALUE</c> form the CLI takes.</summary>
public static class HostLabels
{
    /// <summary>True when <paramref name="key"/> is a usable label key: letters, digits and <c>. _ / -</c>, at most 63 characters.</summary>
    /// <param name="key">The key.</param>
    public static bool IsKey(string? key) =>
        key is { Length: > 0 and <= 63 } && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '/' or '-');

    /// <summary>Reads <c>KEY=VALUE</c>; false with a message a person can act on otherwise.</summary>
    /// <param name="text">The text.</param>
    /// <param name="label">The label, when read.</param>
    /// <param name="error">Why not, otherwise.</param>
    public static bool TryParse(string text, out KeyValuePair<string, string> label, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        label = default;
        var at = text.IndexOf('=', StringComparison.Ordinal);
        var key = at < 0 ? text : text[..at];
        if (at < 0 || !IsKey(key))
        {
            error = $"'{text}' is not KEY=VALUE with a key of letters, digits and . _ / - (e.g. rack=a)";
            return false;
        }

        error = null;
        label = new(key, text[(at + 1)..]);
        return true;
    }
}
