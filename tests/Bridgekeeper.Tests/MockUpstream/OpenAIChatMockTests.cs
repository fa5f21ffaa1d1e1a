using System.Net;
using System.Text.Json;
using Bridgekeeper.MockUpstream;

namespace Bridgekeeper.Tests.MockUpstream;

public sealed class OpenAIChatMockTests : IAsyncLifetime
{
    private const string StreamWithUsage = """{"model":"gpt-test","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""";
    private const string StreamWithoutUsage = """{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}""";
    private MockHarness _mock = null!;

    public async ValueTask InitializeAsync() => _mock = await MockHarness.StartAsync();

    public async ValueTask DisposeAsync() => await _mock.DisposeAsync();

    [Fact]
    public async Task Stream_IncludeUsage_SendsUsageNullOnEveryChunkThenUsageChunkAndDone()
    {
        var (response, body) = await _mock.SendAsync(MockHarness.OpenAIChat(StreamWithUsage,
            ("x-mock-usage", "input=100,output=20,cache_read=30,cache_write=10,reasoning=5")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var frames = MockHarness.Frames(body);
        Assert.All(frames, frame => Assert.Null(frame.Event));
        Assert.Equal("[DONE]", frames[^1].Data);
        var chunks = frames[..^1].Select(frame => MockHarness.Json(frame.Data)).ToList();
        Assert.All(chunks[..^1], chunk => Assert.Equal(JsonValueKind.Null, chunk.GetProperty("usage").ValueKind));
        var first = chunks[0].GetProperty("choices")[0].GetProperty("delta");
        Assert.Equal("assistant", first.GetProperty("role").GetString());
        Assert.Equal("", first.GetProperty("content").GetString());
        Assert.Equal("stop", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(0, chunks[^1].GetProperty("choices").GetArrayLength());
        var usage = chunks[^1].GetProperty("usage");
        Assert.Equal(130, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(20, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(150, usage.GetProperty("total_tokens").GetInt32());
        Assert.Equal(30, usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.Equal(5, usage.GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt32());
        Assert.All(chunks, chunk => Assert.Equal("gpt-test", chunk.GetProperty("model").GetString()));
        Assert.Single(chunks.Select(chunk => chunk.GetProperty("id").GetString()).Distinct());
        Assert.StartsWith("chatcmpl-", chunks[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Stream_WithoutIncludeUsage_HasNoUsageFieldOrChunk()
    {
        var (_, body) = await _mock.SendAsync(MockHarness.OpenAIChat(StreamWithoutUsage));

        var frames = MockHarness.Frames(body);
        Assert.Equal("[DONE]", frames[^1].Data);
        var chunks = frames[..^1].Select(frame => MockHarness.Json(frame.Data)).ToList();
        Assert.All(chunks, chunk => Assert.False(chunk.TryGetProperty("usage", out _)));
        Assert.All(chunks, chunk => Assert.Equal(1, chunk.GetProperty("choices").GetArrayLength()));
        var text = string.Concat(chunks.Select(chunk => chunk.GetProperty("choices")[0].GetProperty("delta"))
            .Where(delta => delta.TryGetProperty("content", out _)).Select(delta => delta.GetProperty("content").GetString()));
        Assert.Equal(MockControls.DefaultText, text);
        Assert.Equal(2 + 5, chunks.Count);   // role, five one-word deltas, finish
    }

    [Fact]
    public async Task Stream_ToolCall_ArgumentPiecesConcatenateToConfiguredJson()
    {
        const string args = """{"city":"Paris","days":[1,2,3],"note":"a;b"}""";
        var (_, body) = await _mock.SendAsync(MockHarness.OpenAIChat(StreamWithoutUsage,
            ("x-mock-scenario", "tool_call"), ("x-mock-tool", $"name=lookup;args={args}")));

        var deltas = MockHarness.Frames(body)[..^1].Select(frame => MockHarness.Json(frame.Data).GetProperty("choices")[0]).ToList();
        var calls = deltas.Where(choice => choice.GetProperty("delta").TryGetProperty("tool_calls", out _))
            .Select(choice => choice.GetProperty("delta").GetProperty("tool_calls")[0]).ToList();
        var start = calls[0];
        Assert.StartsWith("call_", start.GetProperty("id").GetString());
        Assert.Equal("function", start.GetProperty("type").GetString());
        Assert.Equal("lookup", start.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("", start.GetProperty("function").GetProperty("arguments").GetString());
        Assert.True(calls.Count >= 4);
        Assert.All(calls[1..], call => Assert.False(call.TryGetProperty("id", out _)));
        Assert.Equal(args, string.Concat(calls.Select(call => call.GetProperty("function").GetProperty("arguments").GetString())));
        Assert.Equal("tool_calls", deltas[^1].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Blocking_ToolResultTurn_RepliesWithToolText()
    {
        const string request = """{"model":"gpt-test","messages":[{"role":"user","content":"hi"},{"role":"tool","tool_call_id":"call_1","content":"22 degrees"}]}""";
        var (response, body) = await _mock.SendAsync(MockHarness.OpenAIChat(request, ("x-mock-scenario", "tool_call")));

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var completion = MockHarness.Json(body);
        Assert.Equal("chat.completion", completion.GetProperty("object").GetString());
        var choice = completion.GetProperty("choices")[0];
        Assert.Equal("Tool said: 22 degrees", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(18, completion.GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Blocking_ToolCall_HasToolCallsAndNullContent()
    {
        var (_, body) = await _mock.SendAsync(MockHarness.OpenAIChat("""{"model":"gpt-test"}""", ("x-mock-scenario", "tool_call")));

        var choice = MockHarness.Json(body).GetProperty("choices")[0];
        var message = choice.GetProperty("message");
        Assert.Equal(JsonValueKind.Null, message.GetProperty("content").ValueKind);
        var call = message.GetProperty("tool_calls")[0];
        Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal(MockControls.DefaultToolArguments, call.GetProperty("function").GetProperty("arguments").GetString());
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Blocking_Thinking_ReportsReasoningTokens()
    {
        var (_, body) = await _mock.SendAsync(MockHarness.OpenAIChat("""{"model":"o4-mini"}""", ("x-mock-scenario", "thinking")));

        var usage = MockHarness.Json(body).GetProperty("usage");
        Assert.Equal(MockUsage.DefaultThinkingReasoning, usage.GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt32());
    }

    [Fact]
    public async Task ErrorBefore_DefaultStatus_Returns429WithRateLimitHeaders()
    {
        var (response, body) = await _mock.SendAsync(MockHarness.OpenAIChat(StreamWithUsage, ("x-mock-scenario", "error_before")));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("7", response.Headers.GetValues("retry-after").Single());
        Assert.Equal("0", response.Headers.GetValues("x-ratelimit-remaining-requests").Single());
        var error = MockHarness.Json(body).GetProperty("error");
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
    }

    [Fact]
    public async Task ErrorMid_Stream_SendsTextThenErrorDataAndNoDone()
    {
        var (response, body) = await _mock.SendAsync(MockHarness.OpenAIChat(StreamWithUsage, ("x-mock-scenario", "error_mid")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var frames = MockHarness.Frames(body);
        Assert.DoesNotContain(frames, frame => frame.Data == "[DONE]");
        Assert.Equal("Hello", MockHarness.Json(frames[1].Data).GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString());
        var error = MockHarness.Json(frames[^1].Data).GetProperty("error");
        Assert.Equal("server_error", error.GetProperty("type").GetString());
        Assert.Equal(MockErrors.OpenAIMidStreamMessage, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Cut_Stream_EndsAfterFirstTextWithoutFinishChunkOrDone()
    {
        var (response, body) = await _mock.SendAsync(MockHarness.OpenAIChat(StreamWithUsage, ("x-mock-scenario", "cut")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var frames = MockHarness.Frames(body);
        Assert.Equal(2, frames.Count);
        Assert.DoesNotContain(frames, frame => frame.Data == "[DONE]");
        var last = MockHarness.Json(frames[^1].Data).GetProperty("choices")[0];
        Assert.Equal("Hello", last.GetProperty("delta").GetProperty("content").GetString());
        Assert.Equal(JsonValueKind.Null, last.GetProperty("finish_reason").ValueKind);
    }

    [Fact]
    public async Task MalformedJson_Returns400InOpenAIShape()
    {
        var (response, body) = await _mock.SendAsync(MockHarness.OpenAIChat("{not json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", MockHarness.Json(body).GetProperty("error").GetProperty("type").GetString());
    }
}
