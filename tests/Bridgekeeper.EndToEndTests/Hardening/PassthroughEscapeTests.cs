using System.Net;
using System.Text;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests.Hardening;

/// <summary>
/// Passthrough is an allowlist (SPEC §3): whatever the client writes in the path, the upstream only ever gets an
/// allow-listed template with one safe <c>{id}</c> segment, never an upgrade, and never the client's billing headers.
/// Request targets go on the wire byte for byte (<see cref="RawHttp"/>), because HttpClient would normalize them.
/// </summary>
public sealed class PassthroughEscapeTests : GatewayTest
{
    private protected override Hosting.GatewaySettings Configure(Hosting.GatewaySettings settings) => settings with
    {
        MaxRequestBodyBytes = 64 * 1024,
        Providers = [.. settings.Providers.Select(p => p.Name == "openai" ? p with { Organization = "org-operator", Project = "proj_operator" } : p)],
    };

    public static TheoryData<string, string> HostileIds()
    {
        string[] routes = ["/openai/v1/models/", "/openai/v1/responses/", "/anthropic/v1/models/"];
        string[] ids =
        [
            "..%5Cfiles", "..%5C..%5Cv1%5Cfiles", "..%2Ffiles", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%5Cbatches", ".%2e%5Cfiles",
            "..%255Cfiles", "..%252Ffiles", "x%5C..%5C..%5Cfiles", "gpt%0d%0aX-Injected:%201", "gpt%7F", "gpt%C2%85", "...",
            "a..b", "%5C", "%2F",
        ];
        var data = new TheoryData<string, string>();
        foreach (var prefix in new[] { "", "/api/v2/aibridge" })
            foreach (var route in routes)
                foreach (var id in ids)
                    data.Add(prefix + route, id);
        return data;
    }

    [Theory]
    [MemberData(nameof(HostileIds))]
    public async Task HostileId_Gives400InProviderShapeAndReachesNoUpstream(string route, string id)
    {
        var response = await RawHttp.SendAsync(Gateway.Url, "GET", route + id, await HeadersAsync());

        Assert.Equal(400, response.Status);
        BadInputTests.AssertProviderError(response.Body, route.Contains("anthropic", StringComparison.Ordinal) ? "anthropic" : "openai", "invalid_request_error");
        Assert.Empty(Upstream.Exchanges);
    }

    [Theory]
    [InlineData("/openai/v1/models/..\\files")]
    [InlineData("/openai/v1/models/..\\..\\v1\\files")]
    [InlineData("/api/v2/aibridge/openai/v1/responses/..\\..\\files")]
    [InlineData("/openai/v1/models/%2e%2e/%2e%2e/files")]
    [InlineData("/openai/v1/models/../../files")]
    [InlineData("/anthropic/v1/models/../messages/batches")]
    [InlineData("/openai/v1/models/x/../../batches")]
    [InlineData("/openai/v1/models/gpt%00")]
    [InlineData("/anthropic/v1/models/%00")]
    [InlineData("/openai/v1/responses/%2e")]
    [InlineData("/openai/v1/responses/%2e%2e")]
    public async Task RawBackslashDotSegmentsOrNul_NeverReachTheUpstream(string target)
    {
        var response = await RawHttp.SendAsync(Gateway.Url, "GET", target, await HeadersAsync());

        Assert.InRange(response.Status, 400, 404);
        Assert.Empty(Upstream.Exchanges);
    }

    [Theory]
    [InlineData("/openai/v1/models/..%5Crealtime")]
    [InlineData("/openai/v1/models/..%2Frealtime")]
    [InlineData("/openai/v1/realtime")]
    public async Task WebSocketUpgrade_ToAnEscapingPath_NeverReachesTheUpstream(string target)
    {
        var response = await RawHttp.SendAsync(Gateway.Url, "GET", target, [.. await HeadersAsync(), .. UpgradeHeaders]);

        Assert.NotEqual(101, response.Status);
        Assert.InRange(response.Status, 400, 404);
        Assert.Empty(Upstream.Exchanges);
    }

    [Theory]
    [InlineData("/openai/v1/models", "/openai/v1/models")]
    [InlineData("/openai/v1/models/gpt-4o", "/openai/v1/models/gpt-4o")]
    [InlineData("/api/v2/aibridge/anthropic/v1/models/claude-sonnet-4-5", "/anthropic/v1/models/claude-sonnet-4-5")]
    [InlineData("/openai/v1/models/%2e", "/openai/v1/models")]
    public async Task UpgradeOnAnAllowedRoute_IsServedAsAPlainRequestWithoutUpgradeHeaders(string target, string upstreamPath)
    {
        var response = await RawHttp.SendAsync(Gateway.Url, "GET", target, [.. await HeadersAsync(), .. UpgradeHeaders]);

        Assert.Equal(200, response.Status);
        var exchange = Assert.Single(Upstream.Exchanges);
        Assert.Equal(upstreamPath, exchange.Path);
        Assert.DoesNotContain("upgrade", exchange.Headers.Keys);
        Assert.DoesNotContain("sec-websocket-key", exchange.Headers.Keys);
        Assert.False(exchange.Headers.TryGetValue("connection", out var connection) && connection.Contains("upgrade", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("ft:gpt-4o-mini:acme:support:abc123", "ft%3Agpt-4o-mini%3Aacme%3Asupport%3Aabc123")]
    [InlineData("gpt-4o", "gpt-4o")]
    [InlineData("claude 3 (legacy)", "claude%203%20%28legacy%29")]
    public async Task SafeId_ReachesTheUpstreamAsOneEscapedSegment(string id, string sent)
    {
        var response = await RawHttp.SendAsync(Gateway.Url, "GET", "/openai/v1/models/" + sent, await HeadersAsync());

        Assert.Equal(200, response.Status);
        Assert.Equal("/openai/v1/models/" + id, Assert.Single(Upstream.Exchanges).Path);
        Assert.Equal(id, JsonDocument.Parse(response.Body).RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Passthrough_DropsClientBillingOverrideAndHopHeaders_AttachesTheOperatorsOrganization()
    {
        var response = await RawHttp.SendAsync(Gateway.Url, "GET", "/openai/v1/models", [.. await HeadersAsync(), .. SmuggledHeaders]);

        Assert.Equal(200, response.Status);
        AssertUpstreamGotOnlyTheOperatorsHeaders(Assert.Single(Upstream.Exchanges));
        AssertNoAccountHeaders(response.Headers);
        Assert.StartsWith("{", response.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Intercepted_DropsClientBillingOverrideAndHopHeaders_AndTheUpstreamsAccountHeaders(bool stream)
    {
        var body = $$"""{"model":"gpt-4o","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""";
        var response = await RawHttp.SendAsync(Gateway.Url, "POST", "/openai/v1/chat/completions", [.. await HeadersAsync(), .. SmuggledHeaders], body);

        Assert.Equal(200, response.Status);
        var exchange = Assert.Single(Upstream.Exchanges);
        AssertUpstreamGotOnlyTheOperatorsHeaders(exchange);
        AssertNoAccountHeaders(response.Headers);
        Assert.True(response.Headers.ContainsKey("x-request-id"), "other upstream headers still reach the client");
        if (stream)
            Assert.EndsWith("data: [DONE]\n\n", response.Body, StringComparison.Ordinal);
        else
            Assert.Equal(Encoding.UTF8.GetString(exchange.ResponseBody), response.Body);
    }

    [Fact]
    public async Task AnthropicOrganizationOfTheGatewayKey_NeverReachesTheClient()
    {
        var body = """{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""";
        var messages = await RawHttp.SendAsync(Gateway.Url, "POST", "/anthropic/v1/messages", await HeadersAsync(), body);
        var models = await RawHttp.SendAsync(Gateway.Url, "GET", "/anthropic/v1/models", await HeadersAsync());

        Assert.Equal((200, 200), (messages.Status, models.Status));
        AssertNoAccountHeaders(messages.Headers);
        AssertNoAccountHeaders(models.Headers);
        Assert.True(messages.Headers.ContainsKey("request-id"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CountTokens_OverTheBodyLimit_Gives413InAnthropicShapeAndReachesNoUpstream(bool declaredLength)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("mallory"));
        var huge = Encoding.UTF8.GetBytes($$"""{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"{{new string('a', 70 * 1024)}}"}]}""");
        HttpContent content = declaredLength ? new ByteArrayContent(huge) : new StreamContent(new MemoryStream(huge));
        content.Headers.ContentType = new("application/json");
        if (!declaredLength)
            content.Headers.ContentLength = null;

        using var response = await client.PostAsync("/anthropic/v1/messages/count_tokens", content, ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        BadInputTests.AssertProviderError(await response.Content.ReadAsStringAsync(ct), "anthropic", "request_too_large");
        Assert.DoesNotContain(Upstream.Exchanges, e => e.Status == 200);
    }

    private static readonly (string, string)[] UpgradeHeaders =
        [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13")];

    private static readonly (string, string)[] SmuggledHeaders =
    [
        ("OpenAI-Organization", "org-attacker"), ("OpenAI-Project", "proj_attacker"), ("X-HTTP-Method-Override", "DELETE"),
        ("X-HTTP-Method", "DELETE"), ("X-Method-Override", "DELETE"), ("Connection", "keep-alive, X-Hop-Secret"), ("X-Hop-Secret", "s3cret"),
        ("Cookie", "session=client"), ("OpenAI-Beta", "assistants=v2"),
    ];

    private static void AssertUpstreamGotOnlyTheOperatorsHeaders(MockUpstream.MockExchange exchange)
    {
        Assert.Equal("org-operator", exchange.Headers["openai-organization"]);
        Assert.Equal("proj_operator", exchange.Headers["openai-project"]);
        Assert.Equal("Bearer " + GatewayUnderTest.OpenAIUpstreamKey, exchange.Headers["authorization"]);
        foreach (var name in new[] { "x-http-method-override", "x-http-method", "x-method-override", "x-hop-secret", "cookie" })
            Assert.False(exchange.Headers.ContainsKey(name), $"the upstream got {name}");
        Assert.Equal("assistants=v2", exchange.Headers["openai-beta"]);
        Assert.Equal("GET" == exchange.Method ? "GET" : "POST", exchange.Method);
    }

    private static void AssertNoAccountHeaders(IReadOnlyDictionary<string, string> headers)
    {
        foreach (var name in new[] { "set-cookie", "openai-organization", "openai-project", "anthropic-organization-id" })
            Assert.False(headers.ContainsKey(name), $"the client got {name}: {headers.GetValueOrDefault(name)}");
    }

    private async Task<(string, string)[]> HeadersAsync() => [("Authorization", "Bearer " + await Gateway.CreateKeyAsync("mallory"))];
}
