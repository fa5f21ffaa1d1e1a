using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.OpenAIResponses;
using Bridgekeeper.Streaming;
using F = Bridgekeeper.Tests.Providers.OpenAIResponsesLoopFixtures;

using Bridgekeeper.Tests.Interception;

namespace Bridgekeeper.Tests.Providers;

public sealed class OpenAIResponsesLoopTests
{
    private const string Echo = "bmcp_everything_echo";
    private const string GetSum = "bmcp_everything_get-sum";
    private static readonly RequestFacts Facts = new("gpt-5", true, "Say hi via echo", null, true);
    private static readonly IToolLoopDialect Loop = new OpenAIResponsesDialect().ToolLoop!;

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static LoopState NewLoop() => new(new HashSet<string> { Echo, GetSum });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OneTurn_NothingInjectedCalled_ClientGetsUpstreamBytes(bool webSearch)
    {
        var stream = webSearch ? OpenAIResponsesFixtures.WebSearch : OpenAIResponsesFixtures.CodexTurn;
        var loop = NewLoop();
        var turn = Loop.BeginTurn(Facts, loop);
        var client = new StringBuilder();

        var summary = await RelayAsync(turn, stream, client);
        Finish(turn, client);

        Assert.Equal(stream, client.ToString());
        Assert.False(turn.WantsInjectedTools);
        Assert.Empty(turn.InjectedCalls);
        Assert.True(summary.Finished);
    }

    [Fact]
    public async Task TwoTurns_InjectedCall_ClientSeesOneResponse()
    {
        var loop = NewLoop();
        var request = Request();
        var client = new StringBuilder();

        var first = Loop.BeginTurn(Facts, loop);
        var firstSummary = await RelayAsync(first, F.Turn1, client);
        Assert.True(first.WantsInjectedTools);
        Assert.Equal([new ToolCall("call_echo1", Echo, """{"message":"hi"}""")], first.InjectedCalls);
        loop = Continue(request, first, "hi");

        var last = Loop.BeginTurn(Facts, loop);
        await RelayAsync(last, F.Turn2, client);
        Assert.False(last.WantsInjectedTools);
        Finish(last, client);

        var events = Parse(client.ToString());
        Assert.Equal(1, events.Count(e => Type(e) == "response.created"));
        Assert.Equal(1, events.Count(e => Type(e) == "response.in_progress"));
        Assert.Equal(1, events.Count(e => Type(e) == "response.completed"));
        Assert.Equal("response.completed", Type(events[^1]));
        Assert.Equal(Enumerable.Range(0, events.Count).Select(n => (long)n), events.Select(e => e["sequence_number"]!.GetValue<long>()));
        Assert.DoesNotContain("fc_1", client.ToString());
        Assert.DoesNotContain("function_call", client.ToString());

        var added = events.Where(e => Type(e) == "response.output_item.added")
            .Select(e => (e["output_index"]!.GetValue<long>(), (string)e["item"]!["id"]!)).ToList();
        Assert.Equal([(0L, "rs_1"), (1L, "msg_1"), (2L, "msg_2")], added);
        Assert.All(events.Where(e => (string?)e["item_id"] == "msg_2"), e => Assert.Equal(2, e["output_index"]!.GetValue<long>()));

        var response = events[^1]["response"]!.AsObject();
        Assert.Equal("resp_turn1", (string?)response["id"]);
        Assert.Equal(["rs_1", "msg_1", "msg_2"], response["output"]!.AsArray().Select(item => (string)item!["id"]!));
        Assert.Equal(
            """{"input_tokens":2200,"input_tokens_details":{"cached_tokens":1800},"output_tokens":150,"output_tokens_details":{"reasoning_tokens":64},"total_tokens":2350}""",
            response["usage"]!.ToJsonString());
    }

    [Fact]
    public async Task SecondTurn_VisibleEvent_OnlyNumbersSpliced()
    {
        var loop = NewLoop();
        var first = Loop.BeginTurn(Facts, loop);
        var summary = await RelayAsync(first, F.Turn1, new StringBuilder());
        loop = Continue(Request(), first, "hi");
        var client = new StringBuilder();

        await RelayAsync(Loop.BeginTurn(Facts, loop), F.Turn2, client);

        var upstream = Frames(F.Turn2).Single(frame => frame.StartsWith("event: response.output_text.delta\n", StringComparison.Ordinal));
        var expected = upstream.Replace("\"sequence_number\":4,\"item_id\":\"msg_2\",\"output_index\":0", "\"sequence_number\":13,\"item_id\":\"msg_2\",\"output_index\":2", StringComparison.Ordinal);
        Assert.NotEqual(upstream, expected);
        Assert.Contains(expected, Frames(client.ToString()));
    }

    [Fact]
    public async Task SecondTurnFails_FailedEventGoesOutWithFirstIdAndNextSequence()
    {
        var loop = NewLoop();
        var client = new StringBuilder();
        var first = Loop.BeginTurn(Facts, loop);
        var summary = await RelayAsync(first, F.Turn1, client);
        loop = Continue(Request(), first, "hi");
        var failing = F.Turn2.Replace("response.completed", "response.failed", StringComparison.Ordinal);

        var last = Loop.BeginTurn(Facts, loop);
        await RelayAsync(last, failing, client);

        Assert.False(last.WantsInjectedTools);
        Assert.Empty(last.FinalFrames());
        var events = Parse(client.ToString());
        Assert.Equal("response.failed", Type(events[^1]));
        Assert.Equal("resp_turn1", (string?)events[^1]["response"]!["id"]);
        Assert.Equal(Enumerable.Range(0, events.Count).Select(n => (long)n), events.Select(e => e["sequence_number"]!.GetValue<long>()));
    }

    [Fact]
    public async Task MixedTurn_ClientAndInjectedCalls_GoesToClientWithoutInjectedCall()
    {
        var loop = NewLoop();
        var turn = Loop.BeginTurn(Facts, loop);
        var client = new StringBuilder();

        await RelayAsync(turn, F.Mixed, client);
        Finish(turn, client);

        Assert.False(turn.WantsInjectedTools);
        Assert.Equal([new ToolCall("call_echo2", Echo, """{"message":"x"}""")], turn.InjectedCalls);
        var text = client.ToString();
        Assert.DoesNotContain(Echo, text);
        Assert.DoesNotContain("fc_echo", text);
        var events = Parse(text);
        Assert.Equal(Enumerable.Range(0, events.Count).Select(n => (long)n), events.Select(e => e["sequence_number"]!.GetValue<long>()));
        var response = events[^1]["response"]!;
        Assert.Equal(["fc_shell"], response["output"]!.AsArray().Select(item => (string)item!["id"]!));
        Assert.Equal(540, response["usage"]!["total_tokens"]!.GetValue<long>());
    }

    [Fact]
    public async Task ParallelInjectedCalls_BothRunAndBothResultsAppended()
    {
        var loop = NewLoop();
        var request = Request();
        var turn = Loop.BeginTurn(Facts, loop);
        var client = new StringBuilder();

        var summary = await RelayAsync(turn, F.Parallel, client);

        Assert.True(turn.WantsInjectedTools);
        Assert.Equal(
            [new ToolCall("call_sum1", GetSum, """{"a":1,"b":2}"""), new ToolCall("call_echo3", Echo, """{"message":"3"}""")],
            turn.InjectedCalls);
        var text = client.ToString();
        Assert.DoesNotContain("fc_a", text);
        Assert.DoesNotContain("fc_b", text);
        Assert.Contains("Adding both.", text);

        loop = Continue(request, turn, "3", "3");
        var input = request["input"]!.AsArray();
        Assert.Equal(
            ["message", "message", "function_call", "function_call", "function_call_output", "function_call_output"],
            input.Select(item => (string?)item!["type"] ?? "message"));
        Assert.Equal("""{"type":"function_call_output","call_id":"call_sum1","output":"3"}""", input[4]!.ToJsonString());
        Assert.Equal("""{"type":"function_call_output","call_id":"call_echo3","output":"3"}""", input[5]!.ToJsonString());
    }

    [Fact]
    public async Task AppendToolResults_StringInput_BecomesUserMessageThenItemsAsReturnedThenOutputs()
    {
        var loop = NewLoop();
        var request = Request();
        var turn = Loop.BeginTurn(Facts, loop);
        var summary = await RelayAsync(turn, F.Turn1, new StringBuilder());

        loop = Continue(request, turn, "Echo: hi");

        Assert.Equal(
            """
            [{"role":"user","content":"Say hi via echo"},{"id":"rs_1","type":"reasoning","encrypted_content":"gAAAAABenc1==","summary":[{"type":"summary_text","text":"**Checking the echo tool**"}]},{"id":"msg_1","type":"message","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"Let me check."}],"role":"assistant"},{"id":"fc_1","type":"function_call","status":"completed","arguments":"{\"message\":\"hi\"}","call_id":"call_echo1","name":"bmcp_everything_echo"},{"type":"function_call_output","call_id":"call_echo1","output":"Echo: hi"}]
            """,
            request["input"]!.ToJsonString(Relaxed));
        Assert.Equal("resp_prev", (string?)request["previous_response_id"]);
    }

    [Fact]
    public async Task AppendToolResults_StoreFalse_LeavesItemIdsOut()
    {
        var loop = NewLoop();
        var request = Request();
        request["store"] = false;
        var turn = Loop.BeginTurn(Facts, loop);
        var summary = await RelayAsync(turn, F.Turn1, new StringBuilder());

        loop = Continue(request, turn, "Echo: hi");

        var input = request["input"]!.AsArray();
        Assert.Equal(5, input.Count);
        Assert.All(input, item => Assert.Null(item!["id"]));
        Assert.Equal("gAAAAABenc1==", (string?)input[1]!["encrypted_content"]);
    }

    [Fact]
    public void InjectTools_PrependsFunctionsBeforeClientTools()
    {
        var request = JsonNode.Parse("""
            {"model":"gpt-5","tools":[{"type":"namespace","name":"ns","tools":[]},{"type":"web_search"},{"type":"custom","name":"apply_patch","format":{"type":"grammar"}}]}
            """)!.AsObject();
        var schema = JsonNode.Parse("""{"type":"object","properties":{"message":{"type":"string"}},"required":["message"]}""")!.AsObject();

        Loop.InjectTools(request, [new ToolDefinition(Echo, "Echoes the input", schema)]);

        Assert.Equal(
            """[{"type":"function","name":"bmcp_everything_echo","description":"Echoes the input","parameters":{"type":"object","properties":{"message":{"type":"string"}},"required":["message"]},"strict":false},{"type":"namespace","name":"ns","tools":[]},{"type":"web_search"},{"type":"custom","name":"apply_patch","format":{"type":"grammar"}}]""",
            request["tools"]!.ToJsonString());
        Assert.Equal(128, Loop.MaxTools);
    }

    [Fact]
    public void InjectTools_NoClientTools_CreatesTools()
    {
        var request = new JsonObject { ["model"] = "gpt-5" };

        Loop.InjectTools(request, [new ToolDefinition(Echo, null, new JsonObject { ["type"] = "object" })]);

        Assert.Equal("""[{"type":"function","name":"bmcp_everything_echo","description":"","parameters":{"type":"object"},"strict":false}]""", request["tools"]!.ToJsonString());
    }

    [Fact]
    public void Blocking_TwoTurns_FinalBodyMergesOutputWithFirstIdAndSummedUsage()
    {
        var loop = NewLoop();
        var request = Request();
        var first = Loop.BeginTurn(Facts, loop);
        first.OnBody(Encoding.UTF8.GetBytes(F.BlockingTurn1));
        var summary = first.Complete();
        Assert.True(first.WantsInjectedTools);
        loop = Continue(request, first, "hi");
        Assert.Equal(5, request["input"]!.AsArray().Count);

        var last = Loop.BeginTurn(Facts, loop);
        var body = Encoding.UTF8.GetBytes(F.BlockingTurn2);
        last.OnBody(body);
        last.Complete();
        var final = JsonNode.Parse(last.FinalBody(body).Span)!;

        Assert.False(last.WantsInjectedTools);
        Assert.Equal("resp_b1", (string?)final["id"]);
        Assert.Equal(["rs_1", "msg_1", "msg_2"], final["output"]!.AsArray().Select(item => (string)item!["id"]!));
        Assert.Equal(
            """{"input_tokens":2200,"input_tokens_details":{"cached_tokens":1800},"output_tokens":150,"output_tokens_details":{"reasoning_tokens":64},"total_tokens":2350}""",
            final["usage"]!.ToJsonString());
    }

    [Fact]
    public void Blocking_OneTurnNothingInjected_FinalBodyIsUpstreamBytes()
    {
        var turn = Loop.BeginTurn(Facts, NewLoop());
        ReadOnlyMemory<byte> body = Encoding.UTF8.GetBytes(F.BlockingTurn2);
        turn.OnBody(body.Span);
        turn.Complete();

        Assert.True(turn.FinalBody(body).Span.SequenceEqual(body.Span));
        Assert.False(turn.WantsInjectedTools);
    }

    private static JsonObject Request() => new()
    {
        ["model"] = "gpt-5",
        ["input"] = "Say hi via echo",
        ["previous_response_id"] = "resp_prev",
        ["stream"] = true,
    };

    /// <summary>Runs one turn through the loop's own stream writer: the client's bytes go to <paramref name="client"/>.</summary>
    private static async Task<ExchangeSummary> RelayAsync(ILoopTurn turn, string stream, StringBuilder client)
    {
        client.Append(await LoopHarness.RelayAsync(turn, stream, new OpenAIResponsesDialect()));
        return turn.Complete();
    }

    private static void Finish(ILoopTurn turn, StringBuilder client)
    {
        foreach (var frame in turn.FinalFrames())
            client.Append(Encoding.UTF8.GetString(frame.Span));
    }

    /// <summary>What the loop does between turns, with the injected calls' results: the turn appends them and gives the next state.</summary>
    private static LoopState Continue(JsonObject request, ILoopTurn turn, params string[] results) =>
        turn.Continue(request, [.. turn.InjectedCalls.Select((call, i) => new ToolOutcome(call, results[i], IsError: false))]);

    private static List<string> Frames(string stream) =>
        [.. stream.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(frame => frame + "\n\n")];

    private static List<JsonNode> Parse(string stream) =>
        [.. Frames(stream).Select(frame => JsonNode.Parse(frame[(frame.IndexOf("data: ", StringComparison.Ordinal) + 6)..])!)];

    private static string? Type(JsonNode e) => (string?)e["type"];
}
