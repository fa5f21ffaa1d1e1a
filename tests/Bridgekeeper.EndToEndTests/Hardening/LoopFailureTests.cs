using System.Net;
using System.Text;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.EndToEndTests.Mcp;
using Bridgekeeper.Hosting;
using Bridgekeeper.Tests.Tools;

namespace Bridgekeeper.EndToEndTests.Hardening;

/// <summary>
/// A later turn of the hidden tool loop fails: the upstream drops the connection or goes silent after the gateway sent it
/// the tool results. The client still gets the provider's error (in-stream once the stream started, else the status),
/// and the record says <c>failed</c> with the real reason.
/// </summary>
public sealed class LoopFailureTests : McpGatewayTest
{
    private protected override GatewaySettings Configure(GatewaySettings settings, TestMcpServer mcp) =>
        base.Configure(settings, mcp) with { UpstreamIdleTimeout = TimeSpan.FromMilliseconds(600) };

    private static string Body(bool stream) => $$"""
        {"model":"claude-sonnet-4-5","max_tokens":256,"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"Echo hi"}]}
        """;

    private static (string, string)[] EchoThen(string afterTools) =>
    [
        ("x-mock-scenario", "tool_call"), ("x-mock-tool", """name=bmcp_test_echo;args={"message":"hi"}"""),
        ("x-mock-usage", "input=11,output=3"), ("x-mock-after-tools", afterTools),
    ];

    [Theory]
    [InlineData("drop", "upstream_broken:", "api_error")]
    [InlineData("hang", "upstream_timeout:", "timeout_error")]
    public async Task Stream_LaterTurnFails_EndsWithTheProvidersErrorEventAndIsRecordedFailed(string afterTools, string reason, string errorType)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await ReadyKeyAsync("lena"));

        using var response = await client.SendAsync(Wire.Post("/anthropic/v1/messages", Body(stream: true), EchoThen(afterTools)),
            HttpCompletionOption.ResponseHeadersRead, ct);
        var frames = Wire.Frames(await response.Content.ReadAsByteArrayAsync(ct));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, Upstream.Exchanges.Count);
        Assert.StartsWith("event: message_start", frames[0], StringComparison.Ordinal);
        Assert.StartsWith($"event: error\ndata: {{\"type\":\"error\",\"error\":{{\"type\":\"{errorType}\"", frames[^1], StringComparison.Ordinal);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("failed", record.GetProperty("status").GetString());
        Assert.StartsWith(reason, record.GetProperty("error").GetString());
        Assert.Equal("Echo: hi", Assert.Single(record.GetProperty("tool_usages").EnumerateArray()).GetProperty("result").GetString());
        Assert.Equal(11, record.GetProperty("token_usages")[0].GetProperty("input_tokens").GetInt64());
    }

    [Theory]
    [InlineData("drop", HttpStatusCode.BadGateway, "upstream_broken:", "api_error")]
    [InlineData("hang", HttpStatusCode.GatewayTimeout, "upstream_timeout:", "timeout_error")]
    public async Task Blocking_LaterTurnFails_GivesTheStatusInProviderShapeAndIsRecordedFailed(string afterTools, HttpStatusCode status, string reason,
        string errorType)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await ReadyKeyAsync("lena"));

        using var response = await client.SendAsync(Wire.Post("/anthropic/v1/messages", Body(stream: false), EchoThen(afterTools)), ct);

        Assert.Equal(status, response.StatusCode);
        BadInputTests.AssertProviderError(await response.Content.ReadAsStringAsync(ct), "anthropic", errorType);
        Assert.Equal(2, Upstream.Exchanges.Count);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("failed", record.GetProperty("status").GetString());
        Assert.StartsWith(reason, record.GetProperty("error").GetString());
    }
}
