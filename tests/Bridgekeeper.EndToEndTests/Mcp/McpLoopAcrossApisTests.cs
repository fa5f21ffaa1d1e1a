using System.Net;
using System.Text;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests.Mcp;

/// <summary>The same hidden loop on all three APIs, streaming and blocking, with exact cumulative usage.</summary>
public sealed class McpLoopAcrossApisTests : McpGatewayTest
{
    public static TheoryData<string, bool> Apis => new()
    {
        { "chat", true }, { "chat", false }, { "messages", true }, { "messages", false }, { "responses", true }, { "responses", false },
        { "bedrock", true }, { "bedrock", false },
    };

    private static (string Path, string Body) Request(string api, bool stream) => api switch
    {
        "chat" => ("/openai/v1/chat/completions", $$"""{"model":"gpt-4o","stream":{{Bool(stream)}},{{(stream ? "\"stream_options\":{\"include_usage\":true}," : "")}}"messages":[{"role":"user","content":"echo hi"}]}"""),
        "messages" => ("/anthropic/v1/messages", $$"""{"model":"claude-sonnet-4-5","max_tokens":256,"stream":{{Bool(stream)}},"messages":[{"role":"user","content":"echo hi"}]}"""),
        "bedrock" => ("/bedrock/v1/messages", $$"""{"model":"claude-sonnet-4-5","max_tokens":256,"stream":{{Bool(stream)}},"messages":[{"role":"user","content":"echo hi"}]}"""),
        _ => ("/openai/v1/responses", $$"""{"model":"gpt-5","stream":{{Bool(stream)}},"input":"echo hi"}"""),
    };

    private static string Bool(bool value) => value ? "true" : "false";

    [Theory]
    [MemberData(nameof(Apis))]
    public async Task Loop_InjectedCall_ClientSeesOneAnswerWithSummedUsage(string api, bool stream)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await ReadyKeyAsync("omar"));
        var (path, body) = Request(api, stream);

        using var response = await client.SendAsync(Wire.Post(path, body, ("x-mock-scenario", "tool_call"),
            ("x-mock-tool", """name=bmcp_test_echo;args={"message":"hi"}"""), ("x-mock-usage", "input=10,output=5,cache_read=3")),
            HttpCompletionOption.ResponseHeadersRead, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, Upstream.Exchanges.Count);
        Assert.StartsWith("bmcp_test_", Upstream.Exchanges[0].ToolNames[0]);
        var text = Encoding.UTF8.GetString(bytes);
        Assert.DoesNotContain("bmcp_", text, StringComparison.Ordinal);
        Assert.Equal("Tool said: Echo: hi", ClientText(api, stream, bytes));
        Assert.Equal((26, 10), ClientUsage(api, stream, bytes));

        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("completed", record.GetProperty("status").GetString());
        Assert.Equal([(10L, 5L, 3L), (10L, 5L, 3L)], record.GetProperty("token_usages").EnumerateArray()
            .Select(u => (u.GetProperty("input_tokens").GetInt64(), u.GetProperty("output_tokens").GetInt64(), u.GetProperty("cache_read_tokens").GetInt64())));
        var tool = Assert.Single(record.GetProperty("tool_usages").EnumerateArray());
        Assert.Equal(("bmcp_test_echo", true, "Echo: hi"), (tool.GetProperty("tool").GetString(), tool.GetProperty("injected").GetBoolean(), tool.GetProperty("result").GetString()));
    }

    [Theory]
    [MemberData(nameof(Apis))]
    public async Task Loop_ParallelInjectedCalls_RunTogetherAndBothResultsGoBack(string api, bool stream)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await ReadyKeyAsync("omar"));
        var (path, body) = Request(api, stream);

        using var response = await client.SendAsync(Wire.Post(path, body, ("x-mock-scenario", "tool_call"),
            ("x-mock-tool", """name=bmcp_test_echo;args={"message":"one"} | name=bmcp_test_add;args={"a":2,"b":3}""")), HttpCompletionOption.ResponseHeadersRead, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);

        Assert.Equal("Tool said: Echo: one | 5", ClientText(api, stream, bytes));
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal(["bmcp_test_add", "bmcp_test_echo"], record.GetProperty("tool_usages").EnumerateArray().Select(t => t.GetProperty("tool").GetString()).Order());
    }

    [Theory]
    [MemberData(nameof(Apis))]
    public async Task Loop_MixedClientAndInjectedTurn_GoesToTheClientWithoutTheInjectedCall(string api, bool stream)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await ReadyKeyAsync("omar"));
        var (path, body) = Request(api, stream);

        using var response = await client.SendAsync(Wire.Post(path, body, ("x-mock-scenario", "tool_call"),
            ("x-mock-tool", """name=bmcp_test_echo;args={"message":"x"} | name=get_weather;args={"city":"Oslo"}""")), HttpCompletionOption.ResponseHeadersRead, ct);
        var text = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync(ct));

        Assert.Single(Upstream.Exchanges);
        Assert.DoesNotContain("bmcp_", text, StringComparison.Ordinal);
        Assert.Contains("get_weather", text, StringComparison.Ordinal);
        var record = await Gateway.WaitForEndedAsync();
        var tools = record.GetProperty("tool_usages").EnumerateArray().ToList();
        Assert.Contains(tools, t => t.GetProperty("tool").GetString() == "get_weather" && !t.GetProperty("injected").GetBoolean());
        Assert.Contains(tools, t => t.GetProperty("tool").GetString() == "bmcp_test_echo" && t.GetProperty("error").GetString()!.StartsWith("not run", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("messages", true)]
    [InlineData("chat", false)]
    [InlineData("responses", true)]
    public async Task Loop_RoundCap_StopsWithAClearErrorAndIsRecordedFailed(string api, bool stream)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await ReadyKeyAsync("omar"));
        var (path, body) = Request(api, stream);

        using var response = await client.SendAsync(Wire.Post(path, body, ("x-mock-scenario", "tool_call"), ("x-mock-rounds", "50"),
            ("x-mock-tool", """name=bmcp_test_echo;args={"message":"again"}""")), HttpCompletionOption.ResponseHeadersRead, ct);
        var text = await response.Content.ReadAsStringAsync(ct);

        Assert.Equal(3, Upstream.Exchanges.Count);
        Assert.Contains("tool_loop_cap", text, StringComparison.Ordinal);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("failed", record.GetProperty("status").GetString());
        Assert.StartsWith("tool_loop_cap", record.GetProperty("error").GetString());
        Assert.Equal(3, record.GetProperty("token_usages").GetArrayLength());
    }

    private static string ClientText(string api, bool stream, byte[] bytes)
    {
        if (!stream)
        {
            var body = Wire.Json(bytes);
            return api switch
            {
                "chat" => body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!,
                "messages" or "bedrock" => string.Concat(body.GetProperty("content").EnumerateArray().Where(b => b.GetProperty("type").GetString() == "text").Select(b => b.GetProperty("text").GetString())),
                _ => string.Concat(body.GetProperty("output").EnumerateArray().Where(i => i.GetProperty("type").GetString() == "message")
                    .SelectMany(i => i.GetProperty("content").EnumerateArray()).Select(c => c.GetProperty("text").GetString())),
            };
        }
        var events = Wire.DataObjects(bytes);
        return api switch
        {
            "chat" => string.Concat(events.Where(e => e.TryGetProperty("choices", out var c) && c.GetArrayLength() > 0)
                .Select(e => e.GetProperty("choices")[0].GetProperty("delta")).Select(d => d.TryGetProperty("content", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : "")),
            "messages" or "bedrock" => string.Concat(events.Where(e => e.GetProperty("type").GetString() == "content_block_delta" && e.GetProperty("delta").GetProperty("type").GetString() == "text_delta")
                .Select(e => e.GetProperty("delta").GetProperty("text").GetString())),
            _ => string.Concat(events.Where(e => e.GetProperty("type").GetString() == "response.output_text.delta").Select(e => e.GetProperty("delta").GetString())),
        };
    }

    /// <summary>(input including cached, output) as the client's one response reports them.</summary>
    private static (long, long) ClientUsage(string api, bool stream, byte[] bytes)
    {
        JsonElement usage = api switch
        {
            "chat" when stream => Wire.DataObjects(bytes).Last(e => e.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object).GetProperty("usage"),
            "messages" or "bedrock" when stream => Wire.DataObjects(bytes).Single(e => e.GetProperty("type").GetString() == "message_delta").GetProperty("usage"),
            "responses" when stream => Wire.DataObjects(bytes).Single(e => e.GetProperty("type").GetString() == "response.completed").GetProperty("response").GetProperty("usage"),
            _ => Wire.Json(bytes).GetProperty("usage"),
        };
        return api switch
        {
            "chat" => (usage.GetProperty("prompt_tokens").GetInt64(), usage.GetProperty("completion_tokens").GetInt64()),
            "messages" or "bedrock" => (usage.GetProperty("input_tokens").GetInt64() + usage.GetProperty("cache_read_input_tokens").GetInt64(), usage.GetProperty("output_tokens").GetInt64()),
            _ => (usage.GetProperty("input_tokens").GetInt64(), usage.GetProperty("output_tokens").GetInt64()),
        };
    }
}
