using System.Text;
using System.Text.Json.Nodes;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.AnthropicMessages;

namespace Bridgekeeper.Tests.Providers;

public sealed class AnthropicMessagesDialectTests
{
    private static readonly AnthropicMessagesDialect Dialect = new();

    /// <summary>The shape Claude Code sends: reminders first, the prompt last, a system message after the user's.</summary>
    private const string ClaudeCodeBody = """
        {
          "model": "claude-sonnet-4-5-20250929",
          "max_tokens": 32000,
          "stream": true,
          "system": [{ "type": "text", "text": "You are Claude Code.", "cache_control": { "type": "ephemeral" } }],
          "messages": [
            { "role": "user", "content": "first question" },
            { "role": "assistant", "content": [{ "type": "text", "text": "first answer" }] },
            { "role": "user", "content": [
                { "type": "text", "text": "<system-reminder>\nThe date is 2025-10-01.\n</system-reminder>" },
                { "type": "image", "source": { "type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo=" } },
                { "type": "text", "text": "Fix the failing test in src/app.ts", "cache_control": { "type": "ephemeral" } }
            ] },
            { "role": "system", "content": "Reminder appended after the user's message." }
          ],
          "metadata": { "user_id": "{\"device_id\":\"d41d8cd98f00\",\"account_uuid\":\"6f1c0f1e-0000-4000-8000-000000000001\",\"session_id\":\"2b4bd6a3-7c3f-4f8e-9a51-1f0b8f0c2e77\"}" }
        }
        """;

    [Fact]
    public void Read_ClaudeCodeBody_TakesLastTextBlockAndJsonSession()
    {
        var facts = Dialect.Read(Parse(ClaudeCodeBody));

        Assert.Equal(new RequestFacts(
            "claude-sonnet-4-5-20250929", true, "Fix the failing test in src/app.ts",
            "2b4bd6a3-7c3f-4f8e-9a51-1f0b8f0c2e77", ClientWantsUsage: true) { MaxOutputTokens = 32000 }, facts);
    }

    [Theory]
    [InlineData("""[{"role":"user","content":"hello"}]""", "hello")]
    [InlineData("""[{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]}]""", null)]
    [InlineData("""[{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"file"}]},{"type":"tool_result","tool_use_id":"toolu_2","content":"x"}]}]""", null)]
    [InlineData("""[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]""", null)]
    [InlineData("""[{"role":"user","content":"q"},{"role":"developer","content":"d"},{"role":"system","content":"s"}]""", "q")]
    [InlineData("""[{"role":"user","content":[{"type":"image","source":{}}]}]""", null)]
    [InlineData("""[{"role":"user","content":[{"type":"text","text":5},{"type":"text","text":"real"},{"type":"text"}]}]""", "real")]
    [InlineData("""[{"role":"user","content":42}]""", null)]
    [InlineData("""[7,{"role":"user","content":"q"}]""", "q")]
    [InlineData("""[{"role":"user","content":"q"},7]""", null)]
    [InlineData("""[]""", null)]
    [InlineData("""{"role":"user"}""", null)]
    public void Read_Messages_FindsPromptPerSpec(string messages, string? prompt)
    {
        var facts = Dialect.Read(Parse($$"""{"model":"m","messages":{{messages}}}"""));

        Assert.Equal(prompt, facts.Prompt?.Text);
    }

    [Theory]
    [InlineData("""{"user_id":"user_3f2a9c_account_6f1c0f1e-0000-4000-8000-000000000001_session_9d8e7f6a-1111-4222-8333-444455556666"}""", "9d8e7f6a-1111-4222-8333-444455556666")]
    [InlineData("""{"user_id":"{\"session_id\":\"abc\"}"}""", "abc")]
    [InlineData("""{"user_id":"{\"session_id\":5}"}""", null)]
    [InlineData("""{"user_id":"{not json"}""", null)]
    [InlineData("""{"user_id":"plain-user"}""", null)]
    [InlineData("""{"user_id":"user_x_session_"}""", null)]
    [InlineData("""{"user_id":17}""", null)]
    [InlineData("""{"other":"x"}""", null)]
    [InlineData("""[]""", null)]
    [InlineData("""null""", null)]
    public void Read_MetadataUserId_ExtractsSession(string metadata, string? session)
    {
        var facts = Dialect.Read(Parse($$"""{"model":"m","metadata":{{metadata}}}"""));

        Assert.Equal(session, facts.SessionId);
    }

    [Theory]
    [InlineData("""{}""", "", false, "'model' is required and must be a string.")]
    [InlineData("""{"model":7,"stream":"yes"}""", "", false, "'model' is required and must be a string.")]
    [InlineData("""{"model":"m","stream":"yes","messages":[]}""", "m", false, "'stream' must be a boolean.")]
    [InlineData("""{"model":"claude-haiku-4-5","stream":false}""", "claude-haiku-4-5", false, "'messages' is required and must be an array.")]
    [InlineData("""{"model":"claude-haiku-4-5","messages":{"role":"user"}}""", "claude-haiku-4-5", false, "'messages' is required and must be an array.")]
    [InlineData("""{"model":"claude-haiku-4-5","stream":true,"messages":[]}""", "claude-haiku-4-5", true, null)]
    public void Read_OddShapes_NeverThrowsAndNamesTheProblem(string body, string model, bool stream, string? problem)
    {
        var facts = Dialect.Read(Parse(body));

        Assert.Equal(new RequestFacts(model, stream, null, null, true, problem is null ? null : GatewayError.InvalidRequest(problem)), facts);
    }

    [Fact]
    public void PrepareUpstream_Streaming_LeavesBodyUnchanged()
    {
        var body = Parse(ClaudeCodeBody);

        var edit = Dialect.PrepareUpstream(body, Dialect.Read(body));

        Assert.False(edit.Changed);
        Assert.False(body.HasObject);
        Assert.Equal(ClaudeCodeBody, Sent(body, edit));
    }

    [Theory]
    [InlineData(401, "authentication_error", "Invalid API key.", """{"type":"error","error":{"type":"authentication_error","message":"Invalid API key."}}""")]
    [InlineData(400, "invalid_request_error", "Body is not \"JSON\".", """{"type":"error","error":{"type":"invalid_request_error","message":"Body is not \"JSON\"."}}""")]
    [InlineData(404, "not_found_error", "No route <x>.", """{"type":"error","error":{"type":"not_found_error","message":"No route <x>."}}""")]
    [InlineData(413, "request_too_large", "Too big.", """{"type":"error","error":{"type":"request_too_large","message":"Too big."}}""")]
    [InlineData(502, "api_error", "Upstream unreachable.", """{"type":"error","error":{"type":"api_error","message":"Upstream unreachable."}}""")]
    [InlineData(503, "overloaded_error", "Provider not configured.", """{"type":"error","error":{"type":"overloaded_error","message":"Provider not configured."}}""")]
    [InlineData(504, "timeout_error", "Upstream idle.", """{"type":"error","error":{"type":"timeout_error","message":"Upstream idle."}}""")]
    [InlineData(429, "rate_limit_exceeded", "Slow down.", """{"type":"error","error":{"type":"rate_limit_error","message":"Slow down."}}""")]
    [InlineData(418, "teapot_error", "é", """{"type":"error","error":{"type":"teapot_error","message":"é"}}""")]
    public void ErrorBody_GatewayError_IsAnthropicShape(int status, string type, string message, string expected)
    {
        Assert.Equal(expected, Encoding.UTF8.GetString(Dialect.ErrorBody(new GatewayError(status, type, message, "some_code"))));
    }

    [Fact]
    public void StreamErrorFrame_GatewayError_IsErrorEvent()
    {
        var frame = Dialect.StreamErrorFrame(GatewayError.Timeout("Upstream idle."));

        Assert.Equal(
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"timeout_error\",\"message\":\"Upstream idle.\"}}\n\n",
            Encoding.UTF8.GetString(frame));
    }

    [Fact]
    public void KeepAliveFrame_IsPingEvent()
    {
        Assert.Equal("event: ping\ndata: {\"type\": \"ping\"}\n\n", Encoding.UTF8.GetString(Dialect.KeepAliveFrame.Span));
        Assert.Equal("anthropic-messages", Dialect.Name);
    }

    private static RequestDocument Parse(string json) => Bridgekeeper.Interception.RequestJson.Parse(Encoding.UTF8.GetBytes(json), out _)!;

    /// <summary>The JSON text that goes upstream for a request after the dialect's edits.</summary>
    private static string Sent(RequestDocument request, BodyEdit edit)
    {
        var (head, body) = JsonBody.ForUpstream(request, edit);
        return Encoding.UTF8.GetString([.. head.Span, .. body.Span]);
    }
}
