using System.Net;
using System.Text;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests;

public sealed class UpstreamFailureTests : GatewayTest
{
    private const string Chat = """{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}]}""";
    private const string Messages = """{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}""";


    [Theory]
    [InlineData("/openai/v1/chat/completions", Chat)]
    [InlineData("/anthropic/v1/messages", Messages)]
    public async Task ErrorBeforeStream_RelaysStatusHeadersAndBodyAndRecordsFailed(string path, string body)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("carol"));

        using var response = await client.SendAsync(Wire.Post(path, body, ("x-mock-scenario", "error_before"), ("x-mock-status", "429")), ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("7", Wire.Header(response, "retry-after"));
        Assert.Equal(Assert.Single(Upstream.Exchanges).ResponseBody, bytes);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("failed", record.GetProperty("status").GetString());
        Assert.StartsWith("upstream returned 429", record.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("/openai/v1/chat/completions", Chat, "\"error\"")]
    [InlineData("/anthropic/v1/messages", Messages, "event: error")]
    public async Task ErrorMidStream_RelaysErrorEventAndRecordsFailed(string path, string body, string marker)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("carol"));

        using var response = await client.SendAsync(Wire.Post(path, body, ("x-mock-scenario", "error_mid")), HttpCompletionOption.ResponseHeadersRead, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(marker, Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("failed", record.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(record.GetProperty("error").GetString()));
    }

    [Theory]
    [InlineData("/openai/v1/chat/completions", Chat)]
    [InlineData("/anthropic/v1/messages", Messages)]
    public async Task ClientDisconnectMidStream_CancelsUpstreamAndRecordsCanceled(string path, string body)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("carol"));

        var response = await client.SendAsync(Wire.Post(path, body, ("x-mock-scenario", "hang"), ("x-mock-usage", "input=21,output=1")),
            HttpCompletionOption.ResponseHeadersRead, ct);
        var stream = await response.Content.ReadAsStreamAsync(ct);
        Assert.True(await stream.ReadAsync(new byte[1024], ct) > 0);
        response.Dispose();

        var exchange = Assert.Single(Upstream.Exchanges);
        await exchange.Completed.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.True(exchange.Aborted);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("canceled", record.GetProperty("status").GetString());
        Assert.NotNull(record.GetProperty("ended_at").GetString());
    }

    [Theory]
    [InlineData("/openai/v1/chat/completions", Chat, "\"error\":{\"message\"")]
    [InlineData("/anthropic/v1/messages", Messages, "\"type\":\"error\"")]
    public async Task UnreachableUpstream_Gives502InProviderShape(string path, string body, string shape)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var gateway = await GatewayUnderTest.StartAsync(upstream: null);
        using var client = gateway.CreateClient(await gateway.CreateKeyAsync("carol"));

        using var response = await client.SendAsync(Wire.Post(path, body), ct);
        var text = await response.Content.ReadAsStringAsync(ct);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains(shape, text, StringComparison.Ordinal);
        var record = await gateway.WaitForEndedAsync();
        Assert.Equal("failed", record.GetProperty("status").GetString());
        Assert.StartsWith("upstream_unreachable", record.GetProperty("error").GetString());
    }

    [Fact]
    public async Task IdleStream_GetsKeepAlivesInProviderForm()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var gateway = await GatewayUnderTest.StartAsync(Upstream, s => s with { KeepAliveInterval = TimeSpan.FromMilliseconds(150) });
        using var client = gateway.CreateClient(await gateway.CreateKeyAsync("carol"));

        using var chat = await client.SendAsync(Wire.Post("/openai/v1/chat/completions", Chat, ("x-mock-chunk-delay-ms", "700")), HttpCompletionOption.ResponseHeadersRead, ct);
        var chatText = await chat.Content.ReadAsStringAsync(ct);
        using var messages = await client.SendAsync(Wire.Post("/anthropic/v1/messages", Messages, ("x-mock-chunk-delay-ms", "700")), HttpCompletionOption.ResponseHeadersRead, ct);
        var messagesText = await messages.Content.ReadAsStringAsync(ct);

        Assert.Contains(": keep-alive\n\n", chatText, StringComparison.Ordinal);
        Assert.Contains("data: [DONE]", chatText, StringComparison.Ordinal);
        static int Pings(string text) => text.Split("event: ping\n").Length - 1;
        Assert.True(Pings(messagesText) > Pings(Encoding.UTF8.GetString(Upstream.Exchanges.Last().ResponseBody)),
            "the gateway should add ping events while the upstream is idle");
        Assert.Contains("event: message_stop", messagesText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdleTimeout_ResetsOnEveryEvent_ButCutsASilentUpstream()
    {
        var ct = TestContext.Current.CancellationToken;
        // 1 s against gaps of 150 ms: a loaded 2-core runner can stall a stream for a few hundred ms without it being silent.
        await using var gateway = await GatewayUnderTest.StartAsync(Upstream, s => s with { UpstreamIdleTimeout = TimeSpan.FromSeconds(1) });
        using var client = gateway.CreateClient(await gateway.CreateKeyAsync("carol"));

        using var slow = await client.SendAsync(Wire.Post("/anthropic/v1/messages", Messages, ("x-mock-chunk-delay-ms", "150"),
            ("x-mock-text", "one two three four five six seven eight")), HttpCompletionOption.ResponseHeadersRead, ct);
        var slowText = await slow.Content.ReadAsStringAsync(ct);
        using var silent = await client.SendAsync(Wire.Post("/anthropic/v1/messages", Messages, ("x-mock-scenario", "hang")), HttpCompletionOption.ResponseHeadersRead, ct);
        var silentText = await silent.Content.ReadAsStringAsync(ct);
        using var late = await client.SendAsync(Wire.Post("/openai/v1/chat/completions", Chat, ("x-mock-latency-ms", "3000")), ct);

        Assert.Contains("event: message_stop", slowText, StringComparison.Ordinal);
        Assert.Contains("event: error", silentText, StringComparison.Ordinal);
        Assert.Contains("\"timeout_error\"", silentText, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.GatewayTimeout, late.StatusCode);
        BadInputTests.AssertProviderError(await late.Content.ReadAsStringAsync(ct), "openai", "timeout_error");
        await gateway.WaitForEndedAsync(expected: 3);
        var records = await gateway.ListInterceptionsAsync();
        Assert.Equal(["failed", "failed", "completed"], records.Select(r => r.GetProperty("status").GetString()));
        Assert.All(records.Take(2), r => Assert.StartsWith("upstream_timeout", r.GetProperty("error").GetString()));
    }
}
