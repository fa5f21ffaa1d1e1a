using System.Net;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests.Mcp;

/// <summary>OpenAI allows 128 tools: a request whose own tools plus the 4 injected ones exceed that is refused, never forwarded.</summary>
public sealed class McpToolLimitTests : McpGatewayTest
{
    private static string Request(string api, int tools)
    {
        var declared = string.Join(',', Enumerable.Range(0, tools).Select(i => api == "chat"
            ? $$$$"""{"type":"function","function":{"name":"client_tool_{{{{i}}}}","parameters":{"type":"object"}}}"""
            : $$$"""{"type":"function","name":"client_tool_{{{i}}}","parameters":{"type":"object"}}"""));
        return api == "chat"
            ? $$"""{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"tools":[{{declared}}]}"""
            : $$"""{"model":"gpt-5","input":"hi","tools":[{{declared}}]}""";
    }

    private static string Path(string api) => api == "chat" ? "/openai/v1/chat/completions" : "/openai/v1/responses";

    [Theory]
    [InlineData("chat")]
    [InlineData("responses")]
    public async Task ToolLimit_127ClientToolsPlus4Injected_Is400NamingTheLimitAndNothingGoesUpstream(string api)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await ReadyKeyAsync("tim"));

        using var response = await client.SendAsync(Wire.Post(Path(api), Request(api, 127)), ct);
        var body = Wire.Json(await response.Content.ReadAsByteArrayAsync(ct));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        const string message = "The gateway injects 4 approved MCP tools, and with the request's 127 tools that exceeds the provider's limit of 128. Send at most 124 tools.";
        var error = body.GetProperty("error");
        Assert.Equal(message, error.GetProperty("message").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Empty(Upstream.Exchanges);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("failed", record.GetProperty("status").GetString());
        Assert.Equal($"too_many_tools: {message}", record.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("chat")]
    [InlineData("responses")]
    public async Task ToolLimit_124ClientToolsPlus4Injected_IsExactly128AndGoesThrough(string api)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await ReadyKeyAsync("tim"));

        using var response = await client.SendAsync(Wire.Post(Path(api), Request(api, 124)), ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var names = Assert.Single(Upstream.Exchanges).ToolNames;
        Assert.Equal(128, names.Count);
        Assert.Equal(["bmcp_test_add", "bmcp_test_echo", "bmcp_test_fail", "bmcp_test_hang", "client_tool_0"], names.Take(5));
    }
}
