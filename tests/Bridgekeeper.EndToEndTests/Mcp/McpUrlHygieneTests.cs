using System.Net;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.MockUpstream;
using Bridgekeeper.Tests.Tools;
using Bridgekeeper.Tools;

namespace Bridgekeeper.EndToEndTests.Mcp;

/// <summary>
/// An MCP server URL with a token in its query string: the gateway connects with the query (the server sees it), and
/// every place the URL leaves the process (the tools API, the recorded tool usage, the structured log, every log line)
/// carries only the display URL: scheme, host, port and path.
/// </summary>
public sealed class McpUrlHygieneTests
{
    private const string Secret = "q-tok-9f3a1c";

    [Theory]
    [InlineData("streamable-http", "/mcp", $"?token={Secret}")]
    [InlineData("streamable-http", "/mcp", $"?team=core&token={Secret}#{Secret}-frag")]
    [InlineData("sse", "/mcp/sse", $"?token={Secret}")]
    public async Task McpUrl_QueryToken_IsUsedToConnectButNeverShownStoredOrLogged(string transport, string path, string query)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var mcp = await TestMcpServer.StartAsync(ct);
        await using var upstream = await MockUpstreamServer.StartAsync(new MockUpstreamOptions(), ct);
        var display = new Uri(mcp.Address, path).AbsoluteUri;
        await using var gateway = await GatewayUnderTest.StartAsync(upstream, s => s with
        {
            StructuredLogging = true,
            McpServers = [McpServerOptions.Create("BRIDGEKEEPER_MCP_0", "test", display + query, transport, null, "^echo$", null, false)],
        });
        var key = await gateway.CreateKeyAsync("mia");
        using var client = gateway.CreateClient(key);
        await McpWait.ToolsAsync(gateway, key, names => names.Count == 1);

        var tools = await client.GetStringAsync("/api/v1/mcp/tools", ct);
        using var response = await client.SendAsync(Wire.Post("/anthropic/v1/messages",
            """{"model":"claude-haiku-4-5","max_tokens":64,"messages":[{"role":"user","content":"echo"}]}""",
            ("x-mock-scenario", "tool_call"), ("x-mock-tool", """name=bmcp_test_echo;args={"message":"hi"}""")), ct);
        var reply = await response.Content.ReadAsStringAsync(ct);
        var record = await gateway.WaitForEndedAsync();
        using var admin = gateway.CreateClient(gateway.AdminKey);
        var interceptions = await admin.GetStringAsync("/api/v1/interceptions?limit=1000", ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(query.Split('#')[0], mcp.Queries);
        Assert.Equal(display, Assert.Single(JsonDocument.Parse(tools).RootElement.GetProperty("tools").EnumerateArray()).GetProperty("server_url").GetString());
        var usage = Assert.Single(record.GetProperty("tool_usages").EnumerateArray());
        Assert.Equal("Echo: hi", usage.GetProperty("result").GetString());
        Assert.Equal(display, usage.GetProperty("server_url").GetString());
        var logged = Assert.Single(gateway.Logs.Lines, l => l.Contains("interception log", StringComparison.Ordinal) && l.Contains("record_type=tool_usage", StringComparison.Ordinal));
        Assert.Contains($"server_url={display} ", logged, StringComparison.Ordinal);
        Assert.NotEmpty(gateway.Logs.Lines);
        Assert.All((string[])[tools, reply, interceptions, .. gateway.Logs.Lines], text => Assert.DoesNotContain(Secret, text, StringComparison.Ordinal));
    }

    /// <summary>A server that fails (a 404 path, or nothing listening): the warning says why, and still shows no token.</summary>
    [Theory]
    [InlineData("streamable-http", true)]
    [InlineData("streamable-http", false)]
    [InlineData("sse", true)]
    [InlineData("sse", false)]
    public async Task McpUrl_ServerFails_TheWarningCarriesNoQueryToken(string transport, bool listening)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var mcp = await TestMcpServer.StartAsync(ct);
        var url = listening ? new Uri(mcp.Address, "/no-such-path").AbsoluteUri : $"http://127.0.0.1:{TestMcpServer.FreePort()}/mcp";
        await using var gateway = await GatewayUnderTest.StartAsync(null, s => s with
        {
            McpServers = [McpServerOptions.Create("BRIDGEKEEPER_MCP_0", "test", $"{url}?token={Secret}", transport, null, null, null, false)],
        });

        await Eventually.HoldsAsync(() => gateway.Logs.Lines.Any(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("MCP server test", StringComparison.Ordinal)),
            "a warning about the failing MCP server");

        Assert.DoesNotContain(gateway.Logs.Lines, l => l.Contains(Secret, StringComparison.Ordinal));
    }
}
