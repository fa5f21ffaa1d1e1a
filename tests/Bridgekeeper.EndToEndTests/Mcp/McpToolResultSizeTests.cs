using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.MockUpstream;
using Bridgekeeper.Tests.Tools;
using Bridgekeeper.Tools;
using McpServerTool = ModelContextProtocol.Server.McpServerTool;

namespace Bridgekeeper.EndToEndTests.Mcp;

/// <summary>
/// A tool result larger than the gateway passes on: the model gets at most 1 MiB of it (UTF-8), the audit record at most
/// 64 KiB, each cut on a character and ending with a marker that says how big the result was and how much is shown.
/// </summary>
public sealed class McpToolResultSizeTests
{
    private const int ModelBytes = 1024 * 1024;
    private const int RecordBytes = 64 * 1024;

    [Theory]
    [InlineData("x", 2 * 1024 * 1024)]
    [InlineData("é", 1024 * 1024)]          // 2 bytes each
    [InlineData("€", 700_000)]              // 3 bytes each
    [InlineData("😀", 300_000)]              // a surrogate pair, 4 bytes
    [InlineData("x", ModelBytes)]            // exactly the bound: the model gets it whole
    public async Task ToolResult_LargerThanTheBounds_IsCutOnACharacterWithAMarker(string unit, int count)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var mcp = await TestMcpServer.StartAsync(ct,
            [McpServerTool.Create((string unit, int count) => string.Concat(Enumerable.Repeat(unit, count)), new() { Name = "big" })]);
        await using var upstream = await MockUpstreamServer.StartAsync(new MockUpstreamOptions(), ct);
        await using var gateway = await GatewayUnderTest.StartAsync(upstream, s => s with
        {
            McpServers = [McpServerOptions.Create("BRIDGEKEEPER_MCP_0", "test", mcp.StreamableUrl.AbsoluteUri, null, null, "^big$", null, false)],
        });
        var key = await gateway.CreateKeyAsync("mia");
        await McpWait.ToolsAsync(gateway, key, names => names.Count == 1);
        using var client = gateway.CreateClient(key);

        using var response = await client.SendAsync(Wire.Post("/anthropic/v1/messages",
            """{"model":"claude-haiku-4-5","max_tokens":64,"messages":[{"role":"user","content":"big"}]}""",
            ("x-mock-scenario", "tool_call"), ("x-mock-tool", $"name=bmcp_test_big;args={JsonSerializer.Serialize(new { unit, count })}")), ct);   // \u-escaped: headers are ASCII
        await response.Content.ReadAsStringAsync(ct);
        var record = await gateway.WaitForEndedAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Wire.Json(upstream.Exchanges[1].RequestBody).GetProperty("messages")[2].GetProperty("content")[0].GetProperty("content").GetString();
        Assert.Equal(Expected(unit, count, ModelBytes), sent);
        var usage = Assert.Single(record.GetProperty("tool_usages").EnumerateArray());
        Assert.Equal(Expected(unit, count, RecordBytes), usage.GetProperty("result").GetString());
    }

    /// <summary>
    /// What a bound of <paramref name="max"/> bytes leaves of <paramref name="count"/> copies of <paramref name="unit"/>:
    /// the whole when it fits; otherwise as many whole units as fit beside the marker, whose "shown" figure is sized for
    /// the bound.
    /// </summary>
    private static string Expected(string unit, int count, int max)
    {
        var size = Encoding.UTF8.GetByteCount(unit);
        var total = size * count;
        if (total <= max)
            return string.Concat(Enumerable.Repeat(unit, count));
        string Marker(int shown) => string.Create(CultureInfo.InvariantCulture, $"\n[truncated by Bridgekeeper: {total} bytes in all, {shown} shown]");
        var kept = (max - Marker(max).Length) / size;
        return string.Concat(Enumerable.Repeat(unit, kept)) + Marker(kept * size);
    }
}
