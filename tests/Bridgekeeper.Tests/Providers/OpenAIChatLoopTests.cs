using System.Text;
using System.Text.Json.Nodes;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.OpenAIChat;
using Bridgekeeper.Streaming;
using Bridgekeeper.Tests.Interception;
using static Bridgekeeper.Tests.Providers.OpenAIChatLoopFixtures;

namespace Bridgekeeper.Tests.Providers;

public sealed class OpenAIChatLoopTests
{
    private static readonly OpenAIChatToolLoop ToolLoop = new();

    private static RequestFacts Facts(bool clientWantsUsage, bool stream = true) => new("gpt-4.1", stream, "hi", null, clientWantsUsage);

    private static LoopState NewLoop() => new(new HashSet<string> { Weather, Clock });

    private static JsonObject Request() =>
        JsonNode.Parse("""{"model":"gpt-4.1","stream":true,"messages":[{"role":"user","content":"Weather in Paris?"}]}""")!.AsObject();

    /// <summary>Runs one turn through the loop's own stream writer and returns what the client received during it.</summary>
    private static Task<string> RelayAsync(ILoopTurn turn, string stream) => LoopHarness.RelayAsync(turn, stream, new OpenAIChatDialect());

    private static string Final(ILoopTurn turn) => string.Concat(turn.FinalFrames().Select(frame => Encoding.UTF8.GetString(frame.Span)));

    /// <summary>The stream without its usage-only chunk (<c>"choices":[]</c>), as a client that did not ask gets it.</summary>
    private static string WithoutUsageChunk(string stream) =>
        string.Join("\n\n", stream.Split("\n\n").Where(frame => !frame.Contains("\"choices\":[],", StringComparison.Ordinal)));

    private static string Text(JsonNode node) => Encoding.UTF8.GetString(LoopWire.Serialize(node));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Stream_OneTurnNothingInjected_UpstreamBytes(bool clientWantsUsage)
    {
        foreach (var fixture in new[] { OpenAIChatFixtures.TextWithUsage, OpenAIChatFixtures.ParallelToolCalls })
        {
            var turn = ToolLoop.BeginTurn(Facts(clientWantsUsage), NewLoop());

            var client = await RelayAsync(turn, fixture);
            var summary = turn.Complete();
            client += Final(turn);

            var expected = clientWantsUsage ? fixture : WithoutUsageChunk(fixture);
            Assert.Equal(expected, client);
            Assert.False(turn.WantsInjectedTools);
            Assert.Empty(turn.InjectedCalls);
            Assert.True(summary.Finished);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Stream_TwoTurnLoop_OneCoherentStream(bool clientWantsUsage)
    {
        var loop = NewLoop();
        var request = Request();
        var first = ToolLoop.BeginTurn(Facts(clientWantsUsage), loop);

        var client = await RelayAsync(first, TextThenInjectedCall);
        var firstSummary = first.Complete();

        Assert.True(first.WantsInjectedTools);
        Assert.Equal([new ToolCall("call_w1", Weather, """{"city":"Paris"}""")], first.InjectedCalls);
        Assert.Equal(new TokenUsage(60, 20, 40, 0, 0), firstSummary.Usage);
        loop = first.Continue(request, [new ToolOutcome(first.InjectedCalls[0], "Sunny, 24 °C", false)]);

        var second = ToolLoop.BeginTurn(Facts(clientWantsUsage), loop);
        client += await RelayAsync(second, TextAnswer);
        var secondSummary = second.Complete();
        client += Final(second);

        Assert.False(second.WantsInjectedTools);
        Assert.Equal(new TokenUsage(50, 10, 100, 0, 4), secondSummary.Usage);
        var expected = clientWantsUsage ? TwoTurnsToClient : WithoutUsageChunk(TwoTurnsToClient);
        Assert.Equal(expected, client);
        Assert.DoesNotContain("bmcp_", client, StringComparison.Ordinal);
        Assert.DoesNotContain("chatcmpl-LoopT2", client, StringComparison.Ordinal);
        Assert.Equal(clientWantsUsage, client.Contains("\"prompt_tokens\":250", StringComparison.Ordinal));
        Assert.Equal(
            """[{"role":"user","content":"Weather in Paris?"},{"role":"assistant","content":"Let me check.","tool_calls":[{"id":"call_w1","type":"function","function":{"name":"bmcp_weather_forecast","arguments":"{\"city\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":"call_w1","content":"Sunny, 24 °C"}]""",
            Text(request["messages"]!));
    }

    [Fact]
    public async Task Stream_MixedClientAndInjectedCalls_ClientCallOnlyAtIndexZero()
    {
        var turn = ToolLoop.BeginTurn(Facts(clientWantsUsage: true), NewLoop());

        var client = await RelayAsync(turn, MixedCalls);
        var summary = turn.Complete();
        client += Final(turn);

        Assert.False(turn.WantsInjectedTools);
        Assert.Equal([new ToolCall("call_inj", Weather, """{"city":"Paris"}""")], turn.InjectedCalls);
        Assert.Equal(2, summary.ToolCalls.Count);
        Assert.Equal(MixedCallsToClient, client);
    }

    [Fact]
    public async Task Stream_ParallelInjectedCalls_BothRunAndAppended()
    {
        var request = Request();
        var turn = ToolLoop.BeginTurn(Facts(clientWantsUsage: false), NewLoop());

        var client = await RelayAsync(turn, ParallelInjected);
        turn.Complete();

        Assert.True(turn.WantsInjectedTools);
        Assert.Equal(
            [new ToolCall("call_a", Weather, """{"city":"Paris"}"""), new ToolCall("call_b", Clock, """{"tz":"Europe/Paris"}""")],
            turn.InjectedCalls);
        Assert.Equal("""
            data: {"id":"chatcmpl-Par","object":"chat.completion.chunk","created":1741571200,"model":"gpt-4.1","choices":[{"index":0,"delta":{"role":"assistant","content":null,"refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}


            """, client);

        turn.Continue(request,
            [new ToolOutcome(turn.InjectedCalls[0], "Sunny", false), new ToolOutcome(turn.InjectedCalls[1], "error: unknown zone", true)]);
        Assert.Equal(
            """[{"role":"user","content":"Weather in Paris?"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_a","type":"function","function":{"name":"bmcp_weather_forecast","arguments":"{\"city\":\"Paris\"}"}},{"id":"call_b","type":"function","function":{"name":"bmcp_clock_now","arguments":"{\"tz\":\"Europe/Paris\"}"}}]},{"role":"tool","tool_call_id":"call_a","content":"Sunny"},{"role":"tool","tool_call_id":"call_b","content":"error: unknown zone"}]""",
            Text(request["messages"]!));
    }

    [Fact]
    public async Task Stream_SecondTurnCallsInjectedToolsAgain_NothingOfItReachesTheClient()
    {
        var loop = NewLoop();
        var first = ToolLoop.BeginTurn(Facts(true), loop);
        var client = await RelayAsync(first, TextThenInjectedCall);
        first.Complete();
        loop = first.Continue(Request(), [new ToolOutcome(first.InjectedCalls[0], "Sunny", false)]);

        var second = ToolLoop.BeginTurn(Facts(true), loop);
        client += await RelayAsync(second, ParallelInjected);
        second.Complete();

        Assert.True(second.WantsInjectedTools);
        Assert.Equal(TwoTurnsToClient.Split("\n\n")[..3].Select(frame => frame + "\n\n"), client.Split("\n\n")[..^1].Select(frame => frame + "\n\n"));
    }

    [Fact]
    public async Task Stream_FinishChunkCarriesText_TextGoesOutNowFinishIsHeld()
    {
        const string stream = """
            data: {"id":"c1","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}

            data: {"id":"c1","choices":[{"index":0,"delta":{"content":"!"},"finish_reason":"stop"}],"usage":null}

            data: [DONE]


            """;
        var turn = ToolLoop.BeginTurn(Facts(true), NewLoop());

        var during = await RelayAsync(turn, stream);
        turn.Complete();

        Assert.Equal("""
            data: {"id":"c1","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}

            data: {"id":"c1","choices":[{"index":0,"delta":{"content":"!"},"finish_reason":null}],"usage":null}


            """, during);
        Assert.Equal("""
            data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}

            data: [DONE]


            """, Final(turn));
    }

    [Fact]
    public void Body_OneTurnNothingInjected_UpstreamBytes()
    {
        var turn = ToolLoop.BeginTurn(Facts(true, stream: false), NewLoop());
        var body = Encoding.UTF8.GetBytes(OpenAIChatFixtures.ToolCallBody);

        turn.OnBody(body);
        turn.Complete();

        Assert.False(turn.WantsInjectedTools);
        Assert.Equal(body, turn.FinalBody(body).ToArray());
    }

    [Fact]
    public void Body_TwoTurnLoop_MergedContentFirstIdSummedUsage()
    {
        var loop = NewLoop();
        var request = Request();
        var first = ToolLoop.BeginTurn(Facts(true, stream: false), loop);
        first.OnBody(Encoding.UTF8.GetBytes(InjectedCallBody));
        var summary = first.Complete();

        Assert.True(first.WantsInjectedTools);
        loop = first.Continue(request, [new ToolOutcome(first.InjectedCalls[0], "Sunny", false)]);
        Assert.Equal(
            """{"role":"assistant","content":"Let me check.","tool_calls":[{"id":"call_w1","type":"function","function":{"name":"bmcp_weather_forecast","arguments":"{\"city\":\"Paris\"}"}}]}""",
            Text(request["messages"]![1]!));

        var second = ToolLoop.BeginTurn(Facts(true, stream: false), loop);
        var last = Encoding.UTF8.GetBytes(AnswerBody);
        second.OnBody(last);
        second.Complete();

        Assert.False(second.WantsInjectedTools);
        Assert.Equal(MergedBody, Encoding.UTF8.GetString(second.FinalBody(last).Span));
    }

    [Fact]
    public void Body_MixedTurn_InjectedCallRemovedClientCallKept()
    {
        var turn = ToolLoop.BeginTurn(Facts(true, stream: false), NewLoop());
        var body = Encoding.UTF8.GetBytes(OpenAIChatFixtures.ToolCallBody.Replace("\"list_dir\"", $"\"{Weather}\"", StringComparison.Ordinal));

        turn.OnBody(body);
        turn.Complete();
        var final = JsonNode.Parse(turn.FinalBody(body).Span)!;

        Assert.False(turn.WantsInjectedTools);
        var calls = final["choices"]![0]!["message"]!["tool_calls"]!.AsArray();
        Assert.Equal("call_a", Assert.Single(calls)!["id"]!.GetValue<string>());
        Assert.Equal("chatcmpl-BBody", final["id"]!.GetValue<string>());
        Assert.Equal(82, final["usage"]!["prompt_tokens"]!.GetValue<long>());
    }

    [Fact]
    public void InjectTools_PrependsFunctionsBeforeClientTools()
    {
        var request = JsonNode.Parse("""{"tools":[{"type":"function","function":{"name":"read_file","parameters":{"type":"object"}}}]}""")!.AsObject();
        var schema = JsonNode.Parse("""{"type":"object","properties":{"city":{"type":"string"}}}""")!.AsObject();

        ToolLoop.InjectTools(request, [new ToolDefinition(Weather, "Forecast", schema), new ToolDefinition(Clock, null, new JsonObject())]);

        Assert.Equal(
            """{"tools":[{"type":"function","function":{"name":"bmcp_weather_forecast","description":"Forecast","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}},{"type":"function","function":{"name":"bmcp_clock_now","description":"","parameters":{}}},{"type":"function","function":{"name":"read_file","parameters":{"type":"object"}}}]}""",
            Text(request));
        Assert.Equal(128, ToolLoop.MaxTools);
    }
}
