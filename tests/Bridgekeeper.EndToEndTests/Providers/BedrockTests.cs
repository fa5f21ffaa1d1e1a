using System.Net;
using System.Text;
using System.Text.Json;
using Anthropic;
using Anthropic.Models.Messages;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Hosting;
using Bridgekeeper.MockUpstream;

namespace Bridgekeeper.EndToEndTests.Providers;

/// <summary>
/// Claude through <c>/bedrock</c>: clients speak Anthropic Messages, the gateway speaks Bedrock Runtime to the mock's
/// Bedrock stand-in, which verifies SigV4 as the service does and answers in event-stream frames with CRC-32s. What the
/// client gets is what the Anthropic API sends; what is recorded is exact and once.
/// </summary>
public sealed class BedrockTests : GatewayTest
{
    private const string Path = "/bedrock/v1/messages";

    private static string Body(bool stream, string model = "claude-sonnet-4-5-20250929", string prompt = "Hello, Bedrock") =>
        $$"""{"model":"{{model}}","max_tokens":256,"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"{{prompt}}"}]}""";

    private const string Usage = "input=12,output=40,cache_read=1000,cache_write=200";

    [Fact]
    public async Task Blocking_TheAnthropicMessage_ModelInThePath_RecordedWithTheBedrockIdAndExactTokens()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("bea"));

        using var response = await client.SendAsync(Wire.Post(Path, Body(stream: false), ("x-mock-usage", Usage)), ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement;
        Assert.Equal("Hello from the mock upstream.", message.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("x-amzn-bedrock-", StringComparison.OrdinalIgnoreCase));
        var sent = Assert.Single(Upstream.Exchanges);
        Assert.Equal("/bedrock/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke", sent.RawPath);
        var body = JsonDocument.Parse(sent.RequestBody).RootElement;
        Assert.False(body.TryGetProperty("model", out _));
        Assert.False(body.TryGetProperty("stream", out _));
        Assert.Equal("bedrock-2023-05-31", body.GetProperty("anthropic_version").GetString());
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal(("bedrock", "claude-sonnet-4-5-20250929", "completed"), (record.GetProperty("provider").GetString(), record.GetProperty("model").GetString(),
            record.GetProperty("status").GetString()));
        Assert.Equal(GatewayUnderTest.BedrockModel, record.GetProperty("metadata").GetProperty("upstream_model").GetString());
        Assert.Equal((12, 40, 1000, 200, 0), ChatCompletionsTests.Tokens(Assert.Single(record.GetProperty("token_usages").EnumerateArray())));
    }

    [Fact]
    public async Task Streaming_TheAnthropicSseStream_PingAfterStart_NoBedrockMetrics_TokensOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("bea"));

        using var response = await client.SendAsync(Wire.Post(Path, Body(stream: true), ("x-mock-usage", Usage)), HttpCompletionOption.ResponseHeadersRead, ct);
        var text = await response.Content.ReadAsStringAsync(ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var frames = Wire.Frames(Encoding.UTF8.GetBytes(text));
        var types = frames.Select(f => f.Split('\n')[0]).ToList();
        Assert.Equal(["event: message_start", "event: ping", "event: content_block_start"], types.Take(3));
        Assert.Equal(["event: message_delta", "event: message_stop"], types.TakeLast(2));
        Assert.DoesNotContain("amazon-bedrock-invocationMetrics", text, StringComparison.Ordinal);
        var deltas = Wire.DataObjects(Encoding.UTF8.GetBytes(text)).Where(e => e.GetProperty("type").GetString() == "content_block_delta")
            .Select(e => e.GetProperty("delta").GetProperty("text").GetString());
        Assert.Equal("Hello from the mock upstream.", string.Concat(deltas));
        Assert.Equal("/bedrock/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke-with-response-stream", Assert.Single(Upstream.Exchanges).RawPath);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("completed", record.GetProperty("status").GetString());
        Assert.Equal((12, 40, 1000, 200, 0), ChatCompletionsTests.Tokens(Assert.Single(record.GetProperty("token_usages").EnumerateArray())));
    }

    [Theory]
    [InlineData("claude-haiku-4-5-20251001", GatewayUnderTest.BedrockSmallFastModel)]
    [InlineData("claude-3-5-haiku-latest", GatewayUnderTest.BedrockSmallFastModel)]
    [InlineData("claude-opus-4-5", GatewayUnderTest.BedrockModel)]
    public async Task ModelMapping_HaikuClassToTheSmallFastModel_AnythingElseToTheMainOne(string model, string bedrockId)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("bea"));

        using var response = await client.SendAsync(Wire.Post(Path, Body(stream: false, model)), ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"/bedrock/model/{Uri.EscapeDataString(bedrockId)}/invoke", Assert.Single(Upstream.Exchanges).RawPath);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal((model, bedrockId), (record.GetProperty("model").GetString(), record.GetProperty("metadata").GetProperty("upstream_model").GetString()));
    }

    [Fact]
    public async Task ClaudeCodeShapedBody_IsEditedExactlyAsBedrockNeeds_AndAccepted()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("bea"));
        const string body = """
            {"model":"claude-sonnet-4-5-20250929","max_tokens":32000,"stream":true,"metadata":{"user_id":"user_abc_account__session_5c1d"},
             "service_tier":"auto","thinking":{"type":"adaptive"},"output_config":{"effort":"high"},
             "context_management":{"edits":[{"type":"clear_tool_uses_20250919"}]},
             "system":[{"type":"text","text":"You are Claude Code.","cache_control":{"type":"ephemeral"}}],
             "tools":[{"name":"Bash","description":"Run a command","input_schema":{"type":"object","properties":{"command":{"type":"string"}}}}],
             "messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}
            """;
        string[] betas = ["claude-code-20250219", "interleaved-thinking-2025-05-14", "fine-grained-tool-streaming-2025-05-14",
            "context-management-2025-06-27", "oauth-2025-04-20", "effort-2025-11-24", "context-1m-2025-08-07", "token-efficient-tools-2025-02-19",
            "dev-full-thinking-2025-05-14", "output-128k-2025-02-19", "computer-use-2025-01-24", "tool-search-tool-2025-10-19", "prompt-caching-scope-2026-01-05"];

        using var response = await client.SendAsync(Wire.Post(Path, body, ("anthropic-beta", string.Join(",", betas)), ("anthropic-version", "2023-06-01")),
            HttpCompletionOption.ResponseHeadersRead, ct);
        await response.Content.ReadAsStringAsync(ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(Upstream.Exchanges);
        var edited = JsonDocument.Parse(sent.RequestBody).RootElement;
        Assert.Equal(["max_tokens", "thinking", "context_management", "system", "tools", "messages", "anthropic_version", "anthropic_beta"],
            edited.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["interleaved-thinking-2025-05-14", "context-management-2025-06-27", "effort-2025-11-24", "context-1m-2025-08-07",
            "token-efficient-tools-2025-02-19", "dev-full-thinking-2025-05-14", "output-128k-2025-02-19", "computer-use-2025-01-24", "tool-search-tool-2025-10-19"],
            edited.GetProperty("anthropic_beta").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("""{"type":"enabled","budget_tokens":16000}""", edited.GetProperty("thinking").GetRawText());
        Assert.False(sent.Headers.ContainsKey("anthropic-beta"));
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal(("completed", "5c1d"), (record.GetProperty("status").GetString(), record.GetProperty("session_id").GetString()?[^4..]));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ThinkingAndAClientToolCall_AreRecordedAsOnAnthropic(bool stream)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("bea"));

        using (var thinking = await client.SendAsync(Wire.Post(Path, Body(stream), ("x-mock-scenario", "thinking")), HttpCompletionOption.ResponseHeadersRead, ct))
            await thinking.Content.ReadAsByteArrayAsync(ct);
        var thought = Assert.Single((await Gateway.WaitForEndedAsync()).GetProperty("thoughts").EnumerateArray());
        Assert.Equal("thinking", thought.GetProperty("source").GetString());
        Assert.NotEmpty(thought.GetProperty("content").GetString()!);

        using (var tool = await client.SendAsync(Wire.Post(Path, Body(stream), ("x-mock-scenario", "tool_call"),
            ("x-mock-tool", """name=Bash;args={"command":"dotnet test"}""")), HttpCompletionOption.ResponseHeadersRead, ct))
            await tool.Content.ReadAsByteArrayAsync(ct);
        var record = await Gateway.WaitForEndedAsync(i => i.GetProperty("tool_usages").GetArrayLength() > 0);
        var call = Assert.Single(record.GetProperty("tool_usages").EnumerateArray());
        Assert.Equal(("Bash", """{"command":"dotnet test"}""", false), (call.GetProperty("tool").GetString(), call.GetProperty("input").GetString(),
            call.GetProperty("injected").GetBoolean()));
    }

    [Fact]
    public async Task Models_ListTheConfiguredBedrockIds_WithoutCallingBedrock()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("bea"));

        var models = JsonDocument.Parse(await client.GetStringAsync("/bedrock/v1/models", ct)).RootElement;
        using var one = await client.GetAsync($"/bedrock/v1/models/{Uri.EscapeDataString(GatewayUnderTest.BedrockSmallFastModel)}", ct);
        using var other = await client.GetAsync("/bedrock/v1/models/gpt-4o", ct);

        Assert.Equal([GatewayUnderTest.BedrockModel, GatewayUnderTest.BedrockSmallFastModel],
            models.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.NotFound), (one.StatusCode, other.StatusCode));
        Assert.Empty(Upstream.Exchanges);
    }

    [Fact]
    public async Task CountTokens_IsBedrocksCountTokensOnTheMappedModel_InAnthropicsShape()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("bea"));

        using var count = await client.SendAsync(Wire.Post("/bedrock/v1/messages/count_tokens",
            """{"model":"claude-haiku-4-5","metadata":{"user_id":"u"},"messages":[{"role":"user","content":"how many tokens is this?"}]}"""), ct);

        Assert.Equal(HttpStatusCode.OK, count.StatusCode);
        var sent = Assert.Single(Upstream.Exchanges);
        Assert.Equal($"/bedrock/model/{Uri.EscapeDataString(GatewayUnderTest.BedrockSmallFastModel)}/count-tokens", sent.RawPath);
        var inner = Convert.FromBase64String(JsonDocument.Parse(sent.RequestBody).RootElement.GetProperty("input").GetProperty("invokeModel").GetProperty("body").GetString()!);
        var invoke = JsonDocument.Parse(inner).RootElement;
        Assert.False(invoke.TryGetProperty("model", out _) || invoke.TryGetProperty("metadata", out _));
        Assert.Equal((1, "bedrock-2023-05-31"), (invoke.GetProperty("max_tokens").GetInt32(), invoke.GetProperty("anthropic_version").GetString()));
        Assert.Equal($$"""{"input_tokens":{{Math.Max(1, inner.Length / 4)}}}""", await count.Content.ReadAsStringAsync(ct));
    }

    [Fact]
    public async Task UpstreamThrottles_429InAnthropicsShapeWithAwssMessage_RecordedFailed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("bea"));

        using var response = await client.SendAsync(Wire.Post(Path, Body(stream: true), ("x-mock-scenario", "error_before")), ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement;
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal("rate_limit_error", error.GetProperty("error").GetProperty("type").GetString());
        Assert.StartsWith("ThrottlingException: ", error.GetProperty("error").GetProperty("message").GetString());
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("failed", record.GetProperty("status").GetString());
        Assert.StartsWith("upstream returned 429:", record.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ExceptionFrameMidStream_AnAnthropicErrorEvent_RecordedFailed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("bea"));

        using var response = await client.SendAsync(Wire.Post(Path, Body(stream: true), ("x-mock-scenario", "error_mid")), HttpCompletionOption.ResponseHeadersRead, ct);
        var text = await response.Content.ReadAsStringAsync(ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var last = Wire.Frames(Encoding.UTF8.GetBytes(text))[^1];
        Assert.StartsWith("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":", last, StringComparison.Ordinal);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("failed", record.GetProperty("status").GetString());
    }

    [Fact]
    public async Task AnthropicDotNetSdk_BlockingAndStreaming_ThroughBedrock()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = new AnthropicClient { ApiKey = await Gateway.CreateKeyAsync("sdk-user"), BaseUrl = new Uri(Gateway.Url, "bedrock").AbsoluteUri, MaxRetries = 0 };
        var request = new MessageCreateParams { MaxTokens = 256, Model = "claude-sonnet-4-5", Messages = [new UserMessageParam("Hello, Claude")] };

        var message = await client.Messages.Create(request, ct);
        var streamed = new StringBuilder();
        await foreach (var e in client.Messages.CreateStreaming(request, ct))
            if (e.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var textDelta))
                streamed.Append(textDelta.Text);

        Assert.Equal(11, message.Usage.InputTokens);
        Assert.Equal("Hello from the mock upstream.", streamed.ToString());
        await Gateway.WaitForEndedAsync(expected: 2);
        Assert.All(await Gateway.ListInterceptionsAsync(), r => Assert.Equal(("bedrock", "completed"), (r.GetProperty("provider").GetString(), r.GetProperty("status").GetString())));
    }

    [Fact]
    public async Task NoSecretInAnyLogLine()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("bea"));
        using var blocking = await client.SendAsync(Wire.Post(Path, Body(stream: false)), ct);
        using var streaming = await client.SendAsync(Wire.Post(Path, Body(stream: true)), ct);
        await Gateway.WaitForEndedAsync(expected: 2);

        Assert.DoesNotContain(Gateway.Logs.Lines, line => line.Contains(MockBedrockOptions.DefaultSecretAccessKey, StringComparison.Ordinal)
            || line.Contains("Signature=", StringComparison.Ordinal));
    }
}

/// <summary>A wrong secret is relayed as Bedrock's 403 in Anthropic's shape, never a silent success.</summary>
public sealed class BedrockWrongSecretTests : GatewayTest
{
    private protected override GatewaySettings Configure(GatewaySettings settings) => settings with
    {
        Providers = [.. settings.Providers.Where(p => p.Name != "bedrock"), GatewayUnderTest.Bedrock(Upstream.BedrockBaseUrl, secret: "not-the-secret")],
    };

    [Fact]
    public async Task WrongSecret_403PermissionErrorKeepingAwssMessage_RecordedFailed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("bea"));

        using var response = await client.SendAsync(Wire.Post("/bedrock/v1/messages",
            """{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}"""), ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("error");
        Assert.Equal("permission_error", error.GetProperty("type").GetString());
        Assert.StartsWith("InvalidSignatureException: The request signature we calculated does not match", error.GetProperty("message").GetString());
        Assert.Equal("failed", (await Gateway.WaitForEndedAsync()).GetProperty("status").GetString());
    }
}
