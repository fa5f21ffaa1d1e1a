using System.Net;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Hosting;
using Bridgekeeper.Providers;
using Bridgekeeper.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Bridgekeeper.EndToEndTests.Providers;

/// <summary>
/// A <c>copilot</c> instance on the mock's Copilot API, used directly on its base URL: the Bridgekeeper key comes in
/// <c>X-Api-Key</c> and the user's own Copilot token in <c>Authorization</c>. Chat Completions, Responses and Messages
/// are intercepted and recorded with exact tokens for the right user; the Copilot token arrives upstream exactly as
/// sent and the Bridgekeeper key never does; every other path passes through unrecorded, unless it tries to leave the
/// base URL (400, and nothing is sent).
/// </summary>
public sealed class CopilotTests : GatewayTest
{
    private const string CopilotToken = "tid=0c5f2a;exp=1760000000;sku=copilot_for_individual:abc;8kp=1:4b1d0e";

    private protected override GatewaySettings Configure(GatewaySettings settings) => settings with
    {
        Providers = [.. settings.Providers, new ProviderSettings("copilot", ProviderTypes.Copilot, null, Upstream.CopilotBaseUrl)],
    };

    private static string Chat(bool stream) =>
        $$"""{"model":"gpt-4o","stream":{{Json(stream)}},"messages":[{"role":"user","content":"Hello, Copilot"}]}""";

    private static string Responses(bool stream) =>
        $$"""{"model":"gpt-4.1","stream":{{Json(stream)}},"store":false,"input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"Hello, Copilot"}]}]}""";

    private static string Messages(bool stream) =>
        $$"""{"model":"claude-sonnet-4-5","max_tokens":256,"stream":{{Json(stream)}},"messages":[{"role":"user","content":"Hello, Copilot"}]}""";

    private static string Json(bool value) => value ? "true" : "false";

    public static TheoryData<string, bool, string> Routes => new()
    {
        { "chat/completions", false, "Bearer " + CopilotToken },
        { "chat/completions", true, "Bearer " + CopilotToken },
        { "responses", false, "token ghu_16C7e42F292c6912E7710c838347Ae178B4a" },
        { "responses", true, "Bearer " + CopilotToken },
        { "v1/messages", false, "Bearer " + CopilotToken },
        { "v1/messages", true, "token ghu_16C7e42F292c6912E7710c838347Ae178B4a" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Intercepted_TheUsersCopilotTokenGoesUpstreamExactlyAsSent_RecordedWithExactTokensForTheUser(string route, bool stream,
        string authorization)
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync("cora");
        using var client = CopilotClient(key, authorization);
        var (body, usage, expected) = route switch
        {
            "chat/completions" => (Chat(stream), "input=100,output=20,cache_read=30,reasoning=5", (100L, 20L, 30L, 0L, 5L)),
            "responses" => (Responses(stream), "input=9,output=4,cache_read=1", (9L, 4L, 1L, 0L, 0L)),
            _ => (Messages(stream), "input=12,output=40,cache_read=1000,cache_write=200", (12L, 40L, 1000L, 200L, 0L)),
        };

        using var response = await client.SendAsync(Wire.Post("/copilot/" + route, body, ("x-mock-usage", usage)), HttpCompletionOption.ResponseHeadersRead, ct);
        var text = await response.Content.ReadAsStringAsync(ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(stream ? "text/event-stream" : "application/json", response.Content.Headers.ContentType?.MediaType);
        var sent = Assert.Single(Upstream.Exchanges);
        Assert.Equal("/copilot/" + route, sent.Path);
        AssertOnlyTheCopilotTokenWent(sent, authorization, key);
        Assert.Equal(200, sent.Status);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal(("copilot", "completed", "cora"), (record.GetProperty("provider").GetString(), record.GetProperty("status").GetString(),
            record.GetProperty("user").GetProperty("name").GetString()));
        Assert.Equal(expected, ChatCompletionsTests.Tokens(Assert.Single(record.GetProperty("token_usages").EnumerateArray())));
        Assert.Equal(ProviderTypes.Copilot, (await StoredAsync(record)).ProviderType);
        Assert.Contains("Hello", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Intercepted_WithoutACopilotToken_CopilotAnswers401ItselfAndTheGatewayRelaysIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync("cora");
        using var client = Gateway.CreateClient(key, asXApiKey: true);

        using var response = await client.SendAsync(Wire.Post("/copilot/chat/completions", Chat(stream: false)), ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("error");
        Assert.Equal("unauthorized", error.GetProperty("code").GetString());
        var sent = Assert.Single(Upstream.Exchanges);
        Assert.False(sent.Headers.ContainsKey("authorization"));
        Assert.DoesNotContain(sent.Headers.Values, v => v.Contains(key, StringComparison.Ordinal));
        Assert.Equal("failed", (await Gateway.WaitForEndedAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Intercepted_BridgekeeperKeyInAuthorization_AuthenticatesTheUserButNeverGoesUpstream()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync("cora");
        using var client = Gateway.CreateClient(key);

        using var response = await client.SendAsync(Wire.Post("/copilot/v1/messages", Messages(stream: false)), ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var sent = Assert.Single(Upstream.Exchanges);
        Assert.False(sent.Headers.ContainsKey("authorization"));
        Assert.DoesNotContain(sent.Headers.Values, v => v.Contains(key, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/copilot/models")]
    [InlineData("/api/v2/aibridge/copilot/models")]
    public async Task Passthrough_Models_RelayedWithTheUsersTokenAndNotRecorded(string path)
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync("cora");
        using var client = CopilotClient(key, "Bearer " + CopilotToken);

        using var response = await client.GetAsync(path + "?client=vscode", ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(Upstream.Exchanges);
        Assert.Equal(("GET", "/copilot/models", "?client=vscode"), (sent.Method, sent.Path, sent.QueryString));
        AssertOnlyTheCopilotTokenWent(sent, "Bearer " + CopilotToken, key);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(sent.ResponseBody), await response.Content.ReadAsStringAsync(ct));
        var models = JsonDocument.Parse(sent.ResponseBody).RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString());
        Assert.Equal(["gpt-4o", "gpt-4.1", "claude-sonnet-4.5"], models);
        Assert.Empty(await Gateway.ListInterceptionsAsync());
    }

    [Fact]
    public async Task Passthrough_AnyOtherPathAndMethod_GoesUpstreamUnrecorded()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync("cora");
        using var client = CopilotClient(key, "Bearer " + CopilotToken);

        using var ping = await client.GetAsync("/copilot/_ping", ct);
        using var agents = await client.SendAsync(Wire.Post("/copilot/agents/github/tasks", """{"task":"x"}"""), ct);

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (ping.StatusCode, agents.StatusCode));
        Assert.Equal([("GET", "/copilot/_ping"), ("POST", "/copilot/agents/github/tasks")], Upstream.Exchanges.Select(e => (e.Method, e.Path)));
        Assert.Equal("""{"task":"x"}""", System.Text.Encoding.UTF8.GetString(Upstream.Exchanges[1].RequestBody));
        Assert.All(Upstream.Exchanges, e => AssertOnlyTheCopilotTokenWent(e, "Bearer " + CopilotToken, key));
        Assert.Empty(await Gateway.ListInterceptionsAsync());
    }

    [Theory]
    [InlineData("GET", "/copilot/..%2F..%2Fopenai%2Fv1%2Fmodels")]
    [InlineData("GET", "/copilot/models%2F..%2F..%2Fanthropic")]
    [InlineData("GET", "/copilot/a%2Fb")]
    [InlineData("GET", "/copilot/..%5C..%5Copenai")]
    [InlineData("GET", "/copilot/models\\..\\..\\openai")]
    [InlineData("POST", "/copilot/agents/..%2F..%2Fchat%2Fcompletions")]
    [InlineData("GET", "/copilot/models/%252F")]
    [InlineData("GET", "/copilot/models/x%7F")]
    [InlineData("GET", "/api/v2/aibridge/copilot/%2e%2e%5Cmodels")]
    public async Task Passthrough_HostilePath_Gives400InOpenAIShapeAndNeverReachesTheMock(string method, string target)
    {
        var key = await Gateway.CreateKeyAsync("cora");

        var response = await RawHttp.SendAsync(Gateway.Url, method, target, [("X-Api-Key", key), ("Authorization", "Bearer " + CopilotToken)],
            method == "POST" ? "{}" : null);

        Assert.Equal(400, response.Status);
        BadInputTests.AssertProviderError(response.Body, "openai", "invalid_request_error");
        Assert.Empty(Upstream.Exchanges);
    }

    [Fact]
    public async Task WebSocketUpgrade_OnAnInterceptedPath_Gets426()
    {
        var key = await Gateway.CreateKeyAsync("cora");

        var response = await RawHttp.SendAsync(Gateway.Url, "GET", "/copilot/responses", [("X-Api-Key", key), ("Authorization", "Bearer " + CopilotToken),
            ("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13"), ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")]);

        Assert.Equal(426, response.Status);
        Assert.Empty(Upstream.Exchanges);
    }

    [Fact]
    public async Task NoBridgekeeperKey_Gets401FromTheGateway_AndNothingGoesUpstream()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = CopilotClient(null, "Bearer " + CopilotToken);

        using var intercepted = await client.SendAsync(Wire.Post("/copilot/chat/completions", Chat(stream: false)), ct);
        using var passthrough = await client.GetAsync("/copilot/models", ct);

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (intercepted.StatusCode, passthrough.StatusCode));
        Assert.Empty(Upstream.Exchanges);
    }

    /// <summary>A client as an editor configured for the gateway's base URL: the Bridgekeeper key in X-Api-Key, the Copilot token as Authorization.</summary>
    private HttpClient CopilotClient(string? key, string authorization)
    {
        var client = Gateway.CreateClient(key, asXApiKey: true);
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        client.DefaultRequestHeaders.TryAddWithoutValidation("Copilot-Integration-Id", "vscode-chat");
        return client;
    }

    private static void AssertOnlyTheCopilotTokenWent(MockUpstream.MockExchange sent, string authorization, string key)
    {
        Assert.Equal(authorization, sent.Headers["authorization"]);
        Assert.False(sent.Headers.ContainsKey("x-api-key"));
        Assert.Equal("vscode-chat", sent.Headers["copilot-integration-id"]);
        Assert.DoesNotContain(sent.Headers.Values, v => v.Contains(key, StringComparison.Ordinal));
    }

    private async Task<InterceptionView> StoredAsync(JsonElement record) =>
        (await Gateway.App.App.Services.GetRequiredService<AuditStore>().GetAsync(record.GetProperty("id").GetGuid(), null, TestContext.Current.CancellationToken))!;
}
