using System.Net;
using System.Text;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests.Mcp;

/// <summary>The hidden tool loop, end to end: the mock upstream calls an injected tool, the gateway runs it on the real MCP server.</summary>
public sealed class McpLoopTests : McpGatewayTest
{
    private const string Messages = "/anthropic/v1/messages";

    private static string MessagesBody(bool stream) => $$$"""
        {"model":"claude-sonnet-4-5","max_tokens":512,"stream":{{{(stream ? "true" : "false")}}},
         "tools":[{"name":"Bash","description":"run","input_schema":{"type":"object"}}],
         "messages":[{"role":"user","content":"Echo hi through the gateway's tool"}]}
        """;

    private static readonly (string, string)[] EchoCall =
    [
        ("x-mock-scenario", "tool_call"), ("x-mock-tool", """name=bmcp_test_echo;args={"message":"hi"}"""),
        ("x-mock-text", "Let me check."), ("x-mock-usage", "input=10,output=5,cache_read=3"),
    ];

    [Fact]
    public async Task Messages_Stream_InjectedCallIsRunHiddenAndTheClientSeesOneMessage()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await ReadyKeyAsync("mia"));

        using var response = await client.SendAsync(Wire.Post(Messages, MessagesBody(stream: true), EchoCall), HttpCompletionOption.ResponseHeadersRead, ct);
        var text = await response.Content.ReadAsStringAsync(ct);

        Assert.Equal(2, Upstream.Exchanges.Count);
        var declared = Wire.Json(Upstream.Exchanges[0].RequestBody).GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Equal(["bmcp_test_add", "bmcp_test_echo", "bmcp_test_fail", "bmcp_test_hang", "Bash"], declared);
        var secondTurn = Wire.Json(Upstream.Exchanges[1].RequestBody).GetProperty("messages");
        Assert.Equal("tool_result", secondTurn[2].GetProperty("content")[0].GetProperty("type").GetString());
        Assert.Equal("Echo: hi", secondTurn[2].GetProperty("content")[0].GetProperty("content").GetString());

        var events = Wire.DataObjects(Encoding.UTF8.GetBytes(text)).ToList();
        Assert.DoesNotContain("bmcp_", text, StringComparison.Ordinal);
        Assert.Single(events, e => e.GetProperty("type").GetString() == "message_start");
        Assert.Single(events, e => e.GetProperty("type").GetString() == "message_stop");
        var starts = events.Where(e => e.GetProperty("type").GetString() == "content_block_start").Select(e => e.GetProperty("index").GetInt32());
        Assert.Equal([0, 1], starts);
        Assert.Equal("Let me check.Tool said: Echo: hi", TextOf(text));
        var usage = Assert.Single(events, e => e.GetProperty("type").GetString() == "message_delta").GetProperty("usage");
        Assert.Equal((20, 10, 6), (usage.GetProperty("input_tokens").GetInt32(), usage.GetProperty("output_tokens").GetInt32(), usage.GetProperty("cache_read_input_tokens").GetInt32()));

        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("completed", record.GetProperty("status").GetString());
        Assert.Equal(2, record.GetProperty("token_usages").GetArrayLength());
        var tool = Assert.Single(record.GetProperty("tool_usages").EnumerateArray());
        Assert.True(tool.GetProperty("injected").GetBoolean());
        Assert.Equal("bmcp_test_echo", tool.GetProperty("tool").GetString());
        Assert.Equal(Mcp.StreamableUrl.AbsoluteUri, tool.GetProperty("server_url").GetString());
        Assert.Equal("Echo: hi", tool.GetProperty("result").GetString());
        Assert.Equal(JsonValueKind.Null, tool.GetProperty("error").ValueKind);
        var lifetime = record.GetProperty("ended_at").GetDateTimeOffset() - record.GetProperty("started_at").GetDateTimeOffset();
        Assert.InRange(tool.GetProperty("duration_ms").GetInt64(), 0, (long)Math.Ceiling(lifetime.TotalMilliseconds));   // within its interception
    }

    [Fact]
    public async Task Messages_Blocking_MergesTurnsIntoOneBody()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await ReadyKeyAsync("mia"));

        using var response = await client.SendAsync(Wire.Post(Messages, MessagesBody(stream: false), EchoCall), ct);
        var body = Wire.Json(await response.Content.ReadAsByteArrayAsync(ct));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, Upstream.Exchanges.Count);
        var firstId = Wire.Json(Upstream.Exchanges[0].ResponseBody).GetProperty("id").GetString();
        Assert.Equal(firstId, body.GetProperty("id").GetString());
        var blocks = body.GetProperty("content").EnumerateArray().ToList();
        Assert.All(blocks, b => Assert.Equal("text", b.GetProperty("type").GetString()));
        Assert.Equal("Tool said: Echo: hi", blocks[^1].GetProperty("text").GetString());
        Assert.Equal(20, body.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal(10, body.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task ToolError_GoesBackToTheModelAndIsRecorded()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await ReadyKeyAsync("mia"));

        using var response = await client.SendAsync(Wire.Post(Messages, MessagesBody(stream: true),
            ("x-mock-scenario", "tool_call"), ("x-mock-tool", "name=bmcp_test_fail;args={}")), HttpCompletionOption.ResponseHeadersRead, ct);
        var text = await response.Content.ReadAsStringAsync(ct);

        Assert.Equal("Tool said: boom", TextOf(text));
        var result = Wire.Json(Upstream.Exchanges[1].RequestBody).GetProperty("messages")[2].GetProperty("content")[0];
        Assert.True(result.GetProperty("is_error").GetBoolean());
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("completed", record.GetProperty("status").GetString());
        Assert.Equal("boom", record.GetProperty("tool_usages")[0].GetProperty("error").GetString());
    }

    [Fact]
    public async Task ToolTimeout_BecomesAToolErrorForTheModel()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await ReadyKeyAsync("mia"));

        using var response = await client.SendAsync(Wire.Post(Messages, MessagesBody(stream: true),
            ("x-mock-scenario", "tool_call"), ("x-mock-tool", "name=bmcp_test_hang;args={}")), HttpCompletionOption.ResponseHeadersRead, ct);
        var text = await response.Content.ReadAsStringAsync(ct);

        Assert.StartsWith("Tool said:", TextOf(text), StringComparison.Ordinal);
        var record = await Gateway.WaitForEndedAsync();
        Assert.StartsWith("timeout", record.GetProperty("tool_usages")[0].GetProperty("error").GetString());
        Assert.InRange(record.GetProperty("tool_usages")[0].GetProperty("duration_ms").GetInt64(), 1900, 10_000);
    }

    [Fact]
    public async Task Stream_TextReachesTheClientBeforeTheInjectedToolFinishes()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await ReadyKeyAsync("mia"));

        using var response = await client.SendAsync(Wire.Post(Messages, MessagesBody(stream: true), ("x-mock-scenario", "tool_call"),
            ("x-mock-tool", "name=bmcp_test_hang;args={}"), ("x-mock-text", "Working on it.")), HttpCompletionOption.ResponseHeadersRead, ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        string? line;
        while ((line = await reader.ReadLineAsync(ct)) is not null && !line.Contains("text_delta", StringComparison.Ordinal))
        {
        }

        Assert.NotNull(line);
        Assert.Contains("Working", line, StringComparison.Ordinal);
        Assert.Single(Upstream.Exchanges);
        Assert.Empty(JsonDocument.Parse(await Gateway.CreateClient(Gateway.AdminKey).GetStringAsync("/api/v1/interceptions", ct))
            .RootElement.GetProperty("interceptions").EnumerateArray().SelectMany(i => i.GetProperty("tool_usages").EnumerateArray()));
        await reader.ReadToEndAsync(ct);
        Assert.Equal(2, Upstream.Exchanges.Count);
    }

    [Fact]
    public async Task ClientToolCall_IsRelayedUntouched()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await ReadyKeyAsync("mia"));

        using var response = await client.SendAsync(Wire.Post(Messages, MessagesBody(stream: true),
            ("x-mock-scenario", "tool_call"), ("x-mock-tool", """name=Bash;args={"command":"ls"}""")), HttpCompletionOption.ResponseHeadersRead, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);

        var exchange = Assert.Single(Upstream.Exchanges);
        Assert.Equal(exchange.ResponseBody, bytes);
        var record = await Gateway.WaitForEndedAsync();
        Assert.False(record.GetProperty("tool_usages")[0].GetProperty("injected").GetBoolean());
    }

    /// <summary>The text the client was streamed: every <c>text_delta</c>, in order.</summary>
    private static string TextOf(string sse) => string.Concat(Wire.DataObjects(Encoding.UTF8.GetBytes(sse))
        .Where(e => e.GetProperty("type").GetString() == "content_block_delta" && e.GetProperty("delta").GetProperty("type").GetString() == "text_delta")
        .Select(e => e.GetProperty("delta").GetProperty("text").GetString()));
}
