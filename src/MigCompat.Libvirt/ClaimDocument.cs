using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using MigCompat.Core.Model;

namespace MigCompat.Libvirt;

/// <summary>A capacity claim as the fleet API shows it (<c>GET /v1/claims/{id}</c>, <c>migcompat claims show --format json</c>).</summary>
/// <param name="Id">The claim id.</param>
/// <param name="Host">The claimed host.</param>
/// <param name="State"><c>pending</c>, <c>confirmed</c>, <c>released</c> or <c>expired</c>.</param>
/// <param name="ExpiresAt">When a pending claim stops holding.</param>
/// <param name="Items">The claimed units: resource key and count.</param>
public sealed record ClaimDocument(string Id, string Host, string State, DateTimeOffset ExpiresAt, ImmutableArray<KeyValuePair<string, int>> Items)
{
    /// <summary>Equal when every member is equal, the items item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(ClaimDocument? other) =>
        other is not null && Id == other.Id && Host == other.Host && State == other.State && ExpiresAt == other.ExpiresAt
        && ArrayEquality.Equal(Items, other.Items);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, Host, State, ExpiresAt, ArrayEquality.Hash(Items));

    /// <summary>
    /// Reads the API's claim JSON: the claim object itself or an answer that holds it as <c>claim</c>.
    /// Never throws on bad input.
    /// </summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="problem">Why it is unusable, in the user's words; null when read.</param>
    /// <returns>The claim, or null.</returns>
    public static ClaimDocument? Read(string json, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var claim = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("claim", out var inner) ? inner : root;
            if (claim.ValueKind != JsonValueKind.Object)
            {
                problem = "the claim is not a JSON object; give what 'migcompat claims show ID --format json' prints";
                return null;
            }

            var id = Text(claim, "id");
            var host = Text(claim, "host");
            var state = Text(claim, "state");
            var expires = Text(claim, "expiresAt");
            if (id is null || host is null || state is null || expires is null)
            {
                problem = "the claim lacks one of id, host, state, expiresAt; give what 'migcompat claims show ID --format json' prints";
                return null;
            }

            if (new[] { id, host, state }.FirstOrDefault(t => !IsPlain(t)) is { } odd)
            {
                problem = $"the claim's id, host or state '{odd.ReplaceLineEndings(" ")}' holds whitespace or control characters; give what 'migcompat claims show ID --format json' prints";
                return null;
            }

            if (!DateTimeOffset.TryParse(expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiresAt))
            {
                problem = $"the claim's expiresAt '{expires}' is not a date and time";
                return null;
            }

            var items = ImmutableArray.CreateBuilder<KeyValuePair<string, int>>();
            if (claim.TryGetProperty("items", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray())
                {
                    var key = item.ValueKind == JsonValueKind.Object ? Text(item, "resourceKey") : null;
                    if (key is null || !IsPlain(key) || !item.TryGetProperty("count", out var count) || !count.TryGetInt32(out var units) || units < 1)
                    {
                        problem = $"claim item {items.Count} needs a resourceKey (without whitespace or control characters) and a count of at least 1";
                        return null;
                    }

                    items.Add(new(key, units));
                }
            }

            if (items.Count == 0)
            {
                problem = $"claim {id} holds no resources";
                return null;
            }

            problem = null;
            return new ClaimDocument(id, host, state, expiresAt, items.ToImmutable());
        }
        catch (JsonException e)
        {
            problem = $"the claim is not valid JSON: {e.Message}";
            return null;
        }
        catch (InvalidOperationException)
        {
            problem = "the claim holds a string that is not valid text (a lone surrogate escape such as \\ud800)";
            return null;
        }
    }

    /// <summary>No whitespace, control or format characters, no lone surrogates: what an XML attribute keeps as it is.</summary>
    private static bool IsPlain(string text) =>
        !text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || char.IsSurrogate(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format);

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString()) ? value.GetString() : null;
}
