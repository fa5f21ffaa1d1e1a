using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bridgekeeper.EndToEndTests.Clients;

/// <summary>
/// The real Codex CLI (pinned in tests/clients/package.json), <c>codex exec</c>, through the gateway's Responses route to
/// the mock upstream. Codex reads its provider from <c>$CODEX_HOME/config.toml</c>; <c>OPENAI_BASE_URL</c> alone is ignored.
/// </summary>
public sealed partial class CodexTests : ClientTest
{
    [Fact]
    public async Task Codex_PlainPrompt_PrintsReplyAndRecordsPromptSessionAndExactTokens()
    {
        using var sandbox = new Sandbox();
        // mock:usage sets the figures the mock reports: input_tokens 130 of which 30 cached, and reasoning inside the output.
        const string prompt = "Say hello to the gateway mock:usage=input=100,output=20,cache_read=30,reasoning=5";

        var run = await CodexAsync(sandbox, await Gateway.CreateKeyAsync("codex-user"), prompt);

        await ExpectAsync(run, async () =>
        {
            Assert.Equal(0, run.ExitCode);
            Assert.Contains("Hello from the mock upstream.", run.Stdout, StringComparison.Ordinal);
            var record = await InterceptionAsync(i => HasPrompt(i, prompt));
            Assert.Equal("completed", Text(record, "status"));
            Assert.Equal("Codex", Text(record, "client"));
            Assert.Equal("codex-user", record.GetProperty("user").GetProperty("name").GetString());
            Assert.Equal("openai", Text(record, "provider"));
            Assert.True(record.GetProperty("streaming").GetBoolean());
            Assert.Equal(prompt, Assert.Single(record.GetProperty("prompts").EnumerateArray()).GetProperty("prompt").GetString());
            Assert.Equal((100, 20, 30, 0, 5), ChatCompletionsTests.Tokens(Assert.Single(record.GetProperty("token_usages").EnumerateArray())));
            // The session is the one Codex announces and sends upstream.
            Assert.Equal(SessionId(run), Text(record, "session_id"));
            var exchange = Upstream.Exchanges.First(e => Encoding.UTF8.GetString(e.RequestBody).Contains(prompt, StringComparison.Ordinal));
            Assert.Equal("/openai/v1/responses", exchange.Path);
            Assert.DoesNotContain(exchange.Headers.Values, v => v.Contains("bk_", StringComparison.Ordinal));
        });
    }

    [Fact]
    public async Task Codex_ShellRoundTrip_RunsCommandAndRecordsToolCallThenResultTurn()
    {
        using var sandbox = new Sandbox();
        var marker = $"bridgekeeper-{Guid.NewGuid():N}"[..24];
        // $((6*7)) only becomes 42 in a shell, so the reply proves the command really ran.
        var command = $"echo {marker}-$((6*7))";
        var prompt = $"mock:run={command}";

        var run = await CodexAsync(sandbox, await Gateway.CreateKeyAsync("codex-user"), prompt);

        await ExpectAsync(run, async () =>
        {
            Assert.Equal(0, run.ExitCode);
            Assert.Contains("Tool said:", run.Stdout, StringComparison.Ordinal);
            Assert.Contains($"{marker}-42", run.Stdout, StringComparison.Ordinal);

            var call = await InterceptionAsync(i => HasPrompt(i, prompt) && i.GetProperty("tool_usages").GetArrayLength() > 0);
            Assert.Equal("completed", Text(call, "status"));
            Assert.Equal("Codex", Text(call, "client"));
            Assert.Equal(SessionId(run), Text(call, "session_id"));
            var tool = Assert.Single(call.GetProperty("tool_usages").EnumerateArray());
            Assert.Contains(Text(tool, "tool"), new[] { "exec_command", "shell", "shell_command" });
            Assert.Contains(command, ShellCommand(JsonDocument.Parse(Text(tool, "input")).RootElement), StringComparison.Ordinal);
            Assert.False(tool.GetProperty("injected").GetBoolean());
            var callId = Text(tool, "tool_call_id");
            Assert.NotEmpty(callId);

            // The turn that carries the command's output back: same session, no prompt of its own.
            var result = await InterceptionAsync(i => Text(i, "session_id") == Text(call, "session_id")
                && i.GetProperty("prompts").GetArrayLength() == 0 && Text(i, "id") != Text(call, "id"));
            Assert.Equal("completed", Text(result, "status"));
            var resultBody = Upstream.Exchanges.Select(e => Encoding.UTF8.GetString(e.RequestBody))
                .Last(b => b.Contains(callId, StringComparison.Ordinal) && b.Contains("function_call_output", StringComparison.Ordinal));
            Assert.Contains($"{marker}-42", resultBody, StringComparison.Ordinal);
        });
    }

    private async Task<ClientRun> CodexAsync(Sandbox sandbox, string key, string prompt)
    {
        var codexHome = await CodexHomeAsync(sandbox, "bridgekeeper", $"""
            [model_providers.bridgekeeper]
            name = "Bridgekeeper"
            base_url = "{new Uri(Gateway.Url, "openai/v1").AbsoluteUri}"
            env_key = "BRIDGEKEEPER_TEST_KEY"
            wire_api = "responses"
            request_max_retries = 0
            stream_max_retries = 0
            """);
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = sandbox.Home,
            ["CODEX_HOME"] = codexHome,
            ["BRIDGEKEEPER_TEST_KEY"] = key,
        };
        // --strict-config: a key this Codex does not know fails the run instead of being ignored.
        string[] arguments = ["exec", "--strict-config", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox", "--ephemeral",
            "--color", "never", "-C", sandbox.Work, prompt];
        return await ClientProcess.RunAsync(ClientInstall.Codex, arguments, environment, sandbox.Work, TestContext.Current.CancellationToken);
    }

    /// <summary>The <c>session id: …</c> line of Codex's banner.</summary>
    private static string SessionId(ClientRun run) =>
        SessionLine().Match(run.Stdout + "\n" + run.Stderr) is { Success: true } match ? match.Groups[1].Value : "(no session id printed)";

    /// <summary>The command of a shell tool call, whichever argument shape this Codex uses (<c>cmd</c>, <c>command</c>, or argv).</summary>
    private static string ShellCommand(JsonElement input)
    {
        foreach (var name in new[] { "cmd", "command" })
            if (input.TryGetProperty(name, out var value))
                return value.ValueKind is JsonValueKind.Array ? string.Join(' ', value.EnumerateArray().Select(v => v.GetString())) : value.GetString() ?? "";
        return input.GetRawText();
    }

    [GeneratedRegex(@"session id: (\S+)")]
    private static partial Regex SessionLine();
}
