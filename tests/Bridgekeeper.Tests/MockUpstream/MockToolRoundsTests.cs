using System.Net;
using System.Text.Json.Nodes;
using Bridgekeeper.MockUpstream;

namespace Bridgekeeper.Tests.MockUpstream;

/// <summary>
/// Several tool calls in one turn (<c>x-mock-tool</c> with <c>" | "</c>, <c>mock:tool=</c> lines), tool-result turns by
/// round (<c>x-mock-rounds</c>), usage per request and the tool names each exchange declared, on all three APIs.
/// </summary>
public sealed class MockToolRoundsTests : IAsyncLifetime
{
    private const string Echo = "bmcp_everything_echo";
    private const string Weather = "get_weather";
    private const string EchoArgs = """{"message":"hi"}""";
    private const string WeatherArgs = """{"city":"Paris"}""";
    private const string TwoCalls = $"name={Echo};args={EchoArgs} | name={Weather};args={WeatherArgs}";
    private MockHarness _mock = null!;

    public static TheoryData<string, bool> ApisAndModes => MockToolTurn.ApisAndModes();

    public async ValueTask InitializeAsync() => _mock = await MockHarness.StartAsync();

    public async ValueTask DisposeAsync() => await _mock.DisposeAsync();

    [Theory]
    [MemberData(nameof(ApisAndModes))]
    public async Task ToolHeader_TwoCalls_MakesBothInOrderWithOwnIds(string api, bool stream)
    {
        var turn = await SendAsync(api, stream, MockToolTurn.Request(api, stream, "hi", Echo, Weather),
            ("x-mock-scenario", "tool_call"), ("x-mock-tool", TwoCalls));

        Assert.True(turn.ToolStop);
        Assert.Equal("", turn.Text);
        Assert.Equal([(Echo, EchoArgs), (Weather, WeatherArgs)], turn.Calls.Select(call => (call.Name, call.Arguments)));
        Assert.Equal(2, turn.Calls.Select(call => call.Id).Distinct().Count());
    }

    [Theory]
    [InlineData("chat")]
    [InlineData("messages")]
    [InlineData("responses")]
    public async Task ToolHeader_OneCall_StaysOneCall(string api)
    {
        var turn = await SendAsync(api, true, MockToolTurn.Request(api, true, "hi"), ("x-mock-scenario", "tool_call"));

        var call = Assert.Single(turn.Calls);
        Assert.Equal((MockControls.DefaultToolName, MockControls.DefaultToolArguments), (call.Name, call.Arguments));
    }

    [Fact]
    public async Task ToolHeader_ChatStream_SecondCallHasIndexOneAndItsOwnArgumentPieces()
    {
        var (_, body) = await _mock.SendAsync(MockToolTurn.Http("chat", MockToolTurn.Request("chat", true, "hi"),
            ("x-mock-scenario", "tool_call"), ("x-mock-tool", TwoCalls)));

        var calls = MockHarness.Frames(body)[..^1].Select(frame => MockHarness.Json(frame.Data).GetProperty("choices"))
            .Where(choices => choices.GetArrayLength() > 0 && choices[0].GetProperty("delta").TryGetProperty("tool_calls", out _))
            .Select(choices => choices[0].GetProperty("delta").GetProperty("tool_calls")[0]).ToList();
        Assert.Equal(2, calls.Count(call => call.TryGetProperty("id", out _)));
        var second = calls.FindIndex(call => call.GetProperty("index").GetInt32() == 1);
        Assert.True(calls[second].TryGetProperty("id", out _));
        Assert.All(calls[..second], call => Assert.Equal(0, call.GetProperty("index").GetInt32()));
        Assert.All(calls[second..], call => Assert.Equal(1, call.GetProperty("index").GetInt32()));
        Assert.Equal(WeatherArgs, string.Concat(calls[second..].Select(call => call.GetProperty("function").GetProperty("arguments").GetString())));
    }

    [Fact]
    public async Task ToolHeader_SeparatorInsideJsonString_DoesNotSplit()
    {
        const string args = """{"q":"a | name=b","n":"\" | "}""";
        var turn = await SendAsync("responses", false, MockToolTurn.Request("responses", false, "hi"),
            ("x-mock-scenario", "tool_call"), ("x-mock-tool", $"name=search;args={args} | name=other"));

        Assert.Equal([("search", args), ("other", MockControls.DefaultToolArguments)], turn.Calls.Select(call => (call.Name, call.Arguments)));
    }

    [Theory]
    [InlineData("x-mock-tool", "name=a;args={} | bogus")]
    [InlineData("x-mock-tool", "name=a;args={} | name=b;args=[1]")]
    [InlineData("x-mock-rounds", "0")]
    [InlineData("x-mock-rounds", "many")]
    public async Task Headers_Malformed_Return400NamingTheHeader(string header, string value)
    {
        var (response, body) = await _mock.SendAsync(MockHarness.OpenAIChat("""{"model":"m"}""", (header, value)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(header, MockHarness.Json(body).GetProperty("error").GetProperty("message").GetString());
    }

    [Theory]
    [MemberData(nameof(ApisAndModes))]
    public async Task ToolDirectives_WithReplyAndUsage_TextFirstThenCallsThenToolSaidAndUsagePerRequest(string api, bool stream)
    {
        var prompt = $"Please.\nmock:reply=Checking now.\nmock:tool={Echo} {EchoArgs}\nmock:tool={Weather}   {WeatherArgs}\nmock:usage=input=10,output=5";
        var request = MockToolTurn.Request(api, stream, prompt, Echo, Weather);

        var first = await SendAsync(api, stream, request);
        Assert.True(first.ToolStop);
        Assert.Equal("Checking now.", first.Text);
        Assert.True(first.TextBeforeCalls);
        Assert.Equal([(Echo, EchoArgs), (Weather, WeatherArgs)], first.Calls.Select(call => (call.Name, call.Arguments)));

        var second = await SendAsync(api, stream, first.Continue(api, request, call => $"{call.Name} done"));
        Assert.False(second.ToolStop);
        Assert.Empty(second.Calls);
        Assert.Equal($"Tool said: {Echo} done | {Weather} done", second.Text);
        Assert.Equal((20, 10), (first.Input + second.Input, first.Output + second.Output));
    }

    [Theory]
    [InlineData("chat")]
    [InlineData("messages")]
    [InlineData("responses")]
    public async Task ToolDirective_NameOnly_CallsWithEmptyArguments(string api)
    {
        var turn = await SendAsync(api, false, MockToolTurn.Request(api, false, "mock:tool=bmcp_everything_get-env"));

        Assert.Equal(("bmcp_everything_get-env", "{}"), (Assert.Single(turn.Calls).Name, turn.Calls[0].Arguments));
        Assert.Equal("", turn.Text);
    }

    [Fact]
    public async Task ToolDirective_HeadersGiven_HeadersWin()
    {
        var request = MockToolTurn.Request("messages", true, $"mock:tool={Echo} {EchoArgs}");

        var turn = await SendAsync("messages", true, request, ("x-mock-scenario", "tool_call"), ("x-mock-tool", "name=lookup"));
        Assert.Equal("lookup", Assert.Single(turn.Calls).Name);

        var text = await SendAsync("messages", true, request, ("x-mock-scenario", "text"));
        Assert.Empty(text.Calls);
        Assert.Equal(MockControls.DefaultText, text.Text);
    }

    [Fact]
    public async Task ToolDirective_ArgumentsNotAnObject_Returns400NamingTheDirective()
    {
        var (response, body) = await _mock.SendAsync(MockHarness.OpenAIResponses("""{"input":"mock:tool=echo [1,2]"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("mock:tool", MockHarness.Json(body).GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task ToolDirective_AndRun_ToolWins()
    {
        const string request = """
            {"model":"m","tools":[{"type":"function","name":"shell","parameters":{}}],"input":"mock:run=ls\nmock:tool=echo {\"a\":1}"}
            """;
        var turn = await SendAsync("responses", false, JsonNode.Parse(request)!.AsObject());

        Assert.Equal(("echo", """{"a":1}"""), (Assert.Single(turn.Calls).Name, turn.Calls[0].Arguments));
    }

    [Theory]
    [MemberData(nameof(ApisAndModes))]
    public async Task Rounds_Three_CallsTheSameToolsUntilThreeRoundsThenAnswersWithLastResults(string api, bool stream)
    {
        (string, string)[] headers = [("x-mock-scenario", "tool_call"), ("x-mock-tool", TwoCalls), ("x-mock-rounds", "3"), ("x-mock-usage", "input=10,output=5")];
        var request = MockToolTurn.Request(api, stream, "hi", Echo, Weather);
        List<MockToolTurn> turns = [];
        for (var round = 1; round <= 10; round++)
        {
            var turn = await SendAsync(api, stream, request, headers);
            turns.Add(turn);
            if (!turn.ToolStop)
                break;
            request = turn.Continue(api, request, call => $"r{round}-{call.Name}");
        }

        Assert.Equal(4, turns.Count);
        Assert.All(turns[..3], turn => Assert.Equal([Echo, Weather], turn.Calls.Select(call => call.Name)));
        Assert.Equal(6, turns[..3].SelectMany(turn => turn.Calls).Select(call => call.Id).Distinct().Count());
        Assert.Equal($"Tool said: r3-{Echo} | r3-{Weather}", turns[^1].Text);
        Assert.Empty(turns[^1].Calls);
        Assert.Equal((40, 20), (turns.Sum(turn => turn.Input), turns.Sum(turn => turn.Output)));
    }

    [Fact]
    public async Task Rounds_Fifty_KeepsCallingPastACapOfThree()
    {
        var request = MockToolTurn.Request("messages", true, $"mock:tool={Echo} {EchoArgs}");
        for (var round = 1; round <= 3; round++)
        {
            var turn = await SendAsync("messages", true, request, ("x-mock-rounds", "50"));
            Assert.Equal(Echo, Assert.Single(turn.Calls).Name);
            request = turn.Continue("messages", request, _ => "echoed");
        }
    }

    [Fact]
    public async Task Rounds_ResponsesPreviousResponseIdChain_CountsStoredToolTurns()
    {
        (string, string)[] headers = [("x-mock-scenario", "tool_call"), ("x-mock-rounds", "2")];
        var (_, first) = await _mock.SendAsync(MockHarness.OpenAIResponses("""{"model":"m","input":"hi"}""", headers));
        var firstCall = Assert.Single(MockHarness.Json(first).GetProperty("output").EnumerateArray());

        var (_, second) = await _mock.SendAsync(MockHarness.OpenAIResponses(Continuation(MockHarness.Json(first).GetProperty("id").GetString()!,
            firstCall.GetProperty("call_id").GetString()!, "one"), headers));
        var secondCall = Assert.Single(MockHarness.Json(second).GetProperty("output").EnumerateArray());
        Assert.Equal("function_call", secondCall.GetProperty("type").GetString());

        var (_, third) = await _mock.SendAsync(MockHarness.OpenAIResponses(Continuation(MockHarness.Json(second).GetProperty("id").GetString()!,
            secondCall.GetProperty("call_id").GetString()!, "two"), headers));
        var message = Assert.Single(MockHarness.Json(third).GetProperty("output").EnumerateArray());
        Assert.Equal("Tool said: two", message.GetProperty("content")[0].GetProperty("text").GetString());

        static string Continuation(string previous, string callId, string output) =>
            $$"""{"model":"m","previous_response_id":"{{previous}}","input":[{"type":"function_call_output","call_id":"{{callId}}","output":"{{output}}"}]}""";
    }

    [Fact]
    public async Task ToolResults_ResponsesCallsThenOutputs_OnlyTheLastTurnsOutputs()
    {
        const string request = """
            {"model":"m","input":[{"role":"user","content":"hi"},
              {"type":"function_call","call_id":"c1","name":"a","arguments":"{}"},
              {"type":"function_call_output","call_id":"c1","output":"old"},
              {"type":"reasoning","summary":[]},
              {"type":"function_call","call_id":"c2","name":"a","arguments":"{}"},
              {"type":"custom_tool_call","call_id":"c3","name":"b","input":"x"},
              {"type":"custom_tool_call_output","call_id":"c3","output":"three"},
              {"type":"function_call_output","call_id":"c2","output":[{"type":"input_text","text":"two"}]}]}
            """;
        var turn = await SendAsync("responses", false, JsonNode.Parse(request)!.AsObject(), ("x-mock-scenario", "tool_call"), ("x-mock-rounds", "2"));

        Assert.Equal("Tool said: three | two", turn.Text);
    }

    [Fact]
    public async Task ToolResults_WithoutAssistantToolTurn_CountAsOneRound()
    {
        const string request = """{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"tool","tool_call_id":"c","content":"a"},{"role":"tool","tool_call_id":"d","content":"b"}]}""";
        var turn = await SendAsync("chat", false, JsonNode.Parse(request)!.AsObject(), ("x-mock-scenario", "tool_call"));

        Assert.Equal("Tool said: a | b", turn.Text);
    }

    [Theory]
    [InlineData("chat")]
    [InlineData("messages")]
    [InlineData("responses")]
    public async Task ToolNames_RecordsDeclaredToolsInOrder(string api)
    {
        var request = MockToolTurn.Request(api, false, "hi", "bmcp_everything_echo", "bmcp_everything_get-sum", "Read", "Bash");
        if (api == "responses")
            ((JsonArray)request["tools"]!).Add(new JsonObject { ["type"] = "web_search" });
        await SendAsync(api, false, request);
        await SendAsync(api, false, MockToolTurn.Request(api, false, "no tools"));

        var exchanges = _mock.Server.Exchanges;
        string[] expected = ["bmcp_everything_echo", "bmcp_everything_get-sum", "Read", "Bash", .. api == "responses" ? ["web_search"] : Array.Empty<string>()];
        Assert.Equal(expected, exchanges[0].ToolNames);
        Assert.Empty(exchanges[1].ToolNames);
    }

    [Fact]
    public void Parse_SeveralToolDirectives_KeepsEachLineInOrder()
    {
        var directives = MockDirectives.Parse("mock:tool=a {\"x\":1}\r\nnoise mock:tool=b\nmock:tool=\nmock:reply=hi");

        Assert.Equal(["a {\"x\":1}", "b"], directives.Tools);
        Assert.Equal("hi", directives.Reply);
        Assert.Equal(new MockDirectives("hi", null, null) { Tools = ["a {\"x\":1}", "b"] }, directives);
        Assert.NotEqual(new MockDirectives("hi", null, null), directives);
    }

    private async Task<MockToolTurn> SendAsync(string api, bool stream, JsonObject request, params (string Name, string Value)[] headers)
    {
        var (response, body) = await _mock.SendAsync(MockToolTurn.Http(api, request, headers));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return MockToolTurn.Read(api, stream, body);
    }
}
