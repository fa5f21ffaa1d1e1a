using System.Text;
using System.Text.Json.Nodes;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.OpenAIChat;

namespace Bridgekeeper.Tests.Providers;

public sealed class OpenAIChatDialectTests
{
    private static readonly OpenAIChatDialect Dialect = new();

    [Fact]
    public void Read_AgentBody_JoinsTextPartsAndSkipsDeveloper()
    {
        var body = Parse("""
            {
              "model": "gpt-4.1",
              "stream": true,
              "messages": [
                { "role": "developer", "content": "You are a coding agent." },
                { "role": "user", "content": [
                    { "type": "text", "text": "Look at this:" },
                    { "type": "image_url", "image_url": { "url": "data:image/png;base64,iVBORw0KGgo=" } },
                    { "type": "text", "text": "why does it fail?" }
                ] },
                { "role": "developer", "content": "Be brief." }
              ],
              "stream_options": { "include_usage": true },
              "tools": []
            }
            """);

        Assert.Equal(new RequestFacts("gpt-4.1", true, "Look at this:\nwhy does it fail?", null, true), Dialect.Read(body));
    }

    [Theory]
    [InlineData("""[{"role":"user","content":"hello"}]""", "hello")]
    [InlineData("""[{"role":"user","content":"q"},{"role":"assistant","content":null,"tool_calls":[]},{"role":"tool","tool_call_id":"c1","content":"result"}]""", null)]
    [InlineData("""[{"role":"user","content":"q"},{"role":"system","content":"s"}]""", "q")]
    [InlineData("""[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]""", null)]
    [InlineData("""[{"role":"user","content":[{"type":"text","text":"only"}]}]""", "only")]
    [InlineData("""[{"role":"user"}]""", null)]
    [InlineData("""[{"role":5,"content":"x"}]""", null)]
    [InlineData("""[]""", null)]
    [InlineData("""  "not an array" """, null)]
    public void Read_Messages_FindsPromptPerSpec(string messages, string? prompt)
    {
        var facts = Dialect.Read(Parse($$"""{"model":"m","messages":{{messages}}}"""));

        Assert.Equal(prompt, facts.Prompt?.Text);
    }

    [Theory]
    [InlineData("""{"stream":true}""", false)]
    [InlineData("""{"stream":true,"stream_options":{"include_usage":false}}""", false)]
    [InlineData("""{"stream":true,"stream_options":{"include_usage":"true"}}""", false)]
    [InlineData("""{"stream":true,"stream_options":null}""", false)]
    [InlineData("""{"stream":true,"stream_options":{"include_usage":true}}""", true)]
    public void Read_StreamOptions_ClientWantsUsageOnlyWhenTrue(string body, bool wantsUsage)
    {
        Assert.Equal(wantsUsage, Dialect.Read(Parse(body)).ClientWantsUsage);
    }

    [Theory]
    [InlineData("""{"model":"gpt-5","stream":true,"stream_options":{"include_obfuscation":false,"include_usage":false},"x_unknown":{"a":1.50}}""",
                """{"model":"gpt-5","stream":true,"stream_options":{"include_obfuscation":false,"include_usage":true},"x_unknown":{"a":1.50}}""", true)]
    [InlineData("""{"model":"gpt-5","stream_options":null,"stream":true,"n":1}""",
                """{"model":"gpt-5","stream_options":{"include_usage":true},"stream":true,"n":1}""", true)]
    [InlineData("""{"model":"gpt-5","stream":true,"messages":[]}""",
                """{"model":"gpt-5","stream":true,"messages":[],"stream_options":{"include_usage":true}}""", true)]
    [InlineData("""{"model":"gpt-5","stream":false,"stream_options":{"include_usage":false}}""",
                """{"model":"gpt-5","stream":false,"stream_options":{"include_usage":false}}""", false)]
    [InlineData("""{"model":"gpt-5"}""", """{"model":"gpt-5"}""", false)]
    [InlineData("""{"model":"gpt-5","stream":true,"stream_options":{"include_usage":true}}""",
                """{"model":"gpt-5","stream":true,"stream_options":{"include_usage":true}}""", false)]
    public void PrepareUpstream_Body_SetsIncludeUsageOnlyWhenStreamingAndMissing(string body, string expected, bool edited)
    {
        var request = Parse(body);

        var changed = Dialect.PrepareUpstream(request, Dialect.Read(request));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(Sent(request, changed))));
        Assert.Equal(edited, changed.Changed);
        if (!edited)
            Assert.Equal(body, Sent(request, changed));
    }

    [Theory]
    [InlineData("""{"model":"gpt-5","stream":true,"messages":[],"x":1.50}""",
                """{"stream_options":{"include_usage":true},"model":"gpt-5","stream":true,"messages":[],"x":1.50}""")]
    [InlineData(""" {  "stream":true,"model":"m"} """, """{"stream_options":{"include_usage":true},  "stream":true,"model":"m"} """)]
    public void PrepareUpstream_NoStreamOptions_PrependsTheMemberToTheClientsOwnBytes(string body, string sent)
    {
        var request = Parse(body);

        var edit = Dialect.PrepareUpstream(request, Dialect.Read(request));

        Assert.Equal("\"stream_options\":{\"include_usage\":true}", Encoding.UTF8.GetString(edit.LeadingMembers.Span));
        Assert.Equal(sent, Sent(request, edit));
        Assert.False(request.HasObject);
    }

    [Theory]
    [InlineData("{}", "{\"a\":1}")]
    [InlineData("{ \n }", "{\"a\":1 \n }")]
    [InlineData("{\"b\":2}", "{\"a\":1,\"b\":2}")]
    public void Prepend_EmptyOrNot_GivesValidJson(string body, string sent)
    {
        var (head, tail) = JsonBody.Prepend(Encoding.UTF8.GetBytes(body), "\"a\":1"u8);

        Assert.Equal(sent, Encoding.UTF8.GetString([.. head.Span, .. tail.Span]));
    }

    [Theory]
    [InlineData(401, "authentication_error", "Invalid API key.", "invalid_api_key", """{"error":{"message":"Invalid API key.","type":"authentication_error","param":null,"code":"invalid_api_key"}}""")]
    [InlineData(400, "invalid_request_error", "Body is not \"JSON\".", null, """{"error":{"message":"Body is not \"JSON\".","type":"invalid_request_error","param":null,"code":null}}""")]
    [InlineData(504, "timeout_error", "Idle <120 s>, é.", "upstream_timeout", """{"error":{"message":"Idle <120 s>, é.","type":"timeout_error","param":null,"code":"upstream_timeout"}}""")]
    public void ErrorBody_GatewayError_IsOpenAIShape(int status, string type, string message, string? code, string expected)
    {
        Assert.Equal(expected, Encoding.UTF8.GetString(Dialect.ErrorBody(new GatewayError(status, type, message, code))));
    }

    [Fact]
    public void StreamErrorFrame_GatewayError_IsDataLineWithError()
    {
        var frame = Dialect.StreamErrorFrame(GatewayError.BadGateway("Upstream went away."));

        Assert.Equal(
            "data: {\"error\":{\"message\":\"Upstream went away.\",\"type\":\"api_error\",\"param\":null,\"code\":\"upstream_unreachable\"}}\n\n",
            Encoding.UTF8.GetString(frame));
    }

    [Fact]
    public void KeepAliveFrame_IsCommentLine()
    {
        Assert.Equal(": keep-alive\n\n", Encoding.UTF8.GetString(Dialect.KeepAliveFrame.Span));
        Assert.Equal("openai-chat", Dialect.Name);
    }

    private static RequestDocument Parse(string json) => Bridgekeeper.Interception.RequestJson.Parse(Encoding.UTF8.GetBytes(json), out _)!;

    /// <summary>The JSON text that goes upstream for a request after the dialect's edits.</summary>
    private static string Sent(RequestDocument request, BodyEdit edit)
    {
        var (head, body) = JsonBody.ForUpstream(request, edit);
        return Encoding.UTF8.GetString([.. head.Span, .. body.Span]);
    }
}
