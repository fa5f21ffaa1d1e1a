using System.Net;
using System.Text;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.MockUpstream;
using Bridgekeeper.Tools;

namespace Bridgekeeper.EndToEndTests.Mcp;

/// <summary>
/// The hidden loop against the real <c>@modelcontextprotocol/server-everything</c>, started by the tests over Streamable
/// HTTP (<c>everything</c>) and over SSE (<c>everything-sse</c>): the mock model calls its <c>echo</c> and <c>get-sum</c>
/// tools in one turn, the gateway runs both, and the client gets one answer.
/// </summary>
public sealed class McpRealServerTests(EverythingServers everything) : IClassFixture<EverythingServers>, IAsyncLifetime
{
    private MockUpstreamServer Upstream { get; set; } = null!;
    private GatewayUnderTest Gateway { get; set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Upstream = await MockUpstreamServer.StartAsync(new MockUpstreamOptions(), TestContext.Current.CancellationToken);
        Gateway = await GatewayUnderTest.StartAsync(Upstream, s => s with
        {
            McpServers =
            [
                McpServerOptions.Create("BRIDGEKEEPER_MCP_0", "everything", everything.Streamable.Url.AbsoluteUri, "streamable-http", null, null, null, false),
                McpServerOptions.Create("BRIDGEKEEPER_MCP_1", "everything-sse", everything.Sse.Url.AbsoluteUri, "sse", null, "^(echo|get-sum)$", null, false),
            ],
            McpToolTimeout = TimeSpan.FromSeconds(10),
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
    }

    public static TheoryData<string, string, bool> Cases => new()
    {
        { "everything", "messages", true }, { "everything", "chat", false },
        { "everything-sse", "messages", true }, { "everything-sse", "chat", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task RealServer_EchoAndGetSum_RunHiddenAndTheClientGetsOneAnswer(string server, string api, bool stream)
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync("eve");
        var names = await McpWait.ToolsAsync(Gateway, key, n => n.Contains("bmcp_everything_get-sum") && n.Contains("bmcp_everything-sse_get-sum"));
        // The SSE server is filtered to two tools; the Streamable HTTP one injects all it lists, echo and get-sum among them.
        Assert.Equal(["bmcp_everything-sse_echo", "bmcp_everything-sse_get-sum"], names.Where(n => n.StartsWith("bmcp_everything-sse_", StringComparison.Ordinal)));
        Assert.Contains("bmcp_everything_echo", names);
        var serverUrl = server == "everything" ? everything.Streamable.Url.AbsoluteUri : everything.Sse.Url.AbsoluteUri;

        using var client = Gateway.CreateClient(key);
        var (path, body) = api == "chat"
            ? ("/openai/v1/chat/completions", """{"model":"gpt-4o","stream":false,"messages":[{"role":"user","content":"echo and add"}]}""")
            : ("/anthropic/v1/messages", """{"model":"claude-sonnet-4-5","max_tokens":256,"stream":true,"messages":[{"role":"user","content":"echo and add"}]}""");
        using var response = await client.SendAsync(Wire.Post(path, body, ("x-mock-scenario", "tool_call"),
            ("x-mock-tool", $$"""name=bmcp_{{server}}_echo;args={"message":"hi"} | name=bmcp_{{server}}_get-sum;args={"a":2,"b":3}""")),
            HttpCompletionOption.ResponseHeadersRead, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, Upstream.Exchanges.Count);
        Assert.Equal(names, Upstream.Exchanges[0].ToolNames);
        Assert.DoesNotContain("bmcp_", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.Equal("Tool said: Echo: hi | The sum of 2 and 3 is 5.", ClientText(api, stream, bytes));

        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("completed", record.GetProperty("status").GetString());
        var tools = record.GetProperty("tool_usages").EnumerateArray()
            .Select(t => (Tool: t.GetProperty("tool").GetString(), Injected: t.GetProperty("injected").GetBoolean(), Url: t.GetProperty("server_url").GetString(),
                Input: t.GetProperty("input").GetString(), Result: t.GetProperty("result").GetString(), Error: t.GetProperty("error").ValueKind))
            .OrderBy(t => t.Tool, StringComparer.Ordinal).ToList();
        Assert.Equal(
        [
            ($"bmcp_{server}_echo", true, serverUrl, """{"message":"hi"}""", "Echo: hi", JsonValueKind.Null),
            ($"bmcp_{server}_get-sum", true, serverUrl, """{"a":2,"b":3}""", "The sum of 2 and 3 is 5.", JsonValueKind.Null),
        ], tools);
    }

    private static string ClientText(string api, bool stream, byte[] bytes) => (api, stream) switch
    {
        ("chat", false) => Wire.Json(bytes).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!,
        ("messages", true) => string.Concat(Wire.DataObjects(bytes)
            .Where(e => e.GetProperty("type").GetString() == "content_block_delta" && e.GetProperty("delta").GetProperty("type").GetString() == "text_delta")
            .Select(e => e.GetProperty("delta").GetProperty("text").GetString())),
        _ => throw new ArgumentOutOfRangeException(nameof(api)),
    };
}
