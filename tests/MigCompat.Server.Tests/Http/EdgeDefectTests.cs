using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace MigCompat.Server.Tests.Http;

/// <summary>The defects found by attacking the service (issue 10): each answered with a 4xx problem a person can act on, never a 500 or a bare status.</summary>
public sealed class EdgeDefectTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_inventory_with_a_lone_surrogate_escape_is_refused_with_400_and_the_json_path()
    {
        await using var server = await FleetTestServer.StartAsync();
        var json = TestInventories.Json(TestInventories.Host("host-a", 1)).Replace("\"host\": \"host-a\"", "\"host\": \"host-a\\ud800\"", StringComparison.Ordinal);
        Assert.Contains("\\ud800", json, StringComparison.Ordinal);

        using var response = await PutRawAsync(server, "/v1/hosts/host-a", json);
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);

        Assert.Equal("$.host", problem.GetProperty("path").GetString());
        Assert.Contains("surrogate", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var stored = await server.Client(FleetTestServer.AdminToken).GetAsync("/v1/hosts/host-a", Ct);
        Assert.Equal(HttpStatusCode.NotFound, stored.StatusCode);
    }

    public static TheoryData<string, string> BadHostNamesInUrls => new()
    {
        { "a newline", "/v1/hosts/host%0Aa" },
        { "a tab", "/v1/hosts/host%09a" },
        { "a zero-width space", "/v1/hosts/host%E2%80%8Ba" },
        { "254 characters", "/v1/hosts/" + new string('h', 254) },
        { "7,000 characters", "/v1/hosts/" + new string('h', 7000) },
    };

    [Theory]
    [MemberData(nameof(BadHostNamesInUrls))]
    public async Task A_host_name_with_control_characters_or_over_253_characters_is_refused_with_400(string what, string path)
    {
        await using var server = await FleetTestServer.StartAsync();

        using var put = await PutRawAsync(server, path, "{}");
        var problem = await ProblemAsync(put, HttpStatusCode.BadRequest, what);
        Assert.Contains("host name", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var get = await server.Client(FleetTestServer.AdminToken).GetAsync(path, Ct);
        await ProblemAsync(get, HttpStatusCode.BadRequest, what);
        using var list = await server.Client(FleetTestServer.AdminToken).GetAsync("/v1/hosts", Ct);
        Assert.Equal(0, JsonSerializer.Deserialize<JsonElement>(await list.Content.ReadAsStringAsync(Ct)).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task A_253_character_host_name_is_a_host_name()
    {
        await using var server = await FleetTestServer.StartAsync();
        var name = new string('h', 253);

        using var put = await server.PutHostAsync(TestInventories.Host(name, 1));

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    [Fact]
    public async Task A_twenty_thousand_character_url_gets_a_414_problem()
    {
        await using var server = await FleetTestServer.StartAsync();

        using var response = await server.Client(FleetTestServer.AdminToken).GetAsync("/v1/hosts/" + new string('h', 20_000), Ct);
        var problem = await ProblemAsync(response, HttpStatusCode.RequestUriTooLong);

        Assert.Contains("8192", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string, string> LooseClaimAndTargetBodies => new()
    {
        { "duplicate key in a claim", "/v1/claims", """{"host":"host-b","host":"host-a","items":[{"resourceKey":"k","count":1}]}""", "$.host" },
        { "duplicate key in a claim item", "/v1/claims", """{"host":"host-a","items":[{"resourceKey":"k","count":1,"count":2}]}""", "$.items[0].count" },
        { "a number as a string in a claim", "/v1/claims", """{"host":"host-a","items":[{"resourceKey":"k","count":1}],"ttlSeconds":"60"}""", "$.ttlSeconds" },
        { "a count as a string", "/v1/claims", """{"host":"host-a","items":[{"resourceKey":"k","count":"1"}]}""", "$.items[0].count" },
        { "items and assignments both", "/v1/claims", """{"host":"host-a","items":[{"resourceKey":"k","count":1}],"assignments":[{"resourceKey":"k"}]}""", "$.assignments" },
        { "the same resourceKey twice", "/v1/claims", """{"host":"host-a","items":[{"resourceKey":"k","count":1},{"resourceKey":"k","count":1}]}""", "$.items[1].resourceKey" },
        { "a lone surrogate in a claim", "/v1/claims", """{"host":"host-a","items":[{"resourceKey":"k\ud800","count":1}]}""", "$.items[0].resourceKey" },
        { "a newline in a claim's host", "/v1/claims", """{"host":"host\na","items":[{"resourceKey":"k","count":1}]}""", "$.host" },
        { "a 300-character claim host", "/v1/claims", "{\"host\":\"" + new string('h', 300) + "\",\"items\":[{\"resourceKey\":\"k\",\"count\":1}]}", "$.host" },
        { "a string where a number goes", "/v1/claims", """{"host":5,"items":[]}""", "$.host" },
        { "an object where an array goes", "/v1/claims", """{"host":"host-a","items":{}}""", "$.items" },
        { "duplicate key in a target query", "/v1/migrations/targets", """{"sourceHost":"host-a","sourceHost":"host-b","devices":[{"id":"x"}]}""", "$.sourceHost" },
        { "a limit as a string", "/v1/migrations/targets", """{"sourceHost":"host-a","devices":[{"id":"x"}],"limit":"5"}""", "$.limit" },
        { "includeCold as a string", "/v1/migrations/targets", """{"sourceHost":"host-a","devices":[{"id":"x"}],"includeCold":"false"}""", "$.includeCold" },
        { "a newline in sourceHost", "/v1/migrations/targets", """{"sourceHost":"host-a\r\n","devices":[{"id":"x"}]}""", "$.sourceHost" },
    };

    [Theory]
    [MemberData(nameof(LooseClaimAndTargetBodies))]
    public async Task Claim_and_target_bodies_are_read_strictly_and_refusals_name_the_json_path_never_a_dotnet_type(string what, string path, string body, string jsonPath)
    {
        await using var server = await FleetTestServer.StartAsync();
        (await server.PutHostAsync(TestInventories.Host("host-a", 4))).Dispose();

        using var response = await server.Client(FleetTestServer.AdminToken).PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest, what);

        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Equal(jsonPath, problem.GetProperty("path").GetString());
        Assert.DoesNotContain("System.", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("Nullable", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("MigCompat.", detail, StringComparison.Ordinal);
        using var claims = await server.Client(FleetTestServer.AdminToken).GetAsync("/v1/hosts/host-a", Ct);
        Assert.DoesNotContain("\"claimed\":1", await claims.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_type_error_says_which_json_type_was_expected_at_which_path()
    {
        await using var server = await FleetTestServer.StartAsync();

        using var response = await server.Client(FleetTestServer.AdminToken).PostAsync("/v1/claims", new StringContent("""{"host":"host-a","items":[{"resourceKey":"k","count":1}],"ttlSeconds":"60"}""", Encoding.UTF8, "application/json"), Ct);
        var detail = (await ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("detail").GetString()!;

        Assert.Contains("$.ttlSeconds", detail, StringComparison.Ordinal);
        Assert.Contains("JSON number", detail, StringComparison.Ordinal);
        Assert.Contains("not a string", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_weak_if_match_never_matches()
    {
        await using var server = await FleetTestServer.StartAsync();
        (await server.PutHostAsync(TestInventories.Host("host-a", 4))).Dispose();

        using var request = new HttpRequestMessage(HttpMethod.Put, "/v1/hosts/host-a") { Content = new StringContent(TestInventories.Json(TestInventories.Host("host-a", 1)), Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("If-Match", "W/\"1\"");
        using var response = await server.Client(FleetTestServer.AdminToken).SendAsync(request, Ct);

        var problem = await ProblemAsync(response, HttpStatusCode.PreconditionFailed);
        Assert.Contains("weak", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, (await server.GetJsonAsync("/v1/hosts/host-a")).GetProperty("generation").GetInt64());
    }

    [Theory]
    [InlineData("\"01\"")]
    [InlineData("\"001\"")]
    [InlineData("W/\"01\"")]
    public async Task An_if_match_that_differs_from_the_sent_tag_in_any_character_never_matches(string ifMatch)
    {
        await using var server = await FleetTestServer.StartAsync();
        (await server.PutHostAsync(TestInventories.Host("host-a", 4))).Dispose();

        using var request = new HttpRequestMessage(HttpMethod.Put, "/v1/hosts/host-a") { Content = new StringContent(TestInventories.Json(TestInventories.Host("host-a", 1)), Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        using var response = await server.Client(FleetTestServer.AdminToken).SendAsync(request, Ct);

        var problem = await ProblemAsync(response, HttpStatusCode.PreconditionFailed, ifMatch);
        Assert.Contains("never matches", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, (await server.GetJsonAsync("/v1/hosts/host-a")).GetProperty("generation").GetInt64());
    }

    public static TheoryData<string, string, HttpStatusCode> UrlsThatAreNotUtf8 => new()
    {
        { "PUT", "/v1/hosts/host%FF", HttpStatusCode.BadRequest },
        { "GET", "/v1/hosts/host%ED%A0%80", HttpStatusCode.BadRequest },
        { "DELETE", "/v1/hosts/host%C0%AF", HttpStatusCode.BadRequest },
        { "GET", "/v1/vms?host=h%FF", HttpStatusCode.BadRequest },
        { "GET", "/v1/claims/c%ED%B0%80", HttpStatusCode.BadRequest },
        { "GET", "/v1/hosts/host%25FF", HttpStatusCode.NotFound },
        { "GET", "/v1/hosts/h%C3%A9", HttpStatusCode.NotFound },
    };

    [Theory]
    [MemberData(nameof(UrlsThatAreNotUtf8))]
    public async Task A_url_whose_escapes_are_not_utf8_is_refused_rather_than_read_as_literal_text_on_kestrel(string method, string target, HttpStatusCode expected)
    {
        await using var app = await StartKestrelAsync(new LogCapture());
        var address = new Uri(app.Urls.First());

        var answer = await SendRawAsync(address, $"{method} {target} HTTP/1.1\r\nHost: {address.Authority}\r\nAuthorization: Bearer {FleetTestServer.AdminToken}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

        Assert.StartsWith($"HTTP/1.1 {(int)expected} ", answer, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", answer, StringComparison.Ordinal);
        Assert.Equal(expected == HttpStatusCode.BadRequest, answer.Contains("is not UTF-8 once its %XX escapes are decoded", StringComparison.Ordinal));
    }

    public static TheoryData<string, string, string?, HttpStatusCode> FrameworkStatuses => new()
    {
        { "GET", "/v2/nothing", null, HttpStatusCode.NotFound },
        { "DELETE", "/v1/migrations/targets", null, HttpStatusCode.MethodNotAllowed },
        { "POST", "/v1/claims", "text/plain", HttpStatusCode.UnsupportedMediaType },
    };

    [Theory]
    [MemberData(nameof(FrameworkStatuses))]
    public async Task The_problems_the_framework_answers_carry_a_detail(string method, string path, string? contentType, HttpStatusCode expected)
    {
        await using var server = await FleetTestServer.StartAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (contentType is not null)
        {
            request.Content = new StringContent("{}", Encoding.UTF8, contentType);
        }

        using var response = await server.Client(FleetTestServer.AdminToken).SendAsync(request, Ct);
        var problem = await ProblemAsync(response, expected);

        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    public static TheoryData<string, Func<ServerOptions, ServerOptions>, string> ClashingTokens => new()
    {
        { "two agents sharing one token", o => o with { AgentTokens = ServerOptions.ParseAgentTokens("host-a=same;host-b=same") }, "agent token of host 'host-a'" },
        { "admin equal to read", o => o with { ReadToken = o.AdminToken }, "the read token" },
        { "admin equal to scheduler", o => o with { SchedulerToken = o.AdminToken }, "the scheduler token" },
        { "read equal to an agent's", o => o with { AgentTokens = ServerOptions.ParseAgentTokens("host-a=" + o.ReadToken) }, "agent token of host 'host-a'" },
        { "an agent for a name that is no host name", o => o with { AgentTokens = ServerOptions.ParseAgentTokens("host a=tok") }, "host a" },
        { "a read token that ends in a space", o => o with { ReadToken = o.AdminToken + " " }, "the read token" },
        { "an admin token with a newline", o => o with { AdminToken = "admin-secret\nx" }, "the admin token" },
        { "an agent token with a tab", o => o with { AgentTokens = ImmutableDictionary<string, string>.Empty.Add("host-a", "tok\ttok") }, "agent token of host 'host-a'" },
    };

    [Theory]
    [MemberData(nameof(ClashingTokens))]
    public void A_token_configuration_mistake_refuses_to_start_with_a_clear_message(string what, Func<ServerOptions, ServerOptions> configure, string named)
    {
        var options = configure(new ServerOptions { AdminToken = "admin-secret", ReadToken = "read-secret", SchedulerToken = "scheduler-secret" });

        var e = Assert.Throws<FormatException>(() => MigCompatServer.CreateBuilder(options));

        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Length > 40, what);
    }

    [Fact]
    public async Task An_aborted_request_is_not_logged_as_a_failure()
    {
        var logs = new LogCapture();
        await using var server = await FleetTestServer.StartAsync(customize: builder => builder.Logging.AddProvider(logs));
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var request = new HttpRequestMessage(HttpMethod.Put, "/v1/hosts/host-a") { Content = new NeverEndingContent(abort) };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => server.Client(FleetTestServer.AdminToken).SendAsync(request, abort.Token));
        await Task.Delay(300, Ct);

        Assert.DoesNotContain(logs.Entries, entry => entry.Level >= LogLevel.Warning);
        using var health = await server.Client(null).GetAsync("/healthz", Ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Theory]
    [InlineData("PUT", "/v1/hosts/host-a", "{\"schema_version\": 1, ")]
    [InlineData("POST", "/v1/claims", "{\"host\":")]
    [InlineData("PUT", "/v1/hosts/host-a", "")]
    public async Task A_client_that_hangs_up_in_the_middle_of_its_body_is_not_logged_as_a_failure_on_kestrel(string method, string path, string partialBody)
    {
        var logs = new LogCapture();
        await using (var app = await StartKestrelAsync(logs))
        {
            var address = new Uri(app.Urls.First());
            for (var attempt = 0; attempt < 3; attempt++)
            {
                // An IPv4 socket: a TcpClient's dual-mode socket closes gracefully despite a zero linger, and nothing breaks.
                using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await socket.ConnectAsync(System.Net.IPAddress.Loopback, address.Port, Ct);
                await socket.SendAsync(Encoding.ASCII.GetBytes(
                    $"{method} {path} HTTP/1.1\r\nHost: {address.Authority}\r\nAuthorization: Bearer {FleetTestServer.AdminToken}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{partialBody}"), Ct);
                await Task.Delay(200, Ct);
                socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
                socket.Close();
            }

            await Task.Delay(1000, Ct);
        }

        Assert.DoesNotContain(logs.Entries, entry => entry.Level >= LogLevel.Warning);
    }

    /// <summary>The server on Kestrel at 127.0.0.1 (a free port), on its own SQLite file, logging to <paramref name="logs"/>; stops and deletes it when disposed.</summary>
    private static async Task<KestrelServer> StartKestrelAsync(LogCapture logs)
    {
        var directory = new TempDirectory();
        var builder = MigCompatServer.CreateBuilder(new ServerOptions
        {
            Database = Path.Combine(directory.Path, "fleet.db"),
            Urls = "http://127.0.0.1:0",
            AdminToken = FleetTestServer.AdminToken,
            RefreshInterval = TimeSpan.Zero,
            ExpirySweepInterval = TimeSpan.Zero,
        });
        builder.Logging.AddProvider(logs);
        var app = MigCompatServer.BuildApp(builder);
        await app.StartAsync(Ct);
        await MigCompatServer.WhenReadyAsync(app, Ct);
        return new KestrelServer(app, directory);
    }

    private static async Task<string> SendRawAsync(Uri address, string request)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(address.Host, address.Port, Ct);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), Ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(Ct);
    }

    /// <summary>A started Kestrel application and the directory of its database.</summary>
    private sealed class KestrelServer(Microsoft.AspNetCore.Builder.WebApplication app, TempDirectory directory) : IAsyncDisposable
    {
        public ICollection<string> Urls => app.Urls;

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            directory.Dispose();
        }
    }

    public static TheoryData<string, string, string, string?, HttpStatusCode, string> Refusals => new()
    {
        { "no token", "GET", "/v1/hosts", null, HttpStatusCode.Unauthorized, "needs a bearer token" },
        { "an unknown token", "GET", "/v1/hosts", "nobody", HttpStatusCode.Unauthorized, "not known" },
        { "an agent reading the fleet", "GET", "/v1/hosts", FleetTestServer.AgentA, HttpStatusCode.Forbidden, "its own host" },
        { "an agent writing another host", "POST", "/v1/hosts/host-b/drain", FleetTestServer.AgentA, HttpStatusCode.Forbidden, "belongs to host 'host-a'" },
        { "an agent reading another host", "GET", "/v1/hosts/host-b", FleetTestServer.AgentA, HttpStatusCode.Forbidden, "its own host" },
        { "the read token writing", "DELETE", "/v1/hosts/host-a", FleetTestServer.ReadToken, HttpStatusCode.Forbidden, "cannot write" },
        { "the read token claiming", "POST", "/v1/claims/x/confirm", FleetTestServer.ReadToken, HttpStatusCode.Forbidden, "scheduler token or the admin token" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Refused_requests_get_a_problem_that_says_why(string what, string method, string path, string? token, HttpStatusCode expected, string says)
    {
        await using var server = await FleetTestServer.StartAsync();
        (await server.PutHostAsync(TestInventories.Host("host-a", 1))).Dispose();

        using var response = await server.Client(token).SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct);
        var problem = await ProblemAsync(response, expected, what);

        Assert.Contains(says, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(expected == HttpStatusCode.Unauthorized, response.Headers.WwwAuthenticate.Any(h => h.Scheme == "Bearer"));
    }

    private static async Task<HttpResponseMessage> PutRawAsync(FleetTestServer server, string path, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        return await server.Client(FleetTestServer.AdminToken).SendAsync(request, Ct);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected, string? what = null)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(expected == response.StatusCode, $"{what}: expected {expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonSerializer.Deserialize<JsonElement>(text);
    }

    /// <summary>Sends a bit of a body, then cancels the request while the server waits for the rest.</summary>
    private sealed class NeverEndingContent(CancellationTokenSource abort) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync("{\"schema_version\": 1, "u8.ToArray());
            await stream.FlushAsync();
            await Task.Delay(200);
            await abort.CancelAsync();
            await Task.Delay(Timeout.Infinite, abort.Token);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>Keeps every log entry the server writes.</summary>
    private sealed class LogCapture : ILoggerProvider
    {
        public ConcurrentBag<(LogLevel Level, string Category, string Message)> Entries { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(LogCapture owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Add((logLevel, category, formatter(state, exception) + (exception is null ? "" : " " + exception)));
        }
    }
}
