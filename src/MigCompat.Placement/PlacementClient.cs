using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MigCompat.Core.Model;

namespace MigCompat.Placement;

/// <summary>
/// The few OpenStack Placement calls the trait sync needs, at microversion 1.6 (the first with provider traits):
/// list providers, read and replace a provider's traits (generation-checked), create, list and delete traits.
/// Errors become <see cref="PlacementException"/> with a message for a person.
/// </summary>
public sealed class PlacementClient : IDisposable
{
    /// <summary>The microversion every request asks for.</summary>
    public const string Microversion = "placement 1.6";

    private readonly HttpClient http;
    private readonly Uri endpoint;

    /// <summary>Creates a client of the Placement API at <paramref name="endpoint"/>.</summary>
    /// <param name="endpoint">Placement's base URL (e.g. <c>http://controller:8778</c> or <c>https://cloud/placement</c>).</param>
    /// <param name="token">The Keystone token sent as <c>X-Auth-Token</c> (with <c>auth_strategy = noauth2</c>: <c>admin</c>); none when null.</param>
    /// <param name="handler">The HTTP handler (for tests that watch the requests); a new one when null.</param>
    /// <param name="timeout">How long one request may take (default 30 s).</param>
    public PlacementClient(Uri endpoint, string? token, HttpMessageHandler? handler = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        this.endpoint = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.BaseAddress = this.endpoint;
        http.Timeout = timeout ?? TimeSpan.FromSeconds(30);
        http.DefaultRequestHeaders.Add("OpenStack-API-Version", Microversion);
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (!string.IsNullOrEmpty(token))
        {
            http.DefaultRequestHeaders.Add("X-Auth-Token", token);
        }
    }

    /// <summary>Every resource provider: uuid, name, generation.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<ImmutableArray<ResourceProvider>> ListProvidersAsync(CancellationToken cancellationToken)
    {
        using var body = await SendAsync(HttpMethod.Get, "resource_providers", null, [HttpStatusCode.OK], cancellationToken);
        return [.. body!.RootElement.GetProperty("resource_providers").EnumerateArray()
            .Select(p => new ResourceProvider(p.GetProperty("uuid").GetString()!, p.GetProperty("name").GetString()!, p.GetProperty("generation").GetInt64()))];
    }

    /// <summary>A provider's traits with its generation, or null when the provider does not exist (any more).</summary>
    /// <param name="uuid">The provider's uuid.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<ProviderTraits?> GetTraitsAsync(string uuid, CancellationToken cancellationToken)
    {
        using var body = await SendAsync(HttpMethod.Get, $"resource_providers/{Uri.EscapeDataString(uuid)}/traits", null, [HttpStatusCode.OK, HttpStatusCode.NotFound], cancellationToken);
        return body is null ? null : ReadTraits(body.RootElement);
    }

    /// <summary>
    /// Replaces a provider's whole trait set, if its generation is still <paramref name="generation"/>: the new
    /// traits and generation, or null when someone changed the provider since (409; read it again and retry).
    /// </summary>
    /// <param name="uuid">The provider's uuid.</param>
    /// <param name="traits">The complete new set.</param>
    /// <param name="generation">The generation read with the current set.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<ProviderTraits?> PutTraitsAsync(string uuid, IEnumerable<string> traits, long generation, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, object> { ["traits"] = traits.ToArray(), ["resource_provider_generation"] = generation });
        using var body = await SendAsync(HttpMethod.Put, $"resource_providers/{Uri.EscapeDataString(uuid)}/traits", json, [HttpStatusCode.OK, HttpStatusCode.Conflict], cancellationToken);
        return body is null ? null : ReadTraits(body.RootElement);
    }

    /// <summary>The trait names that start with <paramref name="prefix"/>.</summary>
    /// <param name="prefix">The prefix, e.g. <see cref="PlacementNames.TraitPrefix"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<ImmutableArray<string>> ListTraitsAsync(string prefix, CancellationToken cancellationToken)
    {
        using var body = await SendAsync(HttpMethod.Get, "traits?name=startswith:" + Uri.EscapeDataString(prefix), null, [HttpStatusCode.OK], cancellationToken);
        return [.. body!.RootElement.GetProperty("traits").EnumerateArray().Select(t => t.GetString()!)];
    }

    /// <summary>Creates a custom trait; true when it was created, false when it existed.</summary>
    /// <param name="name">The trait (<c>CUSTOM_...</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<bool> CreateTraitAsync(string name, CancellationToken cancellationToken)
    {
        var status = await SendForStatusAsync(HttpMethod.Put, "traits/" + Uri.EscapeDataString(name), [HttpStatusCode.Created, HttpStatusCode.NoContent], cancellationToken);
        return status == HttpStatusCode.Created;
    }

    /// <summary>Deletes a custom trait; false when a provider still has it (409) or it is gone (404).</summary>
    /// <param name="name">The trait.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<bool> DeleteTraitAsync(string name, CancellationToken cancellationToken)
    {
        var status = await SendForStatusAsync(HttpMethod.Delete, "traits/" + Uri.EscapeDataString(name), [HttpStatusCode.NoContent, HttpStatusCode.Conflict, HttpStatusCode.NotFound], cancellationToken);
        return status == HttpStatusCode.NoContent;
    }

    /// <inheritdoc />
    public void Dispose() => http.Dispose();

    private static ProviderTraits ReadTraits(JsonElement body) =>
        new([.. body.GetProperty("traits").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal)], body.GetProperty("resource_provider_generation").GetInt64());

    private async Task<HttpStatusCode> SendForStatusAsync(HttpMethod method, string path, HttpStatusCode[] expected, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, path, null, expected, cancellationToken);
        return response.StatusCode;
    }

    /// <summary>Sends a request; the JSON body of the first expected status, null for any other expected status.</summary>
    private async Task<JsonDocument?> SendAsync(HttpMethod method, string path, string? json, HttpStatusCode[] expected, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, path, json, expected, cancellationToken);
        if (response.StatusCode != expected[0])
        {
            return null;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            throw new PlacementException($"Placement at {endpoint} answered {method} /{path} with something that is not JSON; is the URL Placement's?");
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, string? json, HttpStatusCode[] expected, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new PlacementException($"Placement at {endpoint} is unreachable: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PlacementException($"Placement at {endpoint} did not answer {method} /{path} within {http.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s", e);
        }

        if (expected.Contains(response.StatusCode))
        {
            return response;
        }

        using (response)
        {
            var detail = Detail(await response.Content.ReadAsStringAsync(cancellationToken));
            var status = (int)response.StatusCode;
            throw new PlacementException(response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => $"Placement at {endpoint} refused the token (HTTP 401): give a valid Keystone token with --placement-token or OS_TOKEN (with auth_strategy = noauth2: admin)",
                HttpStatusCode.Forbidden => $"Placement at {endpoint} does not let this token {method} /{path} (HTTP 403): the token needs Placement's admin role{Suffix(detail)}",
                HttpStatusCode.NotAcceptable => $"Placement at {endpoint} does not serve microversion 1.6 (HTTP 406): MigCompat needs Placement from the Queens release or later{Suffix(detail)}",
                _ => string.Create(CultureInfo.InvariantCulture, $"Placement at {endpoint} answered {method} /{path} with HTTP {status}{Suffix(detail)}"),
            });
        }
    }

    private static string Suffix(string? detail) => string.IsNullOrWhiteSpace(detail) ? string.Empty : ": " + detail;

    /// <summary>The first error's detail (or title) of a Placement error body, else a short prefix of the text.</summary>
    private static string? Detail(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                var first = errors[0];
                var detail = first.TryGetProperty("detail", out var d) ? d.GetString() : first.TryGetProperty("title", out var t) ? t.GetString() : null;
                return detail?.ReplaceLineEndings(" ").Trim();
            }
        }
        catch (JsonException)
        {
            // Not a Placement error body (a proxy's page).
        }

        var flat = text.ReplaceLineEndings(" ").Trim();
        return flat.Length > 200 ? flat[..200] + "..." : flat;
    }
}

/// <summary>A resource provider as listed.</summary>
/// <param name="Uuid">Its uuid.</param>
/// <param name="Name">Its name (Nova: the hypervisor hostname, or <c>HOST_pci_...</c> for a pGPU).</param>
/// <param name="Generation">Its generation when listed.</param>
public sealed record ResourceProvider(string Uuid, string Name, long Generation);

/// <summary>A provider's traits, sorted, and the generation they belong to.</summary>
/// <param name="Traits">The traits.</param>
/// <param name="Generation">The provider generation.</param>
public sealed record ProviderTraits(ImmutableArray<string> Traits, long Generation)
{
    /// <summary>Equal when the generations and the traits are equal.</summary>
    public bool Equals(ProviderTraits? other) => other is not null && Generation == other.Generation && ArrayEquality.Equal(Traits, other.Traits);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Generation, ArrayEquality.Hash(Traits));
}
