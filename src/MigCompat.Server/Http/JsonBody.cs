using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using MigCompat.Discovery.Json;

namespace MigCompat.Server.Http;

/// <summary>
/// Reads a small JSON request body with a size limit, as strictly as inventories are read: UTF-8,
/// well-formed, no property twice in one object, no lone surrogate escape, numbers as JSON numbers
/// (never strings), property names as written (camelCase). Every refusal names the JSON path and
/// the JSON type expected there.
/// </summary>
internal sealed class JsonBody
{
    /// <summary>How deep a request body may nest.</summary>
    public const int MaxDepth = 32;

    private readonly ServerOptions options;
    private readonly JsonSerializerOptions strict;

    public JsonBody(IOptions<JsonOptions> jsonOptions, ServerOptions options)
    {
        this.options = options;
        strict = new JsonSerializerOptions(jsonOptions.Value.SerializerOptions)
        {
            NumberHandling = JsonNumberHandling.Strict,
            PropertyNameCaseInsensitive = false,
            AllowDuplicateProperties = false,
            MaxDepth = MaxDepth,
        };
    }

    public Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class =>
        ReadAsync<T>(request, options.MaxRequestBytes, cancellationToken);

    /// <summary>Reads a body of at most <paramref name="limit"/> bytes (a plan is larger than a query).</summary>
    public async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, int limit, CancellationToken cancellationToken)
        where T : class
    {
        var body = await LimitedBody.ReadAsync(request, limit, cancellationToken);
        if (body is null)
        {
            return (null, Problems.TooLarge(limit));
        }

        if (body.Length == 0)
        {
            return (null, Problems.BadRequest("the request has no body; send a JSON object (see /openapi/v1.json)"));
        }

        if (!Utf8.IsValid(body))
        {
            return (null, Problems.BadRequest("the body is not valid UTF-8 text; send JSON as UTF-8"));
        }

        if (JsonTextScanner.Scan(body, MaxDepth).First is { } invalid)
        {
            return (null, Problems.BadRequest(StrictJson.Refusal(invalid), [new("path", invalid.Path)]));
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(body, strict);
            return value is null
                ? (null, Problems.BadRequest("the body is JSON null; send a JSON object", [new("path", "$")]))
                : (value, null);
        }
        catch (JsonException e)
        {
            var path = string.IsNullOrEmpty(e.Path) ? "$" : e.Path;
            return (null, Problems.BadRequest($"the body is not the JSON this endpoint expects: {StrictJson.ExpectedAt(typeof(T), path)} (see /openapi/v1.json)", [new("path", path)]));
        }
    }
}
