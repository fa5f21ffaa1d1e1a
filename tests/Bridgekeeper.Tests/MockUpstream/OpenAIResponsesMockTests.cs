using System.Net;
using System.Text.Json;
using Bridgekeeper.MockUpstream;

namespace Bridgekeeper.Tests.MockUpstream;

public sealed class OpenAIResponsesMockTests : IAsyncLifetime
{
    private const string Stream = """{"model":"gpt-test","stream":true,"input":"hi"}""";
    private const string Blocking = """{"model":"gpt-test","input":[{"role":"user","content":[{"type":"input_text","text":"hi"}]}]}""";
    private MockHarness _mock = null!;

    public async ValueTask InitializeAsync() => _mock = await MockHarness.StartAsync();

    public async ValueTask DisposeAsync() => await _mock.DisposeAsync();

    [Fact]
    public async Task Stream_Text_SendsEventsInOrderWithExactUsage()
    {
        var (response, body) = await _mock.SendAsync(MockHarness.OpenAIResponses(Stream,
            ("x-mock-usage", "input=100,output=20,cache_read=30,reasoning=4")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = MockHarness.ResponsesEvents(body);
        string[] expected = ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
            .. Enumerable.Repeat("response.output_text.delta", 5), "response.output_text.done", "response.content_part.done",
            "response.output_item.done", "response.completed"];
        Assert.Equal(expected, events.Select(e => e.Event));

        var created = events[0].Json.GetProperty("response");
        Assert.StartsWith("resp_", created.GetProperty("id").GetString());
        Assert.Equal("in_progress", created.GetProperty("status").GetString());
        Assert.Equal(0, created.GetProperty("output").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("usage").ValueKind);
        var added = events[2].Json.GetProperty("item");
        Assert.Equal("message", added.GetProperty("type").GetString());
        Assert.Equal("in_progress", added.GetProperty("status").GetString());
        Assert.Equal("assistant", added.GetProperty("role").GetString());
        Assert.False(added.TryGetProperty("phase", out _));
        var itemId = added.GetProperty("id").GetString();
        Assert.StartsWith("msg_", itemId);
        Assert.Equal("", events[3].Json.GetProperty("part").GetProperty("text").GetString());
        var deltas = events.Where(e => e.Event == "response.output_text.delta").Select(e => e.Json).ToList();
        Assert.All(deltas, delta => Assert.Equal(itemId, delta.GetProperty("item_id").GetString()));
        Assert.All(deltas, delta => Assert.Equal(0, delta.GetProperty("logprobs").GetArrayLength()));
        Assert.Equal(MockControls.DefaultText, string.Concat(deltas.Select(delta => delta.GetProperty("delta").GetString())));
        Assert.Equal(MockControls.DefaultText, events[^4].Json.GetProperty("text").GetString());

        var completed = events[^1].Json.GetProperty("response");
        Assert.Equal(created.GetProperty("id").GetString(), completed.GetProperty("id").GetString());
        Assert.Equal("response", completed.GetProperty("object").GetString());
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal("gpt-test", completed.GetProperty("model").GetString());
        var item = Assert.Single(completed.GetProperty("output").EnumerateArray());
        Assert.Equal("completed", item.GetProperty("status").GetString());
        Assert.Equal(MockControls.DefaultText, item.GetProperty("content")[0].GetProperty("text").GetString());
        AssertUsage(completed.GetProperty("usage"), input: 130, cached: 30, output: 20, reasoning: 4);
    }

    [Fact]
    public async Task Stream_Thinking_SendsReasoningSummaryItemFirst()
    {
        var (_, body) = await _mock.SendAsync(MockHarness.OpenAIResponses(Stream, ("x-mock-scenario", "thinking")));

        var events = MockHarness.ResponsesEvents(body);
        Assert.Equal(["response.output_item.added", "response.reasoning_summary_part.added"], events[2..4].Select(e => e.Event));
        var reasoning = events[2].Json.GetProperty("item");
        Assert.Equal("reasoning", reasoning.GetProperty("type").GetString());
        Assert.StartsWith("rs_", reasoning.GetProperty("id").GetString());
        Assert.Equal(0, reasoning.GetProperty("summary").GetArrayLength());
        var deltas = events.Where(e => e.Event == "response.reasoning_summary_text.delta").ToList();
        Assert.True(deltas.Count >= 3);
        Assert.Equal(OpenAIResponsesEvents.ReasoningSummary, string.Concat(deltas.Select(e => e.Json.GetProperty("delta").GetString())));
        Assert.Equal(OpenAIResponsesEvents.ReasoningSummary,
            events.Single(e => e.Event == "response.reasoning_summary_text.done").Json.GetProperty("text").GetString());
        Assert.Single(events, e => e.Event == "response.reasoning_summary_part.done");
        var output = events[^1].Json.GetProperty("response").GetProperty("output");
        Assert.Equal(["reasoning", "message"], output.EnumerateArray().Select(i => i.GetProperty("type").GetString()));
        var summary = Assert.Single(output[0].GetProperty("summary").EnumerateArray());
        Assert.Equal("summary_text", summary.GetProperty("type").GetString());
        Assert.Equal(OpenAIResponsesEvents.ReasoningSummary, summary.GetProperty("text").GetString());
        AssertUsage(events[^1].Json.GetProperty("response").GetProperty("usage"), input: 11, cached: 0, output: 7, reasoning: 5);
    }

    [Fact]
    public async Task Stream_Commentary_SendsCommentaryMessageThenFinalAnswer()
    {
        var (_, body) = await _mock.SendAsync(MockHarness.OpenAIResponses(Stream, ("x-mock-scenario", "commentary"), ("x-mock-text", "It is sunny.")));

        var events = MockHarness.ResponsesEvents(body);
        var added = events.Where(e => e.Event == "response.output_item.added").Select(e => e.Json.GetProperty("item")).ToList();
        Assert.Equal(["commentary", "final_answer"], added.Select(item => item.GetProperty("phase").GetString()));
        var output = events[^1].Json.GetProperty("response").GetProperty("output");
        Assert.Equal(2, output.GetArrayLength());
        Assert.Equal("commentary", output[0].GetProperty("phase").GetString());
        Assert.Equal(OpenAIResponsesEvents.CommentaryText, output[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("final_answer", output[1].GetProperty("phase").GetString());
        Assert.Equal("It is sunny.", output[1].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal([0, 1], events.Where(e => e.Event == "response.output_item.done").Select(e => e.Json.GetProperty("output_index").GetInt32()));
    }

    [Fact]
    public async Task Stream_ToolCall_ArgumentDeltasConcatenateToArguments()
    {
        const string args = """{"city":"Paris","days":[1,2,3],"note":"a;b"}""";
        var (_, body) = await _mock.SendAsync(MockHarness.OpenAIResponses(Stream,
            ("x-mock-scenario", "tool_call"), ("x-mock-tool", $"name=lookup;args={args}")));

        var events = MockHarness.ResponsesEvents(body);
        string[] expected = ["response.created", "response.in_progress", "response.output_item.added",
            .. Enumerable.Repeat("response.function_call_arguments.delta", events.Count - 6),
            "response.function_call_arguments.done", "response.output_item.done", "response.completed"];
        Assert.Equal(expected, events.Select(e => e.Event));
        Assert.True(events.Count - 6 >= 3);
        var item = events[2].Json.GetProperty("item");
        Assert.Equal("function_call", item.GetProperty("type").GetString());
        Assert.Equal("in_progress", item.GetProperty("status").GetString());
        Assert.Equal("", item.GetProperty("arguments").GetString());
        Assert.Equal("lookup", item.GetProperty("name").GetString());
        Assert.StartsWith("fc_", item.GetProperty("id").GetString());
        Assert.StartsWith("call_", item.GetProperty("call_id").GetString());
        var deltas = events.Where(e => e.Event == "response.function_call_arguments.delta").Select(e => e.Json).ToList();
        Assert.All(deltas, delta => Assert.Equal(item.GetProperty("id").GetString(), delta.GetProperty("item_id").GetString()));
        Assert.Equal(args, string.Concat(deltas.Select(delta => delta.GetProperty("delta").GetString())));
        Assert.Equal(args, events[^3].Json.GetProperty("arguments").GetString());
        var done = events[^2].Json.GetProperty("item");
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(args, done.GetProperty("arguments").GetString());
        Assert.Equal(item.GetProperty("call_id").GetString(), done.GetProperty("call_id").GetString());
    }

    [Fact]
    public async Task Stream_WebSearch_SendsSearchCallThenText()
    {
        var (_, body) = await _mock.SendAsync(MockHarness.OpenAIResponses(Stream, ("x-mock-scenario", "web_search")));

        var events = MockHarness.ResponsesEvents(body);
        Assert.Equal(["response.output_item.added", "response.web_search_call.in_progress", "response.web_search_call.searching",
            "response.web_search_call.completed", "response.output_item.done"], events[2..7].Select(e => e.Event));
        var search = events[6].Json.GetProperty("item");
        Assert.Equal("web_search_call", search.GetProperty("type").GetString());
        Assert.StartsWith("ws_", search.GetProperty("id").GetString());
        Assert.Equal("completed", search.GetProperty("status").GetString());
        Assert.Equal("search", search.GetProperty("action").GetProperty("type").GetString());
        Assert.Equal("weather in Paris", search.GetProperty("action").GetProperty("query").GetString());
        Assert.Equal(search.GetProperty("id").GetString(), events[4].Json.GetProperty("item_id").GetString());
        var output = events[^1].Json.GetProperty("response").GetProperty("output");
        Assert.Equal(["web_search_call", "message"], output.EnumerateArray().Select(i => i.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task Stream_ErrorMid_SendsResponseFailedAfterFirstDelta()
    {
        var (response, body) = await _mock.SendAsync(MockHarness.OpenAIResponses(Stream, ("x-mock-scenario", "error_mid")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = MockHarness.ResponsesEvents(body);
        Assert.Equal(["response.output_text.delta", "response.failed"], events[^2..].Select(e => e.Event));
        var failed = events[^1].Json.GetProperty("response");
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal("server_error", failed.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("The model failed to generate a response.", failed.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Stream_Cut_EndsAfterFirstDeltaWithoutFinalEvent()
    {
        var (response, body) = await _mock.SendAsync(MockHarness.OpenAIResponses(Stream, ("x-mock-scenario", "cut")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = MockHarness.ResponsesEvents(body);
        Assert.Equal("response.output_text.delta", events[^1].Event);
        Assert.DoesNotContain(events, e => e.Event is "response.completed" or "response.failed");
    }

    [Fact]
    public async Task Blocking_Text_ReturnsCompletedResponseObjectEchoingRequest()
    {
        const string request = """
            {"model":"gpt-test","input":"hi","instructions":"Be brief.","parallel_tool_calls":false,"tool_choice":"required",
             "tools":[{"type":"function","name":"f","parameters":{"type":"object"}}],"metadata":{"k":"v"},"store":true}
            """;
        var (response, body) = await _mock.SendAsync(MockHarness.OpenAIResponses(request, ("x-mock-usage", "input=10,output=3")));

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.Contains("x-request-id"));
        var json = MockHarness.Json(body);
        Assert.StartsWith("resp_", json.GetProperty("id").GetString());
        Assert.Equal("response", json.GetProperty("object").GetString());
        Assert.Equal("completed", json.GetProperty("status").GetString());
        Assert.True(json.GetProperty("created_at").GetInt64() > 1_700_000_000);
        Assert.Equal("Be brief.", json.GetProperty("instructions").GetString());
        Assert.False(json.GetProperty("parallel_tool_calls").GetBoolean());
        Assert.Equal("required", json.GetProperty("tool_choice").GetString());
        Assert.Equal("f", json.GetProperty("tools")[0].GetProperty("name").GetString());
        Assert.Equal("v", json.GetProperty("metadata").GetProperty("k").GetString());
        Assert.True(json.GetProperty("store").GetBoolean());
        Assert.Equal("text", json.GetProperty("text").GetProperty("format").GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Object, json.GetProperty("reasoning").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("previous_response_id").ValueKind);
        var message = Assert.Single(json.GetProperty("output").EnumerateArray());
        Assert.Equal(MockControls.DefaultText, message.GetProperty("content")[0].GetProperty("text").GetString());
        AssertUsage(json.GetProperty("usage"), input: 10, cached: 0, output: 3, reasoning: 0);
    }

    [Fact]
    public async Task Blocking_ToolCall_HasFunctionCallItem()
    {
        var (_, body) = await _mock.SendAsync(MockHarness.OpenAIResponses(Blocking, ("x-mock-scenario", "tool_call")));

        var item = Assert.Single(MockHarness.Json(body).GetProperty("output").EnumerateArray());
        Assert.Equal("function_call", item.GetProperty("type").GetString());
        Assert.Equal("get_weather", item.GetProperty("name").GetString());
        Assert.Equal(MockControls.DefaultToolArguments, item.GetProperty("arguments").GetString());
    }

    [Theory]
    [InlineData("\"22 degrees\"")]
    [InlineData("""[{"type":"input_text","text":"22 degrees"}]""")]
    public async Task Blocking_ToolResultTurn_RepliesWithToolText(string output)
    {
        var request = $$"""
            {"model":"gpt-test","input":[{"role":"user","content":"weather?"},
              {"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{}"},
              {"type":"function_call_output","call_id":"call_1","output":{{output}}}]}
            """;
        var (_, body) = await _mock.SendAsync(MockHarness.OpenAIResponses(request, ("x-mock-scenario", "tool_call")));

        var item = Assert.Single(MockHarness.Json(body).GetProperty("output").EnumerateArray());
        Assert.Equal("message", item.GetProperty("type").GetString());
        Assert.Equal("Tool said: 22 degrees", item.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Get_AfterStreamingCreate_ReturnsCompletedResponse()
    {
        var (_, body) = await _mock.SendAsync(MockHarness.OpenAIResponses(Stream));
        var id = MockHarness.ResponsesEvents(body)[^1].Json.GetProperty("response").GetProperty("id").GetString();

        var (response, stored) = await _mock.SendAsync(MockHarness.OpenAIGet($"openai/v1/responses/{id}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = MockHarness.Json(stored);
        Assert.Equal(id, json.GetProperty("id").GetString());
        Assert.Equal("completed", json.GetProperty("status").GetString());
        Assert.Equal(MockControls.DefaultText, json.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Get_UnknownOrNotStoredId_Returns404()
    {
        var (_, created) = await _mock.SendAsync(MockHarness.OpenAIResponses("""{"model":"gpt-test","input":"hi","store":false}"""));
        var notStored = MockHarness.Json(created).GetProperty("id").GetString();

        var (unknown, body) = await _mock.SendAsync(MockHarness.OpenAIGet("v1/responses/resp_nope"));
        var (missing, _) = await _mock.SendAsync(MockHarness.OpenAIGet($"openai/v1/responses/{notStored}"));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("""{"error":{"message":"Response with id 'resp_nope' not found.","type":"invalid_request_error","param":null,"code":null}}""", body);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task PreviousResponseId_Unknown_Returns400()
    {
        var (response, body) = await _mock.SendAsync(MockHarness.OpenAIResponses("""{"model":"gpt-test","input":"hi","previous_response_id":"resp_x"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("""{"error":{"message":"Previous response with id 'resp_x' not found.","type":"invalid_request_error","param":"previous_response_id","code":"previous_response_not_found"}}""", body);
    }

    [Fact]
    public async Task PreviousResponseId_Known_IsEchoed()
    {
        var (_, first) = await _mock.SendAsync(MockHarness.OpenAIResponses(Blocking));
        var id = MockHarness.Json(first).GetProperty("id").GetString();

        var (response, body) = await _mock.SendAsync(MockHarness.OpenAIResponses($$"""{"model":"gpt-test","stream":true,"input":"more","previous_response_id":"{{id}}"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = MockHarness.ResponsesEvents(body);
        Assert.Equal(id, events[0].Json.GetProperty("response").GetProperty("previous_response_id").GetString());
        Assert.Equal(id, events[^1].Json.GetProperty("response").GetProperty("previous_response_id").GetString());
    }

    [Fact]
    public async Task Exchange_Stream_CapturedBytesEqualWhatTheClientRead()
    {
        var ct = TestContext.Current.CancellationToken;
        using var request = MockHarness.OpenAIResponses(Stream, ("x-mock-scenario", "thinking"), ("x-mock-line-ending", "crlf"));

        using var response = await _mock.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        var exchange = await _mock.SingleExchangeAsync();

        Assert.Equal(bytes, exchange.ResponseBody);
        Assert.Equal("/openai/v1/responses", exchange.Path);
        Assert.StartsWith("event: response.created\r\ndata: {\"type\":\"response.created\",\"sequence_number\":0,", System.Text.Encoding.UTF8.GetString(bytes));
    }

    private static void AssertUsage(JsonElement usage, int input, int cached, int output, int reasoning)
    {
        Assert.Equal(input, usage.GetProperty("input_tokens").GetInt32());
        Assert.Equal(cached, usage.GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.Equal(output, usage.GetProperty("output_tokens").GetInt32());
        Assert.Equal(reasoning, usage.GetProperty("output_tokens_details").GetProperty("reasoning_tokens").GetInt32());
        Assert.Equal(input + output, usage.GetProperty("total_tokens").GetInt32());
    }
}
