using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace MigCompat.Cli.Fleet;

/// <summary>A small client of the fleet HTTP API (docs/api.md) for the CLI.</summary>
internal sealed class FleetClient : IDisposable
{
    private readonly HttpClient http;

    public FleetClient(Uri server, string? token, TimeSpan? timeout = null)
    {
        http = new HttpClient { BaseAddress = server, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        if (!string.IsNullOrEmpty(token))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Task<FleetResponse> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);

    public Task<FleetResponse> PostJsonAsync(string path, object body, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") }, cancellationToken);

    public Task<FleetResponse> DeleteAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Delete, path), cancellationToken);

    /// <summary>
    /// Runs one API call for <paramref name="command"/>: an unreachable or silent server and an error answer
    /// are one line on stderr with an exit code (2 for a refused request, 4 for the server); the answer (JSON, or
    /// 204 without a body) when it succeeded.
    /// </summary>
    public static async Task<(FleetResponse? Answer, int ExitCode)> CallAsync(string command, Uri server, Func<Task<FleetResponse>> call, TextWriter stderr, CancellationToken cancellationToken)
    {
        FleetResponse answer;
        try
        {
            answer = await call();
        }
        catch (HttpRequestException e)
        {
            await stderr.WriteLineAsync($"{command}: the server at {server} is unreachable: {e.Message}");
            return (null, FleetExitCodes.ServerFailed);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync($"{command}: the server at {server} did not answer in time");
            return (null, FleetExitCodes.ServerFailed);
        }

        if (!answer.IsSuccess || (answer.Json is null && answer.Status != HttpStatusCode.NoContent))
        {
            await stderr.WriteLineAsync($"{command}: {answer.Message}");
            return (null, answer.Status is HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest or HttpStatusCode.NotFound or HttpStatusCode.Conflict ? ExitCodes.UnusableInput : FleetExitCodes.ServerFailed);
        }

        return (answer, ExitCodes.Success);
    }

    public Task<FleetResponse> PutInventoryAsync(string host, string inventoryJson, long generation, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "/v1/hosts/" + Uri.EscapeDataString(host))
        {
            Content = new StringContent(inventoryJson, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("If-Match", "\"" + generation.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"");
        return SendAsync(request, cancellationToken);
    }

    public void Dispose() => http.Dispose();

    /// <summary>How long the server asked to wait (<c>Retry-After</c>: seconds or a date), when it did.</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };

    private async Task<FleetResponse> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonElement? json = null;
            try
            {
                json = text.Length == 0 ? null : JsonSerializer.Deserialize<JsonElement>(text);
            }
            catch (JsonException)
            {
                // Not JSON (e.g. a proxy's error page); Message uses the text.
            }

            return new FleetResponse(response.StatusCode, json, text) { RetryAfter = RetryAfter(response) };
        }
    }
}

/// <summary>A fleet API answer.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Json">The body as JSON, when it is JSON.</param>
/// <param name="Text">The body as text.</param>
internal sealed record FleetResponse(HttpStatusCode Status, JsonElement? Json, string Text)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;

    /// <summary>How long the server asked the client to wait before retrying (<c>Retry-After</c>), when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>A one-line explanation of an error answer: the problem's detail, else the body.</summary>
    public string Message
    {
        get
        {
            var detail = Json is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            var text = detail ?? (Text.Length > 200 ? Text[..200] + "..." : Text);
            return $"HTTP {(int)Status} {Status}: {text}";
        }
    }

    public long? LongProperty(string name) =>
        Json is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty(name, out var value) && value.TryGetInt64(out var number) ? number : null;
}
