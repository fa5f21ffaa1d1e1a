using System.Net;
using System.Text;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests;

public sealed class ResponsesTests : GatewayTest
{
    private const string Path = "/openai/v1/responses";

    /// <summary>Shaped like Codex: a developer item, the user's message, and tool types the gateway does not model.</summary>
    private static string Body(bool stream, string extra = "") => $$$$$"""
        {"model":"gpt-5-codex","stream":{{{{{(stream ? "true" : "false")}}}}},{{{{{extra}}}}}"instructions":"You are Codex.","store":false,
         "input":[{"type":"message","role":"developer","content":[{"type":"input_text","text":"<permissions>...</permissions>"}]},
                  {"type":"message","role":"user","content":[{"type":"input_text","text":"<env>cwd=/w</env>"},{"type":"input_text","text":"List the files"}]}],
         "tools":[{"type":"function","name":"exec_command","parameters":{"type":"object","properties":{"cmd":{"type":"string"}}}},
                  {"type":"namespace","name":"mcp__x","tools":[]},{"type":"web_search"},{"type":"custom","name":"apply_patch","format":{"type":"grammar"}}],
         "reasoning":{"effort":"medium","summary":"auto"},"include":["reasoning.encrypted_content"],"prompt_cache_key":"abc"}
        """;

    private async Task<(HttpResponseMessage Response, byte[] Bytes)> SendAsync(string body, params (string, string)[] headers)
    {
        var ct = TestContext.Current.CancellationToken;
        var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("rita"));
        var response = await client.SendAsync(Wire.Post(Path, body, [("User-Agent", "codex_exec/0.169.0"), ("session-id", "codex-session-1"), .. headers]),
            HttpCompletionOption.ResponseHeadersRead, ct);
        return (response, await response.Content.ReadAsByteArrayAsync(ct));
    }

    [Fact]
    public async Task Stream_Text_RelaysBytesUnchangedAndRecordsExactTokensPromptClientAndSession()
    {
        var (response, bytes) = await SendAsync(Body(stream: true), ("x-mock-usage", "input=100,output=20,cache_read=30,reasoning=5"));

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var exchange = Assert.Single(Upstream.Exchanges);
        Assert.Equal(exchange.ResponseBody, bytes);
        Assert.Equal(Encoding.UTF8.GetBytes(Body(true)), exchange.RequestBody);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("completed", record.GetProperty("status").GetString());
        Assert.Equal("Codex", record.GetProperty("client").GetString());
        Assert.Equal("codex-session-1", record.GetProperty("session_id").GetString());
        Assert.Equal("<env>cwd=/w</env>\nList the files", record.GetProperty("prompts")[0].GetProperty("prompt").GetString());
        var usage = Assert.Single(record.GetProperty("token_usages").EnumerateArray());
        Assert.Equal((100, 20, 30, 0, 5), ChatCompletionsTests.Tokens(usage));
        var created = Wire.DataObjects(bytes).First().GetProperty("response").GetProperty("id").GetString();
        Assert.Equal(created, usage.GetProperty("response_id").GetString());
    }

    [Fact]
    public async Task Blocking_RelaysBodyUnchangedAndRecordsTokens()
    {
        var (_, bytes) = await SendAsync(Body(stream: false), ("x-mock-usage", "input=9,output=4,cache_read=1"));

        Assert.Equal(Assert.Single(Upstream.Exchanges).ResponseBody, bytes);
        var record = await Gateway.WaitForEndedAsync();
        Assert.False(record.GetProperty("streaming").GetBoolean());
        Assert.Equal((9, 4, 1, 0, 0), ChatCompletionsTests.Tokens(record.GetProperty("token_usages")[0]));
    }

    [Theory]
    [InlineData("thinking", "reasoning_summary")]
    [InlineData("commentary", "commentary")]
    public async Task Stream_ReasoningAndCommentary_AreRecordedAsThoughts(string scenario, string source)
    {
        var (_, bytes) = await SendAsync(Body(stream: true), ("x-mock-scenario", scenario));

        var record = await Gateway.WaitForEndedAsync();
        var thought = Assert.Single(record.GetProperty("thoughts").EnumerateArray());
        Assert.Equal(source, thought.GetProperty("source").GetString());
        var expected = scenario == "thinking"
            ? string.Concat(Wire.DataObjects(bytes).Where(d => d.GetProperty("type").GetString() == "response.reasoning_summary_text.delta").Select(d => d.GetProperty("delta").GetString()))
            : "I will check the weather first.";
        Assert.Equal(expected, thought.GetProperty("content").GetString());
    }

    [Theory]
    [InlineData("tool_call", "get_weather", """{"city":"Paris","unit":"celsius"}""")]
    [InlineData("web_search", "web_search", """{"type":"search","query":"weather in Paris"}""")]
    public async Task Stream_FunctionAndBuiltInToolCalls_AreRecorded(string scenario, string tool, string input)
    {
        await SendAsync(Body(stream: true), ("x-mock-scenario", scenario));

        var record = await Gateway.WaitForEndedAsync();
        var usage = Assert.Single(record.GetProperty("tool_usages").EnumerateArray());
        Assert.Equal(tool, usage.GetProperty("tool").GetString());
        Assert.Equal(input, JsonSerializer.Serialize(JsonDocument.Parse(usage.GetProperty("input").GetString()!)));
        Assert.False(usage.GetProperty("injected").GetBoolean());
    }

    [Theory]
    [InlineData("error_mid", "response.failed")]
    [InlineData("cut", null)]
    public async Task Stream_FailedOrCut_IsRelayedAndRecordedFailed(string scenario, string? relayedEvent)
    {
        var (_, bytes) = await SendAsync(Body(stream: true), ("x-mock-scenario", scenario));

        Assert.Equal(Assert.Single(Upstream.Exchanges).ResponseBody, bytes);
        if (relayedEvent is not null)
            Assert.Contains($"event: {relayedEvent}", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("failed", record.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(record.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task PreviousResponseId_ChainsAndGetByIdPassesThrough()
    {
        var ct = TestContext.Current.CancellationToken;
        static string Stored(string body) => body.Replace("\"store\":false", "\"store\":true", StringComparison.Ordinal);
        var (_, first) = await SendAsync(Stored(Body(stream: false)));
        var id = Wire.Json(first).GetProperty("id").GetString()!;

        var (second, secondBytes) = await SendAsync(Stored(Body(stream: true, $"\"previous_response_id\":\"{id}\",")));
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("rita"));
        using var fetched = await client.GetAsync($"{Path}/{id}", ct);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var completed = Wire.DataObjects(secondBytes).Last(d => d.GetProperty("type").GetString() == "response.completed");
        Assert.Equal(id, completed.GetProperty("response").GetProperty("previous_response_id").GetString());
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.Equal(id, Wire.Json(await fetched.Content.ReadAsByteArrayAsync(ct)).GetProperty("id").GetString());
        await Gateway.WaitForEndedAsync(expected: 2);
        Assert.Equal(2, (await Gateway.ListInterceptionsAsync()).Count);
    }

    [Fact]
    public async Task Background_IsRefusedWith501AndReachesNoUpstream()
    {
        var (response, bytes) = await SendAsync(Body(stream: false, "\"background\":true,"));

        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        BadInputTests.AssertProviderError(Encoding.UTF8.GetString(bytes), "openai", "");
        Assert.Empty(Upstream.Exchanges);
        Assert.Equal("failed", (await Gateway.WaitForEndedAsync()).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("""{"model":"gpt-5","input":42}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"model":"does-not-exist","input":"hi"}""", HttpStatusCode.NotFound)]
    public async Task BadInput_GetsOpenAIShapedErrorAndIsNotCompleted(string body, HttpStatusCode status)
    {
        var (response, bytes) = await SendAsync(body);

        Assert.Equal(status, response.StatusCode);
        BadInputTests.AssertProviderError(Encoding.UTF8.GetString(bytes), "openai", "");
        Assert.Equal(status == HttpStatusCode.NotFound ? 1 : 0, Upstream.Exchanges.Count);
        Assert.Equal("failed", (await Gateway.WaitForEndedAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Stream_HeldUpstream_FirstEventArrivesBeforeTheLast()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("rita"));

        using var response = await client.SendAsync(Wire.Post(Path, Body(true), ("x-mock-scenario", "hang")), HttpCompletionOption.ResponseHeadersRead, ct);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[8192];
        var read = await stream.ReadAsync(buffer, ct);

        Assert.Contains("event: response.created", Encoding.UTF8.GetString(buffer, 0, read), StringComparison.Ordinal);
        Assert.False(Upstream.Exchanges.Single().Completed.IsCompleted);
    }
}
