using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Hosting;
using Bridgekeeper.MockUpstream;
using Bridgekeeper.Tests.Tools;
using Bridgekeeper.Tools;

namespace Bridgekeeper.EndToEndTests.Mcp;

/// <summary>The gateway in front of the mock upstream, with a real C# MCP server (<c>test</c>) whose tools it injects.</summary>
public abstract class McpGatewayTest : IAsyncLifetime
{
    private protected MockUpstreamServer Upstream { get; private set; } = null!;
    private protected GatewayUnderTest Gateway { get; private set; } = null!;
    private protected TestMcpServer Mcp { get; private set; } = null!;

    private protected virtual GatewaySettings Configure(GatewaySettings settings, TestMcpServer mcp) => settings with
    {
        McpServers = [McpServerOptions.Create("BRIDGEKEEPER_MCP_0", "test", mcp.StreamableUrl.AbsoluteUri, null, null, null, null, false)],
        McpToolTimeout = TimeSpan.FromSeconds(2),
        McpMaxRounds = 3,
    };

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        Mcp = await TestMcpServer.StartAsync(ct);
        Upstream = await MockUpstreamServer.StartAsync(new MockUpstreamOptions(), ct);
        Gateway = await GatewayUnderTest.StartAsync(Upstream, s => Configure(s, Mcp));
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
        await Mcp.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>A key for a user whose injected tools are discovered (polls the caller's catalog until it is not empty).</summary>
    private protected async Task<string> ReadyKeyAsync(string user, int tools = 4)
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync(user);
        using var client = Gateway.CreateClient(key);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var json = JsonDocument.Parse(await client.GetStringAsync("/api/v1/mcp/tools", ct)).RootElement;
            var list = json.ValueKind == JsonValueKind.Array ? json : json.GetProperty("tools");
            if (list.GetArrayLength() >= tools)
                return key;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"MCP tools never showed up: {json}");
            await Task.Delay(50, ct);
        }
    }
}
