using System.Net;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests.Mcp;

/// <summary>A server that adds a tool at runtime sends <c>notifications/tools/list_changed</c>; the next requests inject it.</summary>
public sealed class McpRefreshTests : McpGatewayTest
{
    private const string Body = """{"model":"claude-haiku-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task ListChanged_NewToolIsInjectedOnTheNextRequest()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await ReadyKeyAsync("rita");
        using var client = Gateway.CreateClient(key);
        using (var before = await client.SendAsync(Wire.Post("/anthropic/v1/messages", Body), ct))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(["bmcp_test_add", "bmcp_test_echo", "bmcp_test_fail", "bmcp_test_hang"], Upstream.Exchanges[^1].ToolNames);

        Mcp.AddTool("newtool");
        // The scheduled refresh is 5 minutes away, so only the notification can bring the tool in within this bound.
        await McpWait.ToolsAsync(Gateway, key, names => names.Contains("bmcp_test_newtool"));
        using (var after = await client.SendAsync(Wire.Post("/anthropic/v1/messages", Body, ("x-mock-scenario", "tool_call"),
            ("x-mock-tool", "name=bmcp_test_newtool;args={}")), ct))
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);

        Assert.Equal(3, Upstream.Exchanges.Count);
        Assert.Equal(["bmcp_test_add", "bmcp_test_echo", "bmcp_test_fail", "bmcp_test_hang", "bmcp_test_newtool"], Upstream.Exchanges[1].ToolNames);
        var record = await Gateway.WaitForEndedAsync(i => i.GetProperty("tool_usages").GetArrayLength() > 0);
        var tool = Assert.Single(record.GetProperty("tool_usages").EnumerateArray());
        Assert.Equal(("bmcp_test_newtool", true, "newtool ran"),
            (tool.GetProperty("tool").GetString(), tool.GetProperty("injected").GetBoolean(), tool.GetProperty("result").GetString()));
        Assert.Contains(Gateway.Logs.Lines, l => l.Contains("MCP server test (shared) now lists 5 tools", StringComparison.Ordinal));
    }
}
