using System.Net;
using System.Text.Json;
using Bridgekeeper.MockUpstream;

namespace Bridgekeeper.Tests.MockUpstream;

public sealed class AnthropicMessagesMockTests : IAsyncLifetime
{
    private const string Stream = """{"model":"claude-test","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hi"}]}""";
    private const string Blocking = """{"model":"claude-test","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}""";
    private MockHarness _mock = null!;

    public async ValueTask InitializeAsync() => _mock = await MockHarness.StartAsync();

    public async ValueTask DisposeAsync() => await _mock.DisposeAsync();

    [Fact]
    public async Task Stream_Text_SendsEventsInOrderWithPingAndUsage()
    {
        var (response, body) = await _mock.SendAsync(MockHarness.AnthropicMessages(Stream,
            ("x-mock-usage", "input=100,output=20,cache_read=30,cache_write=10"), ("x-mock-chunk-words", "2")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var frames = MockHarness.Frames(body);
        string[] expected = ["message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta",
            "content_block_delta", "content_block_stop", "message_delta", "message_stop"];
        Assert.Equal(expected, frames.Select(frame => frame.Event));
        Assert.Equal("""{"type": "ping"}""", frames[2].Data);
        Assert.All(frames, frame => Assert.Equal(frame.Event, MockHarness.Json(frame.Data).GetProperty("type").GetString()));

        var message = MockHarness.Json(frames[0].Data).GetProperty("message");
        Assert.StartsWith("msg_", message.GetProperty("id").GetString());
        Assert.Equal("claude-test", message.GetProperty("model").GetString());
        AssertUsage(message.GetProperty("usage"), input: 100, cacheWrite: 10, cacheRead: 30, output: 1);
        var text = string.Concat(frames.Where(frame => frame.Event == "content_block_delta")
            .Select(frame => MockHarness.Json(frame.Data).GetProperty("delta").GetProperty("text").GetString()));
        Assert.Equal(MockControls.DefaultText, text);
        var delta = MockHarness.Json(frames[^2].Data);
        Assert.Equal("end_turn", delta.GetProperty("delta").GetProperty("stop_reason").GetString());
        AssertUsage(delta.GetProperty("usage"), input: 100, cacheWrite: 10, cacheRead: 30, output: 20);
    }

    [Fact]
    public async Task Stream_Thinking_SendsThinkingBlockWithSignatureThenTextAtIndexOne()
    {
        var (_, body) = await _mock.SendAsync(MockHarness.AnthropicMessages(Stream, ("x-mock-scenario", "thinking")));

        var frames = MockHarness.Frames(body).Select(frame => (frame.Event, Json: MockHarness.Json(frame.Data))).ToList();
        Assert.Equal(["message_start", "content_block_start", "ping"], frames.Take(3).Select(frame => frame.Event));
        var block = frames[1].Json.GetProperty("content_block");
        Assert.Equal("thinking", block.GetProperty("type").GetString());
        Assert.Equal("", block.GetProperty("signature").GetString());
        var deltaTypes = frames.Where(frame => frame.Event == "content_block_delta" && frame.Json.GetProperty("index").GetInt32() == 0)
            .Select(frame => frame.Json.GetProperty("delta").GetProperty("type").GetString()).ToList();
        Assert.True(deltaTypes.Count >= 2);
        Assert.All(deltaTypes[..^1], type => Assert.Equal("thinking_delta", type));
        Assert.Equal("signature_delta", deltaTypes[^1]);
        var textStart = frames.Single(frame => frame.Event == "content_block_start" && frame.Json.GetProperty("index").GetInt32() == 1);
        Assert.Equal("text", textStart.Json.GetProperty("content_block").GetProperty("type").GetString());
        Assert.Equal(2, frames.Count(frame => frame.Event == "content_block_stop"));
        Assert.Single(frames, frame => frame.Event == "ping");
    }

    [Fact]
    public async Task Stream_ToolCall_PartialJsonConcatenatesToConfiguredJson()
    {
        const string args = """{"city":"Paris"}""";
        var (_, body) = await _mock.SendAsync(MockHarness.AnthropicMessages(Stream,
            ("x-mock-scenario", "tool_call"), ("x-mock-tool", $"name=get_weather;args={args}")));

        var frames = MockHarness.Frames(body).Select(frame => (frame.Event, Json: MockHarness.Json(frame.Data))).ToList();
        var block = frames[1].Json.GetProperty("content_block");
        Assert.Equal("tool_use", block.GetProperty("type").GetString());
        Assert.StartsWith("toolu_", block.GetProperty("id").GetString());
        Assert.Equal("get_weather", block.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Object, block.GetProperty("input").ValueKind);
        var pieces = frames.Where(frame => frame.Event == "content_block_delta")
            .Select(frame => frame.Json.GetProperty("delta")).ToList();
        Assert.All(pieces, delta => Assert.Equal("input_json_delta", delta.GetProperty("type").GetString()));
        Assert.True(pieces.Count(delta => delta.GetProperty("partial_json").GetString()!.Length > 0) >= 3);
        Assert.Equal(args, string.Concat(pieces.Select(delta => delta.GetProperty("partial_json").GetString())));
        Assert.Equal("tool_use", frames[^2].Json.GetProperty("delta").GetProperty("stop_reason").GetString());
    }

    [Fact]
    public async Task Blocking_ToolCall_HasToolUseBlockWithParsedInput()
    {
        var (_, body) = await _mock.SendAsync(MockHarness.AnthropicMessages(Blocking, ("x-mock-scenario", "tool_call")));

        var message = MockHarness.Json(body);
        Assert.Equal("message", message.GetProperty("type").GetString());
        Assert.Equal("assistant", message.GetProperty("role").GetString());
        Assert.Equal("tool_use", message.GetProperty("stop_reason").GetString());
        Assert.Equal(JsonValueKind.Null, message.GetProperty("stop_sequence").ValueKind);
        var block = Assert.Single(message.GetProperty("content").EnumerateArray());
        Assert.Equal("Paris", block.GetProperty("input").GetProperty("city").GetString());
        AssertUsage(message.GetProperty("usage"), input: 11, cacheWrite: 0, cacheRead: 0, output: 7);
    }

    [Fact]
    public async Task Blocking_ToolResultTurn_RepliesWithToolTextEvenInToolCallScenario()
    {
        const string request = """
            {"model":"claude-test","max_tokens":10,"messages":[
              {"role":"user","content":"weather?"},
              {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"sunny"}]}]}]}
            """;
        var (_, body) = await _mock.SendAsync(MockHarness.AnthropicMessages(request, ("x-mock-scenario", "tool_call")));

        var message = MockHarness.Json(body);
        Assert.Equal("end_turn", message.GetProperty("stop_reason").GetString());
        Assert.Equal("Tool said: sunny", message.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Blocking_Thinking_HasThinkingThenText()
    {
        var (_, body) = await _mock.SendAsync(MockHarness.AnthropicMessages(Blocking, ("x-mock-scenario", "thinking"), ("x-mock-text", "Done.")));

        var content = MockHarness.Json(body).GetProperty("content");
        Assert.Equal("thinking", content[0].GetProperty("type").GetString());
        Assert.StartsWith("EqQB", content[0].GetProperty("signature").GetString());
        Assert.Equal("Done.", content[1].GetProperty("text").GetString());
    }

    [Fact]
    public async Task ErrorBefore_Status529_ReturnsOverloadedShapeAndRetryAfter()
    {
        var (response, body) = await _mock.SendAsync(MockHarness.AnthropicMessages(Stream,
            ("x-mock-scenario", "error_before"), ("x-mock-status", "529")));

        Assert.Equal(529, (int)response.StatusCode);
        Assert.Equal("7", response.Headers.GetValues("retry-after").Single());
        var error = MockHarness.Json(body);
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal("overloaded_error", error.GetProperty("error").GetProperty("type").GetString());
        Assert.StartsWith("req_", error.GetProperty("request_id").GetString());
    }

    [Fact]
    public async Task ErrorMid_Stream_EndsWithErrorEvent()
    {
        var (_, body) = await _mock.SendAsync(MockHarness.AnthropicMessages(Stream, ("x-mock-scenario", "error_mid")));

        var frames = MockHarness.Frames(body);
        Assert.Equal(["message_start", "content_block_start", "ping", "content_block_delta", "error"], frames.Select(frame => frame.Event));
        Assert.Equal("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", frames[^1].Data);
    }

    [Fact]
    public async Task Cut_Stream_EndsAfterFirstTextWithoutMessageDeltaOrStop()
    {
        var (_, body) = await _mock.SendAsync(MockHarness.AnthropicMessages(Stream, ("x-mock-scenario", "cut")));

        var frames = MockHarness.Frames(body);
        Assert.Equal(["message_start", "content_block_start", "ping", "content_block_delta"], frames.Select(frame => frame.Event));
    }

    [Fact]
    public async Task CountTokens_ValidBody_ReturnsQuarterOfBodyLength()
    {
        var request = MockHarness.Post("anthropic/v1/messages/count_tokens", Blocking, ("x-api-key", MockHarness.Key));
        var (response, body) = await _mock.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Blocking.Length / 4, MockHarness.Json(body).GetProperty("input_tokens").GetInt32());
    }

    private static void AssertUsage(JsonElement usage, int input, int cacheWrite, int cacheRead, int output)
    {
        Assert.Equal(input, usage.GetProperty("input_tokens").GetInt32());
        Assert.Equal(cacheWrite, usage.GetProperty("cache_creation_input_tokens").GetInt32());
        Assert.Equal(cacheRead, usage.GetProperty("cache_read_input_tokens").GetInt32());
        Assert.Equal(output, usage.GetProperty("output_tokens").GetInt32());
    }
}
