using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace MigCompat.Server.Http;

/// <summary>Reads a small JSON request body with a size limit and a clear message when it is not what the endpoint expects.</summary>
internal sealed class JsonBody(IOptions<JsonOptions> jsonOptions, ServerOptions options)
{
    public async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        var body = await LimitedBody.ReadAsync(request, options.MaxRequestBytes, cancellationToken);
        if (body is null)
        {
            return (null, Problems.TooLarge(options.MaxRequestBytes));
        }

        if (body.Length == 0)
        {
            return (null, Problems.BadRequest("the request has no body; send a JSON object (see /openapi/v1.json)"));
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(body, jsonOptions.Value.SerializerOptions);
            return value is null
                ? (null, Problems.BadRequest("the body is JSON null; send a JSON object"))
                : (value, null);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1}{(string.IsNullOrEmpty(e.Path) ? "" : ", at " + e.Path)})" : "";
            return (null, Problems.BadRequest($"the body is not the JSON this endpoint expects{where}: {e.Message}"));
        }
    }
}
