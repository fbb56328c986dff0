using System.Text.RegularExpressions;

namespace MigCompat.Kubernetes;

/// <summary>
/// The names MigCompat writes into Kubernetes objects and the API's rules for them: label keys (an optional DNS
/// subdomain prefix of at most 253 characters, a name of at most 63), label values, DNS labels (object and device
/// names) and DRA attribute names (a C identifier of at most 32 characters, optionally after a domain of at most 63).
/// </summary>
public static partial class KubernetesNames
{
    /// <summary>The domain of every label and attribute MigCompat writes.</summary>
    public const string Domain = "migcompat.dev";

    /// <summary>The DRA driver name the exported ResourceSlices carry.</summary>
    public const string DriverName = "migcompat.dev";

    /// <summary>The node label saying "a resource here accepts source class <paramref name="classId"/> live": <c>migcompat.dev/live.&lt;class id&gt;</c>.</summary>
    /// <param name="classId">A source class id.</param>
    public static string LiveLabel(string classId) => Domain + "/live." + classId;

    /// <summary>The DRA attribute saying the same of a device: <c>migcompat.dev/live_&lt;hash&gt;</c> (the hash part of the class id, as the id must be a C identifier of at most 32 characters).</summary>
    /// <param name="classId">A source class id.</param>
    public static string LiveAttribute(string classId) => Domain + "/live_" + classId[(classId.LastIndexOf('-') + 1)..];

    /// <summary>True when <paramref name="key"/> is a valid label key.</summary>
    /// <param name="key">The key.</param>
    public static bool IsLabelKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? key : key[(slash + 1)..];
        return (slash < 0 || IsDnsSubdomain(key[..slash])) && name.Length is > 0 and <= 63 && LabelName().IsMatch(name);
    }

    /// <summary>True when <paramref name="value"/> is a valid label value (empty, or at most 63 characters of the name alphabet).</summary>
    /// <param name="value">The value.</param>
    public static bool IsLabelValue(string value) => value.Length == 0 || (value.Length <= 63 && LabelName().IsMatch(value));

    /// <summary>True when <paramref name="name"/> is a DNS label (RFC 1123): at most 63 characters of <c>[a-z0-9-]</c>, letters or digits at both ends.</summary>
    /// <param name="name">The name.</param>
    public static bool IsDnsLabel(string name) => name.Length is > 0 and <= 63 && DnsLabel().IsMatch(name);

    /// <summary>True when <paramref name="name"/> is a DNS subdomain: at most 253 characters of dot-separated DNS labels.</summary>
    /// <param name="name">The name.</param>
    public static bool IsDnsSubdomain(string name) => name.Length is > 0 and <= 253 && name.Split('.').All(IsDnsLabel);

    /// <summary>True when <paramref name="name"/> is a valid DRA attribute or capacity name.</summary>
    /// <param name="name">The name.</param>
    public static bool IsAttributeName(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var id = slash < 0 ? name : name[(slash + 1)..];
        return (slash < 0 || (slash <= 63 && IsDnsSubdomain(name[..slash]))) && id.Length is > 0 and <= 32 && CIdentifier().IsMatch(id);
    }

    /// <summary>
    /// A DNS label made of <paramref name="text"/>: lower case, anything else than a letter or digit as one dash; when
    /// longer than 63 characters, cut and ended with a hash of the whole text so that different texts stay apart.
    /// </summary>
    /// <param name="text">The text (a resource key, a host name).</param>
    public static string ToDnsLabel(string text)
    {
        var builder = new System.Text.StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }

        var label = builder.ToString().Trim('-');
        if (label.Length <= 63 && label.Length > 0)
        {
            return label;
        }

        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..10];
        return label.Length == 0 ? hash : label[..52].TrimEnd('-') + "-" + hash;
    }

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelName();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex CIdentifier();
}
