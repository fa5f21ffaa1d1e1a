using System.Diagnostics;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Hosting;
using Bridgekeeper.Tests.Tools;

namespace Bridgekeeper.EndToEndTests.Mcp;

/// <summary>
/// The loop's total time cap: a tool that hangs for longer than the loop may run (its own timeout is longer still) stops
/// the loop at the cap with a clear error for the client, recorded as <c>tool_loop_cap</c>.
/// </summary>
public sealed class McpLoopTimeoutTests : McpGatewayTest
{
    private protected override GatewaySettings Configure(GatewaySettings settings, TestMcpServer mcp) => base.Configure(settings, mcp) with
    {
        McpLoopTimeout = TimeSpan.FromSeconds(1),
        McpToolTimeout = TimeSpan.FromSeconds(20),
        McpMaxRounds = 10,
    };

    /// <summary>The body as far as it came, plus a marker when the gateway cut the connection.</summary>
    private static async Task<string> ReadAllowingAbortAsync(HttpResponseMessage response, CancellationToken ct)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        var text = new System.Text.StringBuilder();
        try
        {
            while (await reader.ReadLineAsync(ct) is { } line)
                text.Append(line).Append('\n');
        }
        catch (HttpIOException exception)
        {
            text.Append($"[connection cut: {exception.Message}]");
        }
        return text.ToString();
    }

    private static string Json(bool value) => value ? "true" : "false";

    [Theory]
    [InlineData("messages", true)]
    [InlineData("chat", false)]
    public async Task LoopTimeout_HangingToolHitsTheCap_ClientGetsAClearErrorAndRecordIsFailed(string api, bool stream)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await ReadyKeyAsync("lou"));
        var (path, body) = api == "chat"
            ? ("/openai/v1/chat/completions", $$"""{"model":"gpt-4o","stream":{{Json(stream)}},"messages":[{"role":"user","content":"hang"}]}""")
            : ("/anthropic/v1/messages", $$"""{"model":"claude-sonnet-4-5","max_tokens":64,"stream":{{Json(stream)}},"messages":[{"role":"user","content":"hang"}]}""");

        var clock = Stopwatch.StartNew();
        using var response = await client.SendAsync(Wire.Post(path, body, ("x-mock-scenario", "tool_call"), ("x-mock-rounds", "50"),
            ("x-mock-tool", "name=bmcp_test_hang;args={}")), HttpCompletionOption.ResponseHeadersRead, ct);
        var text = await ReadAllowingAbortAsync(response, ct);
        clock.Stop();
        var record = await Gateway.WaitForEndedAsync();
        var outcome = $"client got {(int)response.StatusCode}: {text}\nrecorded {record.GetProperty("status")}: {record.GetProperty("error")}";

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the 1 s loop cap must stop the 20 s tool; took {clock.Elapsed}");
        Assert.True(text.Contains("tool_loop_cap", StringComparison.Ordinal) && text.Contains("longer than 1 s", StringComparison.Ordinal),
            $"the client must get a clear tool_loop_cap error; {outcome}");
        Assert.True(record.GetProperty("status").GetString() == "failed"
            && record.GetProperty("error").GetString()!.StartsWith("tool_loop_cap", StringComparison.Ordinal), $"must be recorded as tool_loop_cap; {outcome}");
    }
}
