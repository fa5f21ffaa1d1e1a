using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Hosting;
using Bridgekeeper.Tests.Tools;
using Bridgekeeper.Tools;

namespace Bridgekeeper.EndToEndTests.Mcp;

/// <summary>Which tools get injected: allow and deny filters, and a server that is down.</summary>
public sealed class McpFilterTests : McpGatewayTest
{
    private protected override GatewaySettings Configure(GatewaySettings settings, TestMcpServer mcp) => settings with
    {
        McpServers =
        [
            McpServerOptions.Create("BRIDGEKEEPER_MCP_0", "test", mcp.StreamableUrl.AbsoluteUri, "streamable-http", null, "^(echo|add|fail)$", "^fail$", false),
            McpServerOptions.Create("BRIDGEKEEPER_MCP_1", "legacy", mcp.SseUrl.AbsoluteUri, "sse", null, "^add$", null, false),
            McpServerOptions.Create("BRIDGEKEEPER_MCP_2", "down", $"http://127.0.0.1:{TestMcpServer.FreePort()}/mcp", null, null, null, null, false),
        ],
    };

    [Fact]
    public async Task Injection_AppliesAllowAndDenyAcrossTransports_AndSkipsADownServer()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await ReadyKeyAsync("nia", tools: 3));

        var started = DateTime.UtcNow;
        using var response = await client.SendAsync(Wire.Post("/anthropic/v1/messages",
            """{"model":"claude-haiku-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"mine","input_schema":{"type":"object"}}]}"""), ct);
        await response.Content.ReadAsStringAsync(ct);

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), "a down MCP server must not slow requests down");
        Assert.Equal(["bmcp_test_add", "bmcp_test_echo", "bmcp_legacy_add", "mine"], Assert.Single(Upstream.Exchanges).ToolNames);
        Assert.Contains(Gateway.Logs.Lines, l => l.Contains("down", StringComparison.Ordinal) && l.StartsWith("Warning", StringComparison.Ordinal));
    }
}
