using System.Text;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.OpenAIResponses;
using static Bridgekeeper.Tests.Providers.ObserverHarness;

namespace Bridgekeeper.Tests.Providers;

public sealed class OpenAIResponsesObserverTests
{
    private static readonly OpenAIResponsesDialect Dialect = new();
    private static readonly RequestFacts Facts = new("gpt-5-codex", true, "hi", null, true);

    private static readonly ExchangeSummary CodexTurnSummary = new(
        "resp_0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        new TokenUsage(Input: 912, Output: 412, CacheRead: 11904, CacheWrite: 0, Reasoning: 256),
        [new("call_Xk3mP9qR2sT5", "shell", """{"command":["bash","-lc","dotnet test"],"workdir":"/repo"}""")],
        [
            new("**Locating the failing test**\n\nI'll run the suite to see which assertion fails.", "reasoning_summary"),
            new("Running the tests first \u2014 \"dotnet test\".", "commentary"),
        ],
        null);

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task OnEvent_CodexTurn_SummarizesReasoningCommentaryCallOnceAndUsage(bool crlf, bool oneBytePerRead)
    {
        var stream = crlf ? OpenAIResponsesFixtures.CodexTurn.ReplaceLineEndings("\r\n") : OpenAIResponsesFixtures.CodexTurn;

        var (summary, forwarded) = await RunAsync(Dialect.Observe(Facts), stream, oneBytePerRead);

        AssertSummary(CodexTurnSummary, summary);
        Assert.True(summary.Finished);
        Assert.Equal(stream, forwarded);
    }

    [Fact]
    public async Task OnEvent_FramesWithoutEventLines_ReadFromDataType()
    {
        var stream = string.Join("", OpenAIResponsesFixtures.CodexTurn.Split('\n')
            .Where(line => !line.StartsWith("event:", StringComparison.Ordinal)).Select(line => line + "\n"));

        var (summary, forwarded) = await RunAsync(Dialect.Observe(Facts), stream);

        AssertSummary(CodexTurnSummary, summary);
        Assert.True(summary.Finished);
        Assert.Equal(stream, forwarded);
    }

    [Fact]
    public async Task OnEvent_WebSearch_RecordsBuiltInCallWithItsAction()
    {
        var (summary, forwarded) = await RunAsync(Dialect.Observe(Facts), OpenAIResponsesFixtures.WebSearch);

        AssertSummary(new(
            "resp_ws68e1",
            new TokenUsage(320, 95, 0, 0, 0) { WebSearches = 1 },               // one web_search_call item
            [new("ws_68e1a2b3", "web_search", """{"type":"search","query":"dotnet 10 release date","sources":[{"type":"url","url":"https://devblogs.microsoft.com/dotnet/"}]}""")],
            [],
            null), summary);
        Assert.True(summary.Finished);
        Assert.Equal(OpenAIResponsesFixtures.WebSearch, forwarded);
    }

    [Fact]
    public async Task OnEvent_CustomToolCall_RecordsFreeFormInputAsText()
    {
        var (summary, _) = await RunAsync(Dialect.Observe(Facts), OpenAIResponsesFixtures.CustomToolCall);

        AssertSummary(new(
            "resp_ctc68e2",
            new TokenUsage(416, 70, 3584, 0, 0),
            [new("call_Pq7rS8tU", "apply_patch", "*** Begin Patch\n*** Update File: src/app.cs\n@@\n-    return a - b;\n+    return a + b;\n*** End Patch")],
            [],
            null), summary);
        Assert.True(summary.Finished);
    }

    [Fact]
    public async Task OnEvent_ResponseFailed_RecordsErrorAndFinalUsage()
    {
        var (summary, forwarded) = await RunAsync(Dialect.Observe(Facts), OpenAIResponsesFixtures.Failed);

        AssertSummary(new(
            "resp_fail68e3",
            new TokenUsage(904, 12, 4096, 0, 12),
            [],
            [],
            "server_error: An error occurred while processing your request. You can retry your request."), summary);
        Assert.True(summary.Finished);
        Assert.Equal(OpenAIResponsesFixtures.Failed, forwarded);
    }

    [Fact]
    public async Task OnEvent_ErrorEvent_RecordsErrorAndIsUnfinished()
    {
        var (summary, forwarded) = await RunAsync(Dialect.Observe(Facts), OpenAIResponsesFixtures.ErrorEvent);

        AssertSummary(new(
            "resp_err68e4", null, [], [], "rate_limit_exceeded: Rate limit reached for gpt-5-codex. Please try again in 2.5s."), summary);
        Assert.False(summary.Finished);
        Assert.Equal(OpenAIResponsesFixtures.ErrorEvent, forwarded);
    }

    [Theory]
    [InlineData("""{"type":"error","sequence_number":2,"error":{"type":"invalid_request_error","code":"invalid_prompt","message":"Invalid prompt.","param":null}}""", "invalid_prompt: Invalid prompt.")]
    [InlineData("""{"type":"error","sequence_number":2,"error":{"type":"server_error","code":null,"message":"Oops."}}""", "server_error: Oops.")]
    [InlineData("""{"type":"error","sequence_number":2,"code":null,"message":"Something went wrong.","param":null}""", "Something went wrong.")]
    [InlineData("""{"type":"error","sequence_number":2}""", "error")]
    public async Task OnEvent_ErrorEventShapes_RecordsCodeAndMessage(string data, string error)
    {
        var (summary, _) = await RunAsync(Dialect.Observe(Facts), $"event: error\ndata: {data}\n\n");

        Assert.Equal(error, summary.Error);
    }

    [Fact]
    public async Task OnEvent_ResponseIncomplete_FinishedWithUsageAndNoError()
    {
        var (summary, _) = await RunAsync(Dialect.Observe(Facts), OpenAIResponsesFixtures.Incomplete);

        AssertSummary(new("resp_inc68e5", new TokenUsage(72, 64, 128, 0, 48), [], [], null), summary);
        Assert.True(summary.Finished);
    }

    [Fact]
    public async Task Complete_StreamCutMidArguments_AssemblesCallFromDeltas()
    {
        var fixture = OpenAIResponsesFixtures.CodexTurn;
        var cut = fixture[..fixture.IndexOf("\"workdir", StringComparison.Ordinal)];
        cut = cut[..(cut.LastIndexOf("\n\n", StringComparison.Ordinal) + 2)];

        var (summary, forwarded) = await RunAsync(Dialect.Observe(Facts), cut);

        AssertSummary(CodexTurnSummary with
        {
            Usage = null,
            ToolCalls = [new("call_Xk3mP9qR2sT5", "shell", """{"command":["bash","-lc","dotnet test"],""")],
        }, summary);
        Assert.False(summary.Finished);
        Assert.Equal(cut, forwarded);
    }

    [Fact]
    public async Task Complete_StreamCutRightAfterCallAdded_RecordsCallWithEmptyArguments()
    {
        var fixture = OpenAIResponsesFixtures.WebSearch;
        var cut = fixture[..fixture.IndexOf("event: response.web_search_call.in_progress", StringComparison.Ordinal)];

        var (summary, _) = await RunAsync(Dialect.Observe(Facts), cut);

        AssertSummary(new("resp_ws68e1", null, [new("ws_68e1a2b3", "web_search", "{}")], [], null), summary);
        Assert.False(summary.Finished);
    }

    [Fact]
    public void Complete_NothingSeen_HasNoUsage()
    {
        var summary = Dialect.Observe(Facts).Complete();

        AssertSummary(new(null, null, [], [], null), summary);
        Assert.True(summary.Finished);
    }

    [Theory]
    [InlineData("event: response.output_item.done\ndata: not json\n\n")]
    [InlineData("event: response.output_item.done\ndata: {\"output_index\":\"x\",\"item\":[]}\n\n")]
    [InlineData("event: response.output_item.added\ndata: {\"output_index\":99999999999,\"item\":{\"type\":\"function_call\"}}\n\n")]
    [InlineData("event: response.output_item.done\ndata: {\"output_index\":-1,\"item\":{\"type\":\"web_search_call\"}}\n\n")]
    [InlineData("event: response.output_item.done\ndata: {\"output_index\":0,\"item\":{\"type\":7,\"summary\":{},\"content\":\"x\"}}\n\n")]
    [InlineData("event: response.function_call_arguments.delta\ndata: {\"output_index\":0,\"delta\":{}}\n\n")]
    [InlineData("event: response.created\ndata: {\"response\":[]}\n\n")]
    [InlineData("event: response.completed\ndata: {\"response\":{\"usage\":7,\"error\":\"x\",\"status\":5,\"output\":3}}\n\n")]
    [InlineData("event: error\ndata: {\"error\":\"plain\",\"code\":5}\n\n")]
    [InlineData("data: [1,2]\n\n")]
    [InlineData(": keep-alive\n\n")]
    public async Task OnEvent_OddEvents_ForwardedWithoutThrowing(string stream)
    {
        var (summary, forwarded) = await RunAsync(Dialect.Observe(Facts), stream);

        Assert.Equal(stream, forwarded);
        Assert.Empty(summary.ToolCalls);
        Assert.Null(summary.Usage);
    }

    [Fact]
    public async Task OnEvent_OddCallItem_RecordsWhatItCanRead()
    {
        const string Stream = """
            event: response.output_item.done
            data: {"output_index":0,"item":{"type":"web_search_call","id":"ws_1","action":5}}

            event: response.output_item.done
            data: {"output_index":1,"item":{"type":"function_call","arguments":null}}

            event: response.output_item.done
            data: {"output_index":2,"item":{"type":"reasoning","summary":[{"type":"summary_text","text":""},7,{"type":"summary_text"}]}}

            event: response.output_item.done
            data: {"output_index":3,"item":{"type":"message","phase":"commentary","content":[{"type":"refusal","refusal":"no"}]}}


            """;

        var (summary, _) = await RunAsync(Dialect.Observe(Facts), Stream);

        AssertSummary(new(null, null, [new("ws_1", "web_search", "{}"), new("", "", "{}")], [], null), summary);
    }

    [Fact]
    public void OnBody_EveryItemKind_ReadsCallsThoughtsAndUsage()
    {
        var observer = Dialect.Observe(Facts with { Stream = false });

        observer.OnBody(Encoding.UTF8.GetBytes(OpenAIResponsesFixtures.EveryItemBody));

        var summary = observer.Complete();
        AssertSummary(new(
            "resp_body68e6",
            new TokenUsage(Input: 1024, Output: 300, CacheRead: 1024, CacheWrite: 0, Reasoning: 200),
            [
                new("call_b1", "read_file", """{"path":"a.txt"}"""),
                new("call_b2", "apply_patch", "*** Begin Patch\n*** End Patch"),
                new("call_b3", "local_shell", """{ "type": "exec", "command": ["ls", "-la"], "env": {}, "timeout_ms": 10000, "working_directory": "/repo" }"""),
                new("mcp_b1", "ask_question", """{"repoName":"dotnet/runtime"}"""),
                new("ci_b1", "code_interpreter", "print(1 + 1)"),
                new("fs_b1", "file_search", """["retention policy"]"""),
                new("ig_b1", "image_generation", "{}"),
                new("call_b4", "computer", """{ "type": "click", "button": "left", "x": 10, "y": 20 }"""),
            ],
            [new("Plan the edit.\n\nThen verify it.", "reasoning_summary"), new("Checking the repo.", "commentary")],
            null), summary);
        Assert.True(summary.Finished);
    }

    [Theory]
    [InlineData("""{"error":{"message":"Your input exceeds the context window of this model.","type":"invalid_request_error","param":"input","code":"context_length_exceeded"}}""",
                null, "context_length_exceeded: Your input exceeds the context window of this model.")]
    [InlineData("""{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":null}}""", null, "requests: Rate limit reached")]
    [InlineData("""{"id":"resp_f","object":"response","status":"failed","error":{"code":"server_error","message":"boom"},"output":[],"usage":null}""", "resp_f", "server_error: boom")]
    [InlineData("""{"id":"resp_g","object":"response","status":"failed","error":null,"output":[]}""", "resp_g", "response failed")]
    public void OnBody_ErrorOrFailedBody_RecordsError(string body, string? responseId, string error)
    {
        var observer = Dialect.Observe(Facts with { Stream = false });

        observer.OnBody(Encoding.UTF8.GetBytes(body));

        AssertSummary(new(responseId, null, [], [], error), observer.Complete());
    }
}
