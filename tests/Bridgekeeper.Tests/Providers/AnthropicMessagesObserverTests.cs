using System.Text;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.AnthropicMessages;
using static Bridgekeeper.Tests.Providers.ObserverHarness;

namespace Bridgekeeper.Tests.Providers;

public sealed class AnthropicMessagesObserverTests
{
    private static readonly AnthropicMessagesDialect Dialect = new();
    private static readonly RequestFacts Facts = new("claude-sonnet-4-5", true, "hi", null, true);

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task OnEvent_ThinkingTextAndTool_SummarizesEverything(bool crlf, bool oneBytePerRead)
    {
        var stream = crlf ? AnthropicMessagesFixtures.ThinkingTextAndTool.ReplaceLineEndings("\r\n") : AnthropicMessagesFixtures.ThinkingTextAndTool;

        var (summary, forwarded) = await RunAsync(Dialect.Observe(Facts), stream, oneBytePerRead);

        AssertSummary(new(
            "msg_01XFDUDYJgAACzvnptvVoYEL",
            new TokenUsage(Input: 12, Output: 89, CacheRead: 30000, CacheWrite: 2048, Reasoning: 0),
            [new("toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather", """{"location": "Paris", "unit": "celsius"}""")],
            [new("The user wants the weather.\nI should call get_weather \u2014 \"Paris\".", "thinking")],
            null), summary);
        Assert.Equal(stream, forwarded);
    }

    [Fact]
    public async Task OnEvent_RepeatedUsageInMessageDelta_ReplacesNeverAdds()
    {
        var (summary, _) = await RunAsync(Dialect.Observe(Facts), AnthropicMessagesFixtures.ToolsWithRepeatedUsage);

        AssertSummary(new(
            "msg_02",
            new TokenUsage(Input: 5, Output: 42, CacheRead: 100, CacheWrite: 0, Reasoning: 0) { WebSearches = 1 },   // usage.server_tool_use
            [new("toolu_a", "list_files", "{}"), new("srvtoolu_b", "web_search", """{"query": "weather"}""")],
            [],
            null), summary);
    }

    [Fact]
    public async Task OnEvent_ErrorEvent_RecordsErrorAndSkipsRedactedThinking()
    {
        var (summary, forwarded) = await RunAsync(Dialect.Observe(Facts), AnthropicMessagesFixtures.MidStreamError);

        AssertSummary(new("msg_03", new TokenUsage(40, 1, 0, 0, 0), [], [], "overloaded_error: Overloaded"), summary);
        Assert.Equal(AnthropicMessagesFixtures.MidStreamError, forwarded);
    }

    [Fact]
    public async Task OnEvent_FramesWithoutEventLines_ReadFromDataType()
    {
        var stream = string.Join("", AnthropicMessagesFixtures.ToolsWithRepeatedUsage.Split('\n').Where(line => !line.StartsWith("event:", StringComparison.Ordinal)).Select(line => line + "\n"));

        var (summary, _) = await RunAsync(Dialect.Observe(Facts), stream);

        Assert.Equal(new TokenUsage(5, 42, 100, 0, 0) { WebSearches = 1 }, summary.Usage);
        Assert.Equal(2, summary.ToolCalls.Count);
    }

    [Fact]
    public async Task Complete_CanceledMidTool_ReturnsWhatWasSeen()
    {
        var fixture = AnthropicMessagesFixtures.ThinkingTextAndTool;
        var cut = fixture[..fixture.IndexOf("ris\\\", \\\"unit", StringComparison.Ordinal)];
        cut = cut[..(cut.LastIndexOf("\n\n", StringComparison.Ordinal) + 2)];

        var (summary, _) = await RunAsync(Dialect.Observe(Facts), cut);

        AssertSummary(new(
            "msg_01XFDUDYJgAACzvnptvVoYEL",
            new TokenUsage(12, 1, 30000, 2048, 0),
            [new("toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather", """{"location": "Pa""")],
            [new("The user wants the weather.\nI should call get_weather \u2014 \"Paris\".", "thinking")],
            null), summary);
    }

    [Fact]
    public void Complete_NothingSeen_HasNoUsage()
    {
        AssertSummary(new(null, null, [], [], null), Dialect.Observe(Facts).Complete());
    }

    [Theory]
    [InlineData("event: message_start\ndata: not json\n\n")]
    [InlineData("event: content_block_delta\ndata: {\"index\":\"x\",\"delta\":[]}\n\n")]
    [InlineData("event: content_block_start\ndata: {\"index\":99999999999,\"content_block\":{\"type\":\"tool_use\"}}\n\n")]
    [InlineData("event: content_block_start\ndata: {\"index\":-1,\"content_block\":7}\n\n")]
    [InlineData("event: message_delta\ndata: {\"usage\":null}\n\n")]
    [InlineData("event: error\ndata: {\"error\":\"plain\"}\n\n")]
    [InlineData("data: [1,2]\n\n")]
    public async Task OnEvent_OddEvents_ForwardedWithoutThrowing(string stream)
    {
        var (summary, forwarded) = await RunAsync(Dialect.Observe(Facts), stream);

        Assert.Equal(stream, forwarded);
        Assert.Empty(summary.ToolCalls);
    }

    [Fact]
    public void OnBody_ToolUseMessage_ReadsThinkingToolInputAsGivenAndUsage()
    {
        var observer = Dialect.Observe(Facts with { Stream = false });

        observer.OnBody(Encoding.UTF8.GetBytes(AnthropicMessagesFixtures.ToolUseBody));

        AssertSummary(new(
            "msg_body_1",
            new TokenUsage(Input: 30, Output: 55, CacheRead: 1000, CacheWrite: 7, Reasoning: 0),
            [new("toolu_body", "read_file", """{ "path": "src/main.cs", "lines": [1, 20] }""")],
            [new("Need the file first.", "thinking")],
            null), observer.Complete());
    }

    [Fact]
    public void OnBody_ErrorBody_RecordsError()
    {
        var observer = Dialect.Observe(Facts);

        observer.OnBody("""{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: too large"},"request_id":"req_1"}"""u8);

        AssertSummary(new(null, null, [], [], "invalid_request_error: max_tokens: too large"), observer.Complete());
    }
}
