using System.Text;
using System.Text.Json;
using Bridgekeeper.Hosting;
using Bridgekeeper.Tests.Tools;
using Bridgekeeper.Tools;

namespace Bridgekeeper.EndToEndTests.Clients;

/// <summary>The in-test MCP server (<c>test</c>), started before the gateway that injects its tools.</summary>
public sealed class McpServerFixture : IAsyncLifetime
{
    internal TestMcpServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await TestMcpServer.StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
            await Server.DisposeAsync();
    }
}

/// <summary>
/// The real Claude Code through a gateway that injects the <c>test</c> MCP server's tools. The mock model calls the
/// injected <c>bmcp_test_echo</c>; the gateway runs it and loops, and Claude Code only ever sees the final answer.
/// </summary>
public sealed class ClaudeCodeMcpTests(McpServerFixture mcp) : ClientTest, IClassFixture<McpServerFixture>
{
    private protected override GatewaySettings Configure(GatewaySettings settings) => settings with
    {
        McpServers = [McpServerOptions.Create("BRIDGEKEEPER_MCP_0", "test", mcp.Server.StreamableUrl.AbsoluteUri, null, null, null, null, false)],
        McpToolTimeout = TimeSpan.FromSeconds(5),
        McpMaxRounds = 3,
    };

    [Fact]
    public async Task ClaudeCode_InjectedToolCall_RunsHiddenAndClaudePrintsTheFinalAnswer()
    {
        using var sandbox = new Sandbox();
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync("claude-mcp");
        await Mcp.McpWait.ToolsAsync(Gateway, key, names => names.Contains("bmcp_test_echo"));
        const string prompt = "Please echo through the gateway's tool.\nmock:tool=bmcp_test_echo {\"message\":\"from-claude\"}";

        var run = await ClientProcess.RunAsync(ClientInstall.ClaudeCode, ["-p", prompt], ClaudeEnvironment(sandbox,
            ("ANTHROPIC_BASE_URL", new Uri(Gateway.Url, "anthropic").AbsoluteUri), ("ANTHROPIC_API_KEY", key)), sandbox.Work, ct);

        await ExpectAsync(run, async () =>
        {
            Assert.Equal(0, run.ExitCode);
            Assert.Equal("Tool said: Echo: from-claude", run.Stdout.Trim());
            Assert.DoesNotContain("bmcp_", run.Stdout + run.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("error", run.Stdout, StringComparison.OrdinalIgnoreCase);

            var record = await InterceptionAsync(i => HasPrompt(i, prompt) && HasTool(i, "bmcp_test_echo"));
            Assert.Equal("completed", Text(record, "status"));
            Assert.Equal("Claude Code", Text(record, "client"));
            var tool = Assert.Single(record.GetProperty("tool_usages").EnumerateArray());
            Assert.True(tool.GetProperty("injected").GetBoolean());
            Assert.Equal("Echo: from-claude", Text(tool, "result"));
            Assert.Equal(mcp.Server.StreamableUrl.AbsoluteUri, Text(tool, "server_url"));
            Assert.Equal(2, record.GetProperty("token_usages").GetArrayLength());

            // Upstream: the model was offered the injected tools beside Claude Code's own, and answered after the hidden round.
            var bodies = Upstream.Exchanges.Select(e => Encoding.UTF8.GetString(e.RequestBody)).ToList();
            var first = Upstream.Exchanges.First(e => Encoding.UTF8.GetString(e.RequestBody).Contains("mock:tool=bmcp_test_echo", StringComparison.Ordinal)
                && e.ToolNames.Contains("bmcp_test_echo"));
            Assert.Equal(["bmcp_test_add", "bmcp_test_echo", "bmcp_test_fail", "bmcp_test_hang"], first.ToolNames.Take(4));
            Assert.Contains(first.ToolNames, n => !n.StartsWith("bmcp_", StringComparison.Ordinal));

            // Claude Code never saw the call: no request it sent carries a bmcp_ tool_use. Only the gateway's own loop round
            // does, and there the call's result is the tool's real output (a Claude Code follow-up would carry its own error).
            var withInjectedUse = bodies.Where(b => ToolUses(b).Any(u => u.Name.StartsWith("bmcp_", StringComparison.Ordinal))).ToList();
            Assert.NotEmpty(withInjectedUse);
            foreach (var body in withInjectedUse)
            {
                var ids = ToolUses(body).Where(u => u.Name.StartsWith("bmcp_", StringComparison.Ordinal)).Select(u => u.Id).ToHashSet();
                var results = ToolResults(body).Where(r => ids.Contains(r.Id)).ToList();
                Assert.NotEmpty(results);
                Assert.All(results, r => Assert.Equal(("Echo: from-claude", false), (r.Text, r.IsError)));
            }
            var interceptions = await Gateway.ListInterceptionsAsync();
            Assert.DoesNotContain(interceptions, i => i.GetProperty("tool_usages").EnumerateArray()
                .Any(t => Text(t, "tool").StartsWith("bmcp_", StringComparison.Ordinal) && !t.GetProperty("injected").GetBoolean()));
            Assert.Equal(withInjectedUse.Count, interceptions.Sum(i => i.GetProperty("tool_usages").EnumerateArray().Count(t => t.GetProperty("injected").GetBoolean())));
        });
    }

    /// <summary>The content blocks of a Messages request body's messages (none for any other body).</summary>
    private static List<JsonElement> Blocks(string body)
    {
        if (!body.StartsWith('{'))
            return [];
        using var document = JsonDocument.Parse(body);
        if (!document.RootElement.TryGetProperty("messages", out var messages))
            return [];
        return [.. messages.EnumerateArray().Where(m => m.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.Array)
            .SelectMany(m => m.GetProperty("content").EnumerateArray()).Select(b => b.Clone())];
    }

    private static IEnumerable<(string Id, string Name)> ToolUses(string body) =>
        Blocks(body).Where(b => Text(b, "type") == "tool_use").Select(b => (Text(b, "id"), Text(b, "name")));

    private static IEnumerable<(string Id, string Text, bool IsError)> ToolResults(string body) =>
        Blocks(body).Where(b => Text(b, "type") == "tool_result").Select(b => (Text(b, "tool_use_id"), ResultText(b),
            b.TryGetProperty("is_error", out var e) && e.ValueKind == JsonValueKind.True));

    private static string ResultText(JsonElement result) => result.GetProperty("content") switch
    {
        { ValueKind: JsonValueKind.String } s => s.GetString()!,
        var array => string.Concat(array.EnumerateArray().Select(c => Text(c, "text"))),
    };
}
