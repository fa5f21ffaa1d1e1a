using System.Text;
using System.Text.Json;

namespace Bridgekeeper.EndToEndTests.Clients;

/// <summary>
/// The real Claude Code CLI (pinned in tests/clients/package.json), headless, through the gateway to the mock upstream.
/// Claude Code may send more requests than the one that answers the prompt, so records are found by content.
/// </summary>
public sealed class ClaudeCodeTests : ClientTest
{
    [Fact]
    public async Task ClaudeCode_PlainPrompt_PrintsReplyAndRecordsPromptSessionAndExactTokens()
    {
        using var sandbox = new Sandbox();
        // mock:usage sets the figures the mock reports, cache included, so exact Anthropic token semantics show.
        const string prompt = "Say hello to the gateway mock:usage=input=12,output=40,cache_read=1000,cache_write=200";

        var run = await ClaudeAsync(sandbox, await Gateway.CreateKeyAsync("claude-user"), prompt);

        await ExpectAsync(run, async () =>
        {
            Assert.Equal(0, run.ExitCode);
            Assert.Contains("Hello from the mock upstream.", run.Stdout, StringComparison.Ordinal);
            var record = await InterceptionAsync(i => HasPrompt(i, prompt));
            Assert.Equal("completed", Text(record, "status"));
            Assert.Equal("Claude Code", Text(record, "client"));
            Assert.StartsWith("claude-cli/2.1.330", Text(record, "user_agent"), StringComparison.Ordinal);
            Assert.Equal("claude-user", record.GetProperty("user").GetProperty("name").GetString());
            Assert.Equal("anthropic", Text(record, "provider"));
            Assert.True(record.GetProperty("streaming").GetBoolean());
            Assert.Equal(prompt, Assert.Single(record.GetProperty("prompts").EnumerateArray()).GetProperty("prompt").GetString());
            Assert.Equal((12, 40, 1000, 200, 0), ChatCompletionsTests.Tokens(Assert.Single(record.GetProperty("token_usages").EnumerateArray())));
            // The session is Claude Code's own: the id it sent upstream, not one we made up.
            var exchange = Upstream.Exchanges.First(e => Encoding.UTF8.GetString(e.RequestBody).Contains(prompt, StringComparison.Ordinal));
            Assert.Equal(exchange.Headers["x-claude-code-session-id"], Text(record, "session_id"));
            Assert.Equal("?beta=true", exchange.QueryString);
            Assert.DoesNotContain(exchange.Headers.Values, v => v.Contains("bk_", StringComparison.Ordinal));
        });
    }

    [Fact]
    public async Task ClaudeCode_ThroughBedrock_UnchangedClient_SignedBedrockCallsAndExactTokens()
    {
        using var sandbox = new Sandbox();
        const string prompt = "Say hello through Bedrock mock:usage=input=12,output=40,cache_read=1000,cache_write=200";

        var run = await ClaudeThroughAsync("bedrock", sandbox, await Gateway.CreateKeyAsync("claude-user"), prompt);

        await ExpectAsync(run, async () =>
        {
            Assert.Equal(0, run.ExitCode);
            Assert.Contains("Hello from the mock upstream.", run.Stdout, StringComparison.Ordinal);
            var record = await InterceptionAsync(i => HasPrompt(i, prompt));
            Assert.Equal(("completed", "bedrock", "Claude Code"), (Text(record, "status"), Text(record, "provider"), Text(record, "client")));
            Assert.Equal((12, 40, 1000, 200, 0), ChatCompletionsTests.Tokens(Assert.Single(record.GetProperty("token_usages").EnumerateArray())));
            // Every request Claude Code made reached the stand-in as a Bedrock call it accepted (SigV4, closed schema).
            var exchanges = Upstream.Exchanges.Where(e => e.RawPath.StartsWith("/bedrock/model/", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(exchanges);
            Assert.All(exchanges, e => Assert.Equal(200, e.Status));
            var answered = exchanges.First(e => Encoding.UTF8.GetString(e.RequestBody).Contains(prompt, StringComparison.Ordinal));
            var body = JsonDocument.Parse(answered.RequestBody).RootElement;
            Assert.False(body.TryGetProperty("model", out _) || body.TryGetProperty("metadata", out _) || body.TryGetProperty("stream", out _));
            Assert.Equal(answered.Headers["x-claude-code-session-id"], Text(record, "session_id"));
            Assert.DoesNotContain(answered.Headers.Values, v => v.Contains("bk_", StringComparison.Ordinal));
        });
    }

    [Fact]
    public async Task ClaudeCode_BashRoundTrip_RunsCommandAndRecordsToolCallThenResultTurn()
    {
        using var sandbox = new Sandbox();
        var marker = $"bridgekeeper-{Guid.NewGuid():N}"[..24];
        // The shell must really run: $((6*7)) only becomes 42 in a shell, so the reply cannot just echo the prompt back.
        var command = $"echo {marker}-$((6*7))";
        var prompt = $"mock:run={command}";

        var key = await Gateway.CreateKeyAsync("claude-user");
        var run = await ClaudeAsync(sandbox, key, prompt, "--allowedTools", "Bash");

        await ExpectAsync(run, async () =>
        {
            Assert.Equal(0, run.ExitCode);
            Assert.Contains("Tool said:", run.Stdout, StringComparison.Ordinal);
            Assert.Contains($"{marker}-42", run.Stdout, StringComparison.Ordinal);

            var call = await InterceptionAsync(i => HasPrompt(i, prompt) && HasTool(i, "Bash"));
            Assert.Equal("completed", Text(call, "status"));
            Assert.Equal("Claude Code", Text(call, "client"));
            var tool = Assert.Single(call.GetProperty("tool_usages").EnumerateArray());
            Assert.Equal(command, JsonDocument.Parse(Text(tool, "input")).RootElement.GetProperty("command").GetString());
            Assert.False(tool.GetProperty("injected").GetBoolean());
            var callId = Text(tool, "tool_call_id");
            Assert.StartsWith("toolu_", callId);

            // The turn that carries the tool result back: same session, no prompt of its own (a tool result is not a prompt).
            var sessionId = Text(call, "session_id");
            Assert.NotEmpty(sessionId);
            var result = await InterceptionAsync(i => Text(i, "session_id") == sessionId && i.GetProperty("prompts").GetArrayLength() == 0
                && Text(i, "id") != Text(call, "id"));
            Assert.Equal("completed", Text(result, "status"));
            Assert.Empty(result.GetProperty("tool_usages").EnumerateArray());
            var resultBody = Upstream.Exchanges.Select(e => Encoding.UTF8.GetString(e.RequestBody))
                .Last(b => b.Contains(callId, StringComparison.Ordinal) && b.Contains("tool_result", StringComparison.Ordinal));
            Assert.Contains($"{marker}-42", resultBody, StringComparison.Ordinal);

            // The session, as GET /api/v1/sessions/{id} gives it to the user: one thread holding both turns in order.
            using var client = Gateway.CreateClient(key);
            var thread = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/sessions/{Uri.EscapeDataString(sessionId)}", TestContext.Current.CancellationToken)).RootElement;
            var ids = thread.GetProperty("interceptions").EnumerateArray().Select(i => Text(i, "id")).ToList();
            Assert.True(ids.IndexOf(Text(call, "id")) is >= 0 and var at && at < ids.IndexOf(Text(result, "id")), string.Join(", ", ids));
            var session = thread.GetProperty("session");
            Assert.Equal(("Claude Code", "claude-user"), (Text(session, "client"), Text(session.GetProperty("user"), "name")));
            Assert.Equal(ids.Count, session.GetProperty("interceptions").GetInt32());
            Assert.Equal((await Gateway.ListInterceptionsAsync()).Count(i => i.GetProperty("session_id").ValueKind == JsonValueKind.String && Text(i, "session_id") == sessionId), ids.Count);
            Assert.True(session.GetProperty("tool_calls").GetInt32() >= 1);
        });
    }

    private Task<ClientRun> ClaudeAsync(Sandbox sandbox, string key, string prompt, params string[] flags) =>
        ClaudeThroughAsync("anthropic", sandbox, key, prompt, flags);

    /// <param name="provider">The gateway provider Claude Code's <c>ANTHROPIC_BASE_URL</c> names (<c>anthropic</c>, <c>bedrock</c>).</param>
    private async Task<ClientRun> ClaudeThroughAsync(string provider, Sandbox sandbox, string key, string prompt, params string[] flags)
    {
        var environment = ClaudeEnvironment(sandbox, ("ANTHROPIC_BASE_URL", new Uri(Gateway.Url, provider).AbsoluteUri), ("ANTHROPIC_API_KEY", key));
        return await ClientProcess.RunAsync(ClientInstall.ClaudeCode, ["-p", prompt, .. flags], environment, sandbox.Work,
            TestContext.Current.CancellationToken);
    }
}
