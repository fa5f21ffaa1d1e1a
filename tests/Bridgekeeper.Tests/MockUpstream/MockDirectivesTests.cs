using System.Net;
using System.Text.Json.Nodes;
using Bridgekeeper.MockUpstream;

namespace Bridgekeeper.Tests.MockUpstream;

/// <summary><c>mock:reply=</c>, <c>mock:run=</c> and <c>mock:usage=</c> in the last user text, on all three APIs.</summary>
public sealed class MockDirectivesTests : IAsyncLifetime
{
    private const string ExecCommandTool = """
        {"type":"function","name":"exec_command","description":"Runs a command","strict":false,
         "parameters":{"type":"object","properties":{"cmd":{"type":"string"},"workdir":{"type":"string"}},"required":["cmd"]}}
        """;
    private const string ShellTool = """
        {"type":"function","name":"shell","parameters":{"type":"object",
         "properties":{"command":{"type":"array","items":{"type":"string"}},"timeout_ms":{"type":"number"}},"required":["command"]}}
        """;
    private const string ClaudeCodeBashTool = """
        {"name":"Bash","description":"Executes a bash command","input_schema":{"type":"object",
         "properties":{"command":{"type":"string"},"timeout":{"type":"number"},"description":{"type":"string"}},"required":["command"]}}
        """;
    private MockHarness _mock = null!;

    public async ValueTask InitializeAsync() => _mock = await MockHarness.StartAsync();

    public async ValueTask DisposeAsync() => await _mock.DisposeAsync();

    [Fact]
    public async Task Run_ResponsesExecCommandTool_CallsItWithCmd()
    {
        var request = $$$"""
            {"model":"gpt-test","stream":true,"tools":[{"type":"function","name":"apply_patch","parameters":{}},{{{ExecCommandTool}}}],
             "input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"<environment_context/>"}]},
                      {"type":"message","role":"user","content":[{"type":"input_text","text":"Please\nmock:run=ls -la /tmp \nthanks"}]}]}
            """;
        var (_, body) = await _mock.SendAsync(MockHarness.OpenAIResponses(request));

        var events = MockHarness.ResponsesEvents(body);
        var call = Assert.Single(events[^1].Json.GetProperty("response").GetProperty("output").EnumerateArray());
        Assert.Equal("function_call", call.GetProperty("type").GetString());
        Assert.Equal("exec_command", call.GetProperty("name").GetString());
        Assert.Equal("""{"cmd":"ls -la /tmp"}""", call.GetProperty("arguments").GetString());
        Assert.Equal("""{"cmd":"ls -la /tmp"}""", string.Concat(events.Where(e => e.Event == "response.function_call_arguments.delta")
            .Select(e => e.Json.GetProperty("delta").GetString())));
    }

    [Fact]
    public async Task Run_ResponsesShellToolWithArrayCommand_CallsItWithBashLc()
    {
        var request = $$$"""{"model":"gpt-test","tools":[{{{ShellTool}}}],"input":"mock:run=echo 'hi there'"}""";
        var (_, body) = await _mock.SendAsync(MockHarness.OpenAIResponses(request));

        var call = Assert.Single(MockHarness.Json(body).GetProperty("output").EnumerateArray());
        Assert.Equal("shell", call.GetProperty("name").GetString());
        Assert.Equal("""{"command":["bash","-lc","echo 'hi there'"]}""", call.GetProperty("arguments").GetString());
    }

    [Fact]
    public async Task Run_ResponsesNamespaceTool_FindsNestedShellTool()
    {
        var request = $$$"""{"model":"gpt-test","tools":[{"type":"namespace","name":"local","tools":[{{{ExecCommandTool}}}]}],"input":"mock:run=pwd"}""";
        var (_, body) = await _mock.SendAsync(MockHarness.OpenAIResponses(request));

        var call = Assert.Single(MockHarness.Json(body).GetProperty("output").EnumerateArray());
        Assert.Equal("exec_command", call.GetProperty("name").GetString());
        Assert.Equal("""{"cmd":"pwd"}""", call.GetProperty("arguments").GetString());
    }

    [Fact]
    public async Task Run_ClaudeCodeBashTool_CallsItWithCommandStringFromLastTextBlock()
    {
        var request = $$$"""
            {"model":"claude-test","max_tokens":100,"stream":true,"tools":[{"name":"Read","input_schema":{"type":"object"}},{{{ClaudeCodeBashTool}}}],
             "messages":[{"role":"user","content":[{"type":"text","text":"<system-reminder>mock:reply=not this</system-reminder>"},
                                                 {"type":"text","text":"mock:run=git status"}]}]}
            """;
        var (_, body) = await _mock.SendAsync(MockHarness.AnthropicMessages(request));

        var frames = MockHarness.Frames(body).Select(frame => (frame.Event, Json: MockHarness.Json(frame.Data))).ToList();
        var block = frames[1].Json.GetProperty("content_block");
        Assert.Equal("tool_use", block.GetProperty("type").GetString());
        Assert.Equal("Bash", block.GetProperty("name").GetString());
        var input = string.Concat(frames.Where(frame => frame.Event == "content_block_delta")
            .Select(frame => frame.Json.GetProperty("delta").GetProperty("partial_json").GetString()));
        Assert.Equal("""{"command":"git status"}""", input);
        Assert.Equal("tool_use", frames[^2].Json.GetProperty("delta").GetProperty("stop_reason").GetString());
    }

    [Fact]
    public async Task Run_ChatToolRequiringDescription_AddsDescription()
    {
        const string request = """
            {"model":"gpt-test","messages":[{"role":"user","content":"mock:run=make test"}],
             "tools":[{"type":"function","function":{"name":"shell_command","parameters":{"type":"object",
               "properties":{"command":{"type":"string"},"description":{"type":"string"}},"required":["command","description"]}}}]}
            """;
        var (_, body) = await _mock.SendAsync(MockHarness.OpenAIChat(request));

        var call = MockHarness.Json(body).GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls")[0].GetProperty("function");
        Assert.Equal("shell_command", call.GetProperty("name").GetString());
        Assert.Equal("""{"command":"make test","description":"Run the requested command"}""", call.GetProperty("arguments").GetString());
    }

    [Fact]
    public async Task Run_NoShellTool_RepliesNoShellToolOffered()
    {
        const string request = """{"model":"gpt-test","tools":[{"type":"function","name":"get_weather","parameters":{}}],"input":"mock:run=ls"}""";
        var (_, body) = await _mock.SendAsync(MockHarness.OpenAIResponses(request));

        var item = Assert.Single(MockHarness.Json(body).GetProperty("output").EnumerateArray());
        Assert.Equal("No shell tool offered.", item.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Run_ClaudeCodeToolResultTurn_RepliesWithToolTextAndKeepsUsageDirective()
    {
        var request = $$$"""
            {"model":"claude-test","max_tokens":100,"tools":[{{{ClaudeCodeBashTool}}}],"messages":[
              {"role":"user","content":[{"type":"text","text":"mock:run=ls\nmock:usage=input=40,output=9"}]},
              {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls"}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"a.txt"},
                                        {"type":"text","text":"<system-reminder>note</system-reminder>"}]}]}
            """;
        var (_, body) = await _mock.SendAsync(MockHarness.AnthropicMessages(request));

        var message = MockHarness.Json(body);
        Assert.Equal("end_turn", message.GetProperty("stop_reason").GetString());
        Assert.Equal("Tool said: a.txt", message.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(40, message.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal(9, message.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task Run_ResponsesToolResultTurn_RepliesWithToolText()
    {
        var request = $$$"""
            {"model":"gpt-test","tools":[{{{ExecCommandTool}}}],"input":[
              {"type":"message","role":"user","content":[{"type":"input_text","text":"mock:run=ls"}]},
              {"type":"function_call","call_id":"call_1","name":"exec_command","arguments":"{\"cmd\":\"ls\"}"},
              {"type":"function_call_output","call_id":"call_1","output":"a.txt\nb.txt"}]}
            """;
        var (_, body) = await _mock.SendAsync(MockHarness.OpenAIResponses(request));

        var item = Assert.Single(MockHarness.Json(body).GetProperty("output").EnumerateArray());
        Assert.Equal("Tool said: a.txt\nb.txt", item.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("chat")]
    [InlineData("messages")]
    [InlineData("responses")]
    public async Task Reply_EveryApi_RepliesWithTextAndUsage(string api)
    {
        const string prompt = "Say something.\\nmock:reply=Pong from the mock.\\nmock:usage=input=21,output=4";
        var (_, body) = await _mock.SendAsync(api switch
        {
            "chat" => MockHarness.OpenAIChat($$$"""{"model":"m","messages":[{"role":"user","content":"{{{prompt}}}"}]}"""),
            "messages" => MockHarness.AnthropicMessages($$$"""{"model":"m","max_tokens":9,"messages":[{"role":"user","content":"{{{prompt}}}"}]}"""),
            _ => MockHarness.OpenAIResponses($$$"""{"model":"m","input":"{{{prompt}}}"}"""),
        });

        var json = MockHarness.Json(body);
        var (text, usage) = api switch
        {
            "chat" => (json.GetProperty("choices")[0].GetProperty("message").GetProperty("content"), json.GetProperty("usage")),
            "messages" => (json.GetProperty("content")[0].GetProperty("text"), json.GetProperty("usage")),
            _ => (json.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text"), json.GetProperty("usage")),
        };
        Assert.Equal("Pong from the mock.", text.GetString());
        Assert.Equal(4, usage.GetProperty(api == "chat" ? "completion_tokens" : "output_tokens").GetInt32());
        Assert.Equal(21, usage.GetProperty(api == "chat" ? "prompt_tokens" : "input_tokens").GetInt32());
    }

    [Fact]
    public async Task Reply_HeaderGiven_HeaderWins()
    {
        var (_, body) = await _mock.SendAsync(MockHarness.OpenAIChat("""{"messages":[{"role":"user","content":"mock:reply=directive"}]}""",
            ("x-mock-text", "header")));

        Assert.Equal("header", MockHarness.Json(body).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task Usage_Malformed_Returns400NamingTheDirective()
    {
        var (response, body) = await _mock.SendAsync(MockHarness.OpenAIResponses("""{"input":"mock:usage=input=lots"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("mock:usage", MockHarness.Json(body).GetProperty("error").GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("""{"properties":{"cmd":{"type":"string"}}}""", """{"cmd":"x"}""")]
    [InlineData("""{"properties":{"command":{"type":"array"}}}""", """{"command":["bash","-lc","x"]}""")]
    [InlineData("""{"properties":{"command":{"type":"string"},"description":{"type":"string"}}}""", """{"command":"x"}""")]
    [InlineData("""{"properties":{"command":{"type":"string"},"description":{"type":"string"}},"required":["description"]}""",
        """{"command":"x","description":"Run the requested command"}""")]
    [InlineData("{}", """{"command":"x"}""")]
    public void ShellToolArguments_Schema_FollowsProperties(string schema, string expected)
    {
        var tool = new MockShellTool("shell", (JsonObject)JsonNode.Parse(schema)!);

        Assert.Equal(expected, tool.Arguments("x"));
    }

    [Fact]
    public void Parse_DirectivesOnSeparateLines_TakesEachToEndOfLine()
    {
        var directives = MockDirectives.Parse("hi mock:reply=Two words \r\nmock:run=ls -l | wc\nmock:usage=input=1,output=2 trailing");

        Assert.Equal(new MockDirectives("Two words", "ls -l | wc", "input=1,output=2"), directives);
        Assert.Equal(MockDirectives.None, MockDirectives.Parse("no directives mock:reply="));
    }
}
