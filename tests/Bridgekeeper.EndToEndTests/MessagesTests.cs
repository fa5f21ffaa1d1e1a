using System.Text;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests;

public sealed class MessagesTests : GatewayTest
{
    private const string Path = "/anthropic/v1/messages?beta=true";


    /// <summary>Shaped like Claude Code: reminders in early text blocks, the prompt last, then a system message after it.</summary>
    private static string Body(bool stream) => $$$"""
        {"model":"claude-sonnet-4-5","max_tokens":1024,"stream":{{{(stream ? "true" : "false")}}},
         "thinking":{"type":"adaptive"},"context_management":{"edits":[]},
         "metadata":{"user_id":"{\"device_id\":\"d1\",\"account_uuid\":\"a1\",\"session_id\":\"sess-from-body\"}"},
         "tools":[{"name":"Bash","description":"run","input_schema":{"type":"object"}},{"type":"web_search_20250305","name":"web_search"}],
         "messages":[
          {"role":"user","content":[{"type":"text","text":"<system-reminder>ctx</system-reminder>"},{"type":"text","text":"Fix the failing test"}]},
          {"role":"system","content":"later system note"}]}
        """;

    [Fact]
    public async Task Stream_WithThinking_RelaysExactBytesAndRecordsTokensThoughtsPromptAndSession()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("bob"), asXApiKey: true);

        using var response = await client.SendAsync(Wire.Post(Path, Body(stream: true), ("x-mock-scenario", "thinking"),
            ("x-mock-usage", "input=12,output=40,cache_read=1000,cache_write=200"), ("User-Agent", "claude-cli/2.1.330 (external, cli)"),
            ("anthropic-version", "2023-06-01"), ("anthropic-beta", "interleaved-thinking-2025-05-14")), HttpCompletionOption.ResponseHeadersRead, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);

        var exchange = Assert.Single(Upstream.Exchanges);
        Assert.Equal(exchange.ResponseBody, bytes);
        Assert.Equal(Encoding.UTF8.GetBytes(Body(true)), exchange.RequestBody);
        Assert.Equal("?beta=true", exchange.QueryString);
        Assert.Equal("2023-06-01", exchange.Headers["anthropic-version"]);
        Assert.Equal("interleaved-thinking-2025-05-14", exchange.Headers["anthropic-beta"]);

        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("completed", record.GetProperty("status").GetString());
        Assert.Equal("Claude Code", record.GetProperty("client").GetString());
        Assert.Equal("sess-from-body", record.GetProperty("session_id").GetString());
        Assert.Equal("Fix the failing test", record.GetProperty("prompts")[0].GetProperty("prompt").GetString());
        Assert.Equal((12, 40, 1000, 200, 0), ChatCompletionsTests.Tokens(Assert.Single(record.GetProperty("token_usages").EnumerateArray())));
        var thinking = string.Concat(Wire.DataObjects(exchange.ResponseBody)
            .Where(d => d.GetProperty("type").GetString() == "content_block_delta" && d.GetProperty("delta").GetProperty("type").GetString() == "thinking_delta")
            .Select(d => d.GetProperty("delta").GetProperty("thinking").GetString()));
        Assert.NotEmpty(thinking);
        var thought = Assert.Single(record.GetProperty("thoughts").EnumerateArray());
        Assert.Equal(thinking, thought.GetProperty("content").GetString());
        Assert.Equal("thinking", thought.GetProperty("source").GetString());
    }

    [Fact]
    public async Task Stream_ToolUse_RecordsWholeArgumentsAndSessionHeaderWins()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("bob"));

        using var response = await client.SendAsync(Wire.Post(Path, Body(true), ("x-mock-scenario", "tool_call"),
            ("x-mock-tool", """name=Bash;args={"command":"dotnet test","timeout":60000}"""), ("X-Claude-Code-Session-Id", "sess-header")),
            HttpCompletionOption.ResponseHeadersRead, ct);
        await response.Content.ReadAsByteArrayAsync(ct);

        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("sess-header", record.GetProperty("session_id").GetString());
        var tool = Assert.Single(record.GetProperty("tool_usages").EnumerateArray());
        Assert.Equal("Bash", tool.GetProperty("tool").GetString());
        Assert.Equal("""{"command":"dotnet test","timeout":60000}""", tool.GetProperty("input").GetString());
        Assert.StartsWith("toolu_", tool.GetProperty("tool_call_id").GetString());
    }

    [Fact]
    public async Task Blocking_RelaysBodyVerbatimAndRecordsTokens()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("bob"));

        using var response = await client.SendAsync(Wire.Post(Path, Body(false), ("x-mock-usage", "input=3,output=5,cache_read=7,cache_write=11")), ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);

        Assert.Equal(Assert.Single(Upstream.Exchanges).ResponseBody, bytes);
        var record = await Gateway.WaitForEndedAsync();
        Assert.False(record.GetProperty("streaming").GetBoolean());
        Assert.Equal((3, 5, 7, 11, 0), ChatCompletionsTests.Tokens(record.GetProperty("token_usages")[0]));
        Assert.Equal(JsonValueKind.Array, record.GetProperty("thoughts").ValueKind);
    }

    [Fact]
    public async Task Stream_CrlfLineEnds_RelayedByteForByte()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("bob"));

        using var response = await client.SendAsync(Wire.Post(Path, Body(true), ("x-mock-line-ending", "crlf"), ("x-mock-usage", "input=4,output=6")),
            HttpCompletionOption.ResponseHeadersRead, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);

        Assert.Equal(Assert.Single(Upstream.Exchanges).ResponseBody, bytes);
        Assert.Contains("\r\n\r\n", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal((4, 6, 0, 0, 0), ChatCompletionsTests.Tokens(record.GetProperty("token_usages")[0]));
    }

    [Fact]
    public async Task Stream_SlowUpstream_FirstEventArrivesBeforeUpstreamSendsTheRest()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("bob"));

        using var response = await client.SendAsync(Wire.Post(Path, Body(true), ("x-mock-scenario", "hang")), HttpCompletionOption.ResponseHeadersRead, ct);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer, ct);

        Assert.Contains("event: message_start", Encoding.UTF8.GetString(buffer, 0, read), StringComparison.Ordinal);
        Assert.False(Upstream.Exchanges.Single().Completed.IsCompleted);
    }
}
