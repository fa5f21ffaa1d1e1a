using System.Globalization;
using System.Net;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;
using static Bridgekeeper.EndToEndTests.Infrastructure.Prometheus;

namespace Bridgekeeper.EndToEndTests.Hardening;

/// <summary>
/// Key pools and circuits through the real gateway and the mock upstream: a key the upstream rate-limited is not used
/// for the next requests while the other key serves them; after repeated 5xx answers (or streams that drop) the
/// gateway answers 503 with <c>Retry-After</c> in the provider's shape, at once, without reaching the upstream.
/// </summary>
public sealed class UpstreamResilienceTests : GatewayTest
{
    private const string SecondOpenAIKey = "sk-upstream-openai-second";
    private const string SecondAnthropicKey = "sk-ant-upstream-second";

    private protected override Hosting.GatewaySettings Configure(Hosting.GatewaySettings settings) => settings with
    {
        Providers =
        [
            settings.Providers[0] with { Keys = [GatewayUnderTest.OpenAIUpstreamKey, SecondOpenAIKey] },
            settings.Providers[1] with { Keys = [GatewayUnderTest.AnthropicUpstreamKey, SecondAnthropicKey] },
        ],
    };

    public static TheoryData<string, string, bool> Routes() => new()
    {
        { "/openai/v1/chat/completions", """{"model":"m-1","stream":STREAM,"messages":[{"role":"user","content":"hi"}]}""", false },
        { "/openai/v1/responses", """{"model":"m-1","stream":STREAM,"input":"hi"}""", true },
        { "/anthropic/v1/messages", """{"model":"m-1","max_tokens":64,"stream":STREAM,"messages":[{"role":"user","content":"hi"}]}""", false },
        { "/anthropic/v1/messages", """{"model":"m-1","max_tokens":64,"stream":STREAM,"messages":[{"role":"user","content":"hi"}]}""", true },
    };

    private static string Shape(string route) => route.StartsWith("/anthropic", StringComparison.Ordinal) ? "anthropic" : "openai";

    /// <summary>The upstream key an exchange was sent with (Bearer for OpenAI, x-api-key for Anthropic).</summary>
    private static string KeyOf(MockUpstream.MockExchange exchange) =>
        exchange.Headers.TryGetValue("x-api-key", out var key) ? key : exchange.Headers["authorization"]["Bearer ".Length..];

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task KeyPool_FirstKeyRateLimited_TheNextRequestsUseTheSecond(string route, string body, bool stream)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("rita"));
        body = body.Replace("STREAM", stream ? "true" : "false", StringComparison.Ordinal);
        var (first, second) = Shape(route) == "anthropic"
            ? (GatewayUnderTest.AnthropicUpstreamKey, SecondAnthropicKey)
            : (GatewayUnderTest.OpenAIUpstreamKey, SecondOpenAIKey);

        using (var limited = await client.SendAsync(Wire.Post(route, body, ("x-mock-scenario", "error_before"), ("x-mock-status", "429")), ct))
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);   // relayed as it came: never retried with the other key
        for (var i = 0; i < 2; i++)
        {
            using var served = await client.SendAsync(Wire.Post(route, body), ct);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            await served.Content.ReadAsByteArrayAsync(ct);
        }

        Assert.Equal([first, second, second], Upstream.Exchanges.Select(KeyOf));   // in turn, the key would have been the first again
        var metrics = await Gateway.CreateClient(null).GetStringAsync("/metrics", ct);
        Assert.Equal(1, Value(metrics, "bridgekeeper_upstream_keys", $"provider=\"{Shape(route)}\"", "state=\"set_aside\""));
        Assert.Equal(1, Value(metrics, "bridgekeeper_upstream_keys", $"provider=\"{Shape(route)}\"", "state=\"available\""));
        Assert.Equal(1, Value(metrics, "bridgekeeper_upstream_key_set_asides_total", $"provider=\"{Shape(route)}\"", "reason=\"rate_limited\""));
        var logs = string.Join('\n', Gateway.Logs.Lines);
        Assert.Contains("key 0 (…" + first[^4..] + ") set aside for 7 s after the upstream answered 429", logs, StringComparison.Ordinal);   // the mock says retry-after: 7
        Assert.DoesNotContain(first, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(second, logs, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Circuit_RepeatedServerErrors_Answer503WithRetryAfterInTheProvidersShapeWithoutTheUpstream(string route, string body, bool stream)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("sam"));
        body = body.Replace("STREAM", stream ? "true" : "false", StringComparison.Ordinal);
        for (var i = 0; i < 5; i++)
        {
            using var failed = await client.SendAsync(Wire.Post(route, body, ("x-mock-scenario", "error_before"), ("x-mock-status", i % 2 == 0 ? "500" : "529")), ct);
            Assert.Equal(i % 2 == 0 ? 500 : 529, (int)failed.StatusCode);
        }

        using var refused = await client.SendAsync(Wire.Post(route, body), ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        var retryAfter = int.Parse(Wire.Header(refused, "Retry-After"), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 30);
        var text = await refused.Content.ReadAsStringAsync(ct);
        BadInputTests.AssertProviderError(text, Shape(route), "overloaded_error");
        Assert.Equal(5, Upstream.Exchanges.Count);
        await Gateway.WaitForEndedAsync(expected: 6);
        Assert.Single(await Gateway.ListInterceptionsAsync(),
            i => i.GetProperty("error").GetString()?.StartsWith("upstream_circuit_open:", StringComparison.Ordinal) == true);
        var metrics = await Gateway.CreateClient(null).GetStringAsync("/metrics", ct);
        Assert.Equal(2, Value(metrics, "bridgekeeper_upstream_circuit_state", $"provider=\"{Shape(route)}\"", "model=\"other\""));
        Assert.Equal(1, Value(metrics, "bridgekeeper_upstream_circuit_changes_total", $"provider=\"{Shape(route)}\"", "state=\"opened\""));
        Assert.Single(Gateway.Logs.Lines, l => l.Contains("circuit for other opened", StringComparison.Ordinal));
        using (var otherProvider = await client.SendAsync(Wire.Post(Shape(route) == "anthropic" ? "/openai/v1/chat/completions" : "/anthropic/v1/messages",
            Shape(route) == "anthropic" ? """{"model":"m-1","messages":[{"role":"user","content":"hi"}]}""" : """{"model":"m-1","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}"""), ct))
            Assert.Equal(HttpStatusCode.OK, otherProvider.StatusCode);   // circuits are per provider instance
    }

    [Fact]
    public async Task Circuit_StreamsThatDropMidway_OpenIt()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("dora"));
        const string Body = """{"model":"m-1","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}""";
        for (var i = 0; i < 5; i++)
        {
            using var dropped = await client.SendAsync(Wire.Post("/anthropic/v1/messages", Body, ("x-mock-scenario", "drop")), ct);
            Assert.Equal(HttpStatusCode.OK, dropped.StatusCode);   // the stream had started: the error is in-stream
            Assert.Contains("event: error", await dropped.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        using var refused = await client.SendAsync(Wire.Post("/anthropic/v1/messages", Body), ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("overloaded_error", JsonDocument.Parse(await refused.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(5, Upstream.Exchanges.Count);
    }
}
