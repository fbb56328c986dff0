using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace MigCompat.Fleet.Storage;

/// <summary>Validates a claim request and gives its canonical form, used to recognise a repeated request.</summary>
internal static class ClaimRequestCheck
{
    /// <summary>Returns a reason when the request is malformed, else null.</summary>
    public static string? FindProblem(ClaimRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Host))
        {
            return "the host name is empty";
        }

        if (request.Items.IsDefaultOrEmpty)
        {
            return "the claim has no items";
        }

        if (request.TimeToLive <= TimeSpan.Zero || request.TimeToLive > ClaimRequest.MaxTimeToLive)
        {
            return string.Create(CultureInfo.InvariantCulture, $"the time-to-live {request.TimeToLive} is not between 0 (exclusive) and {ClaimRequest.MaxTimeToLive}");
        }

        if (request.IdempotencyKey is { } key && (key.Length == 0 || key.Length > 200))
        {
            return "the idempotency key must be 1 to 200 characters";
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in request.Items)
        {
            if (item is null || string.IsNullOrWhiteSpace(item.ResourceKey))
            {
                return "an item has no resource key";
            }

            if (item.Count < 1)
            {
                return string.Create(CultureInfo.InvariantCulture, $"item '{item.ResourceKey}' asks for {item.Count} units; at least 1 is needed");
            }

            if (!seen.Add(item.ResourceKey))
            {
                return $"resource '{item.ResourceKey}' is listed more than once";
            }
        }

        return null;
    }

    /// <summary>The items ordered by key.</summary>
    public static ImmutableArray<ClaimItem> Ordered(ClaimRequest request) =>
        [.. request.Items.OrderBy(item => item.ResourceKey, StringComparer.Ordinal)];

    /// <summary>A canonical text of host, time-to-live and items: equal for equal requests.</summary>
    public static string Fingerprint(ClaimRequest request)
    {
        var text = new StringBuilder();
        text.Append(request.Host).Append('\n').Append(request.TimeToLive.Ticks.ToString(CultureInfo.InvariantCulture));
        foreach (var item in Ordered(request))
        {
            text.Append('\n').Append(item.ResourceKey).Append('\t').Append(item.Count.ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}
