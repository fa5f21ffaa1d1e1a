using System.Text;
using System.Text.Json.Nodes;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.OpenAIResponses;

namespace Bridgekeeper.Tests.Providers;

public sealed class OpenAIResponsesDialectTests
{
    private static readonly OpenAIResponsesDialect Dialect = new();

    private const string InputProblem = "'input' is required and must be a string or an array of items.";

    /// <summary>The shape Codex sends: a developer message first, context and prompt as user messages, its own tool types.</summary>
    private const string CodexBody = """
        {
          "model": "gpt-5-codex",
          "instructions": "You are Codex, based on GPT-5. You are running as a coding agent in the Codex CLI on a user's computer.",
          "input": [
            { "type": "message", "role": "developer", "content": [ { "type": "input_text", "text": "<permissions instructions>\nSandbox: workspace-write.\n</permissions instructions>" } ] },
            { "type": "message", "role": "user", "content": [ { "type": "input_text", "text": "<environment_context>\n  <cwd>/repo</cwd>\n  <shell>bash</shell>\n</environment_context>" } ] },
            { "type": "message", "role": "user", "content": [
                { "type": "input_text", "text": "Fix the failing test in src/app.cs" },
                { "type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo=" },
                { "type": "input_text", "text": "and explain the cause." }
            ] }
          ],
          "tools": [
            { "type": "function", "name": "shell", "description": "Runs a shell command and returns its output.", "strict": false,
              "parameters": { "type": "object", "properties": { "command": { "type": "array", "items": { "type": "string" } }, "workdir": { "type": "string" } }, "required": ["command"], "additionalProperties": false } },
            { "type": "custom", "name": "apply_patch", "description": "Use the `apply_patch` tool to edit files.",
              "format": { "type": "grammar", "syntax": "lark", "definition": "start: begin_patch hunk+ end_patch" } },
            { "type": "web_search" },
            { "type": "local_shell" },
            { "type": "namespace", "name": "mcp__github", "tools": [ { "type": "function", "name": "get_issue", "parameters": { "type": "object", "properties": {} } } ] }
          ],
          "tool_choice": "auto",
          "parallel_tool_calls": false,
          "reasoning": { "effort": "medium", "summary": "auto" },
          "store": false,
          "stream": true,
          "include": ["reasoning.encrypted_content"],
          "prompt_cache_key": "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
          "text": { "verbosity": "medium" },
          "x_unknown": { "price": 1.50 }
        }
        """;

    [Fact]
    public void Read_CodexBody_JoinsLastUserMessageTextParts()
    {
        var facts = Dialect.Read(Parse(CodexBody));

        Assert.Equal(new RequestFacts(
            "gpt-5-codex", true, "Fix the failing test in src/app.cs\nand explain the cause.", null, ClientWantsUsage: true), facts);
    }

    [Fact]
    public void PrepareUpstream_CodexBody_LeavesBodyUnchanged()
    {
        var body = Parse(CodexBody);

        var edit = Dialect.PrepareUpstream(body, Dialect.Read(body));

        Assert.False(edit.Changed);
        Assert.False(body.HasObject);
        Assert.Equal(CodexBody, Sent(body, edit));
    }

    [Theory]
    [InlineData("\"hello\"", "hello")]
    [InlineData("""[{"role":"user","content":"hi"}]""", "hi")]
    [InlineData("""[{"type":"message","role":"user","content":[{"type":"input_text","text":"a"},{"type":"text","text":"b"}]}]""", "a\nb")]
    [InlineData("""[{"role":"user","content":"q"},{"type":"message","role":"developer","content":"d"},{"role":"system","content":"s"}]""", "q")]
    [InlineData("""[{"role":"user","content":"q"},{"type":"function_call","call_id":"c","name":"shell","arguments":"{}"},{"type":"function_call_output","call_id":"c","output":"ok"}]""", null)]
    [InlineData("""[{"role":"user","content":"q"},{"type":"custom_tool_call_output","call_id":"c","output":"ok"}]""", null)]
    [InlineData("""[{"role":"user","content":"q"},{"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"gAAA"}]""", null)]
    [InlineData("""[{"role":"user","content":"q"},{"type":"item_reference","id":"msg_1"}]""", null)]
    [InlineData("""[{"role":"user","content":"q"},{"type":"message","role":"assistant","content":[{"type":"output_text","text":"a"}]}]""", null)]
    [InlineData("""[{"role":"user","content":[{"type":"input_image","image_url":"data:,"}]}]""", null)]
    [InlineData("""[{"type":"function_call_output","role":"user","call_id":"c","output":"x"}]""", null)]
    [InlineData("""[{"role":"user","content":[{"type":"input_text","text":5},{"type":"input_text","text":"real"},{"type":"input_text"}]}]""", "real")]
    [InlineData("""[{"role":"user","content":42}]""", null)]
    [InlineData("""[7,{"role":"user","content":"q"}]""", "q")]
    [InlineData("""[]""", null)]
    [InlineData("""42""", null)]
    [InlineData("""{"role":"user","content":"x"}""", null)]
    public void Read_Input_FindsPromptPerSpec(string input, string? prompt)
    {
        var facts = Dialect.Read(Parse($$"""{"model":"m","input":{{input}}}"""));

        Assert.Equal(prompt, facts.Prompt?.Text);
    }

    [Theory]
    [InlineData("""{"model":"gpt-5","input":"hi"}""", null)]
    [InlineData("""{"model":"gpt-5","input":[]}""", null)]
    [InlineData("""{"model":"gpt-5","previous_response_id":"resp_1"}""", null)]
    [InlineData("""{"model":"gpt-5","input":null,"previous_response_id":"resp_1"}""", null)]
    [InlineData("""{"model":"gpt-5","prompt":{"id":"pmpt_1","version":"2"}}""", null)]
    [InlineData("""{"model":"gpt-5"}""", InputProblem)]
    [InlineData("""{"model":"gpt-5","input":42}""", InputProblem)]
    [InlineData("""{"model":"gpt-5","input":42,"previous_response_id":"resp_1"}""", InputProblem)]
    [InlineData("""{"model":"gpt-5","previous_response_id":7}""", InputProblem)]
    [InlineData("""{"model":"gpt-5","prompt":"pmpt_1"}""", InputProblem)]
    [InlineData("""{"previous_response_id":"resp_1"}""", "'model' is required and must be a string.")]
    [InlineData("""{"model":"gpt-5","stream":"yes","previous_response_id":"resp_1"}""", "'stream' must be a boolean.")]
    [InlineData("""{"model":5,"input":"hi"}""", "'model' is required and must be a string.")]
    public void Read_Shapes_NamesTheProblem(string body, string? problem)
    {
        var refusal = Dialect.Read(Parse(body)).Problem;

        Assert.Equal(problem, refusal?.Message);
        Assert.Equal(problem is null ? null : 400, refusal?.Status);
    }

    [Theory]
    [InlineData("""{"model":"gpt-5","input":"hi","background":true}""", true)]
    [InlineData("""{"model":"gpt-5","input":"hi","background":false}""", false)]
    [InlineData("""{"model":"gpt-5","input":"hi","background":"true"}""", false)]
    [InlineData("""{"model":"gpt-5","input":"hi","background":null}""", false)]
    [InlineData("""{"model":"gpt-5","input":"hi"}""", false)]
    public void IsBackground_Body_TrueOnlyForTrueAndRefusedWith501(string body, bool background)
    {
        Assert.Equal(background ? 501 : null, Dialect.Read(Parse(body)).Problem?.Status);
    }

    [Fact]
    public void ErrorBody_GatewayError_IsOpenAIShape()
    {
        var body = Dialect.ErrorBody(GatewayError.Unauthorized("Invalid API key."));

        Assert.Equal(
            """{"error":{"message":"Invalid API key.","type":"authentication_error","param":null,"code":"invalid_api_key"}}""",
            Encoding.UTF8.GetString(body));
    }

    [Theory]
    [InlineData(504, "timeout_error", "Upstream idle <120 s>, \"é\".", "upstream_timeout",
        "event: error\ndata: {\"type\":\"error\",\"code\":\"upstream_timeout\",\"message\":\"Upstream idle <120 s>, \\\"é\\\".\",\"param\":null,\"sequence_number\":0}\n\n")]
    [InlineData(400, "invalid_request_error", "Bad.", null,
        "event: error\ndata: {\"type\":\"error\",\"code\":\"invalid_request_error\",\"message\":\"Bad.\",\"param\":null,\"sequence_number\":0}\n\n")]
    public void StreamErrorFrame_GatewayError_IsResponsesErrorEvent(int status, string type, string message, string? code, string expected)
    {
        var frame = Dialect.StreamErrorFrame(new GatewayError(status, type, message, code));

        Assert.Equal(expected, Encoding.UTF8.GetString(frame));
    }

    [Fact]
    public void KeepAliveFrame_IsCommentLine()
    {
        Assert.Equal(": keep-alive\n\n", Encoding.UTF8.GetString(Dialect.KeepAliveFrame.Span));
        Assert.Equal("openai-responses", Dialect.Name);
    }

    private static RequestDocument Parse(string json) => Bridgekeeper.Interception.RequestJson.Parse(Encoding.UTF8.GetBytes(json), out _)!;

    /// <summary>The JSON text that goes upstream for a request after the dialect's edits.</summary>
    private static string Sent(RequestDocument request, BodyEdit edit)
    {
        var (head, body) = JsonBody.ForUpstream(request, edit);
        return Encoding.UTF8.GetString([.. head.Span, .. body.Span]);
    }
}
