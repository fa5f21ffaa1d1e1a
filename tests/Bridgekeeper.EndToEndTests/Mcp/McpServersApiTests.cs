using System.Net;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Hosting;
using Bridgekeeper.Tests.Tools;
using Bridgekeeper.Tools;

namespace Bridgekeeper.EndToEndTests.Mcp;

/// <summary>
/// <c>GET /api/v1/mcp/servers</c>: each configured server's state, its tools, and its injected calls and failures from the
/// audit trail (a member's own only); why a server is down is for admins and auditors, and never shows a URL's query.
/// </summary>
public sealed class McpServersApiTests : McpGatewayTest
{
    private const string Messages = "/anthropic/v1/messages";
    private const string Body = """{"model":"claude-sonnet-4-5","max_tokens":128,"messages":[{"role":"user","content":"run it"}]}""";
    private static readonly int ClosedPort = TestMcpServer.FreePort();

    private protected override GatewaySettings Configure(GatewaySettings settings, TestMcpServer mcp) => base.Configure(settings, mcp) with
    {
        McpServers =
        [
            McpServerOptions.Create("BRIDGEKEEPER_MCP_0", "test", mcp.StreamableUrl.AbsoluteUri, null, null, null, null, false),
            McpServerOptions.Create("BRIDGEKEEPER_MCP_1", "gone", $"http://127.0.0.1:{ClosedPort}/mcp?token=secret-in-query", null, null, null, null, false),
        ],
    };

    [Fact]
    public async Task Servers_ShowStateToolsCallsAndFailures_MembersSeeTheirOwnCallsAndNoErrors()
    {
        var ct = TestContext.Current.CancellationToken;
        var mia = await ReadyKeyAsync("mia");
        var ned = await ReadyKeyAsync("ned");
        await CallAsync(mia, "bmcp_test_echo", """{"message":"one"}""");
        await CallAsync(mia, "bmcp_test_fail", "{}");
        await CallAsync(ned, "bmcp_test_echo", """{"message":"two"}""");
        await Gateway.WaitForEndedAsync(expected: 3);
        await WaitForDownAsync();
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        using var member = Gateway.CreateClient(mia);

        var all = await ServersAsync(admin, "");
        var own = await ServersAsync(member, "");
        var future = await ServersAsync(admin, "?since=2099-01-01T00:00:00Z");
        using var bad = await admin.GetAsync("/api/v1/mcp/servers?since=soon", ct);

        var test = all["test"];
        Assert.Equal(("connected", JsonValueKind.Null, 1), (test.GetProperty("status").GetString(), test.GetProperty("error").ValueKind, test.GetProperty("connections").GetInt32()));
        Assert.Equal(["add", "echo", "fail", "hang"], test.GetProperty("tools").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal((3L, 1L), (test.GetProperty("calls").GetInt64(), test.GetProperty("failures").GetInt64()));
        Assert.Equal((2L, 1L), (own["test"].GetProperty("calls").GetInt64(), own["test"].GetProperty("failures").GetInt64()));
        Assert.Equal((0L, 0L), (future["test"].GetProperty("calls").GetInt64(), future["test"].GetProperty("failures").GetInt64()));
        var gone = all["gone"];
        Assert.Equal(("down", $"http://127.0.0.1:{ClosedPort}/mcp", 0), (gone.GetProperty("status").GetString(), gone.GetProperty("url").GetString(),
            gone.GetProperty("tools").GetArrayLength()));
        Assert.False(string.IsNullOrEmpty(gone.GetProperty("error").GetString()));
        Assert.Equal(JsonValueKind.Null, own["gone"].GetProperty("error").ValueKind);
        Assert.DoesNotContain("secret-in-query", JsonSerializer.Serialize(all), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private async Task CallAsync(string key, string tool, string args)
    {
        using var client = Gateway.CreateClient(key);
        using var response = await client.SendAsync(Wire.Post(Messages, Body, ("x-mock-scenario", "tool_call"), ("x-mock-tool", $"name={tool};args={args}")),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<Dictionary<string, JsonElement>> ServersAsync(HttpClient client, string query)
    {
        var json = await client.GetStringAsync($"/api/v1/mcp/servers{query}", TestContext.Current.CancellationToken);
        return JsonDocument.Parse(json).RootElement.GetProperty("servers").EnumerateArray()
            .ToDictionary(s => s.GetProperty("name").GetString()!, s => s.Clone());
    }

    /// <summary>The closed port's first connect attempt has failed (it fails at once: nothing listens there).</summary>
    private async Task WaitForDownAsync()
    {
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await ServersAsync(admin, ""))["gone"].GetProperty("status").GetString() != "down")
        {
            Assert.True(DateTime.UtcNow < deadline, "the unreachable server never showed as down");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
