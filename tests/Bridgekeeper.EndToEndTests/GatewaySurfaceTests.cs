using System.Net;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests;

/// <summary>Routing, passthrough, roles and secret hygiene across the public surface.</summary>
public sealed class GatewaySurfaceTests : GatewayTest
{
    private protected override Hosting.GatewaySettings Configure(Hosting.GatewaySettings settings) =>
        settings with { StructuredLogging = true };

    private const string Chat = """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""";


    [Theory]
    [InlineData("/openai/v1/models", "authorization", "Bearer " + GatewayUnderTest.OpenAIUpstreamKey)]
    [InlineData("/openai/v1/models/gpt-4o", "authorization", "Bearer " + GatewayUnderTest.OpenAIUpstreamKey)]
    [InlineData("/anthropic/v1/models", "x-api-key", GatewayUnderTest.AnthropicUpstreamKey)]
    [InlineData("/api/v2/aibridge/anthropic/v1/models?limit=5", "x-api-key", GatewayUnderTest.AnthropicUpstreamKey)]
    public async Task Passthrough_SwapsKeyAndRelaysVerbatim(string path, string header, string expected)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("ivan"), asXApiKey: header == "x-api-key");

        using var response = await client.GetAsync(path, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var exchange = Assert.Single(Upstream.Exchanges);
        Assert.Equal(exchange.ResponseBody, bytes);
        Assert.Equal(expected, exchange.Headers[header]);
        Assert.Equal(path.Contains('?') ? "?limit=5" : "", exchange.QueryString);
        Assert.DoesNotContain(exchange.Headers, h => h.Value.Contains("bk_", StringComparison.Ordinal));
        Assert.Empty(await Gateway.ListInterceptionsAsync());
    }

    [Fact]
    public async Task CountTokens_PassesThroughUnderAibridgePrefix()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("ivan"), asXApiKey: true);

        using var response = await client.SendAsync(Wire.Post("/api/v2/aibridge/anthropic/v1/messages/count_tokens",
            """{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"count me"}]}"""), ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(Wire.Json(await response.Content.ReadAsByteArrayAsync(ct)).GetProperty("input_tokens").GetInt32() > 0);
    }

    [Fact]
    public async Task AibridgePrefix_InterceptsLikeTheRoot()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("ivan"));

        using var response = await client.SendAsync(Wire.Post("/api/v2/aibridge/openai/v1/chat/completions", Chat), ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/openai/v1/chat/completions", Assert.Single(Upstream.Exchanges).Path);
        Assert.Equal("completed", (await Gateway.WaitForEndedAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Member_SeesOnlyOwnInterceptions()
    {
        var ct = TestContext.Current.CancellationToken;
        var judy = await Gateway.CreateKeyAsync("judy");
        var mallory = await Gateway.CreateKeyAsync("mallory");
        using (var client = Gateway.CreateClient(judy))
            (await client.SendAsync(Wire.Post("/openai/v1/chat/completions", Chat), ct)).Dispose();
        var judys = await Gateway.WaitForEndedAsync();
        var id = judys.GetProperty("id").GetString();

        using var malloryClient = Gateway.CreateClient(mallory);
        using var single = await malloryClient.GetAsync($"/api/v1/interceptions/{id}", ct);
        var list = JsonDocument.Parse(await malloryClient.GetStringAsync("/api/v1/interceptions", ct)).RootElement;
        using var judyClient = Gateway.CreateClient(judy);
        using var own = await judyClient.GetAsync($"/api/v1/interceptions/{id}", ct);

        Assert.Equal(HttpStatusCode.NotFound, single.StatusCode);
        Assert.Empty(list.GetProperty("interceptions").EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal("judy", judys.GetProperty("user").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Hygiene_NoKeyReachesUpstreamOrAnyLogLine()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync("kim");
        using (var bearer = Gateway.CreateClient(key))
        {
            (await bearer.SendAsync(Wire.Post("/openai/v1/chat/completions", Chat, ("x-mock-scenario", "tool_call")), ct)).Dispose();
            (await bearer.SendAsync(Wire.Post("/openai/v1/chat/completions", "{not json"), ct)).Dispose();
            (await bearer.GetAsync("/openai/v1/models", ct)).Dispose();
        }
        using (var xApiKey = Gateway.CreateClient(key, asXApiKey: true))
            (await xApiKey.SendAsync(Wire.Post("/anthropic/v1/messages", """{"model":"m","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"x"}]}"""), ct)).Dispose();
        using (var wrong = Gateway.CreateClient(key + "x"))
            (await wrong.SendAsync(Wire.Post("/openai/v1/chat/completions", Chat), ct)).Dispose();
        await Gateway.WaitForEndedAsync(expected: 3);

        Assert.All(Upstream.Exchanges, e => Assert.DoesNotContain(e.Headers, h => h.Value.Contains(key, StringComparison.Ordinal)));
        Assert.All(Upstream.Exchanges, e => Assert.DoesNotContain(key, System.Text.Encoding.UTF8.GetString(e.RequestBody), StringComparison.Ordinal));
        Assert.NotEmpty(Gateway.Logs.Lines);
        Assert.Contains(Gateway.Logs.Lines, l => l.Contains("interception log", StringComparison.Ordinal) && l.Contains("record_type=token_usage", StringComparison.Ordinal));
        foreach (var secret in new[] { key, key[3..], Gateway.AdminKey, GatewayUnderTest.OpenAIUpstreamKey, GatewayUnderTest.AnthropicUpstreamKey })
            Assert.DoesNotContain(Gateway.Logs.Lines, l => l.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ServiceRoutes_AnswerWithoutKey()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(key: null);

        using var health = await client.GetAsync("/healthz", ct);
        using var ready = await client.GetAsync("/readyz", ct);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Theory]
    [InlineData("openai/v1/chat/completions")]
    [InlineData("openai/v1/responses")]
    [InlineData("api/v2/aibridge/openai/v1/responses")]
    [InlineData("anthropic/v1/messages")]
    public async Task WebSocketUpgrade_IsRefusedAtOnceWith426(string path)
    {
        var ct = TestContext.Current.CancellationToken;
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Authorization", "Bearer " + await Gateway.CreateKeyAsync("ws-user"));
        var url = new Uri(Gateway.Url.AbsoluteUri.Replace("http://", "ws://", StringComparison.Ordinal) + path);

        await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => socket.ConnectAsync(url, ct));

        Assert.Equal(HttpStatusCode.UpgradeRequired, socket.HttpStatusCode);
        Assert.Empty(Upstream.Exchanges);
    }
}
