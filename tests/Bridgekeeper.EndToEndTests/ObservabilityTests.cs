using System.Diagnostics;
using System.Globalization;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.EndToEndTests.Mcp;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using static Bridgekeeper.EndToEndTests.Infrastructure.Prometheus;

namespace Bridgekeeper.EndToEndTests;

/// <summary>/metrics names, labels and counts; the overhead header; spans for a streaming request with an injected tool.</summary>
public sealed class ObservabilityTests : McpGatewayTest
{
    private const string Body = """{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task Metrics_CountInterceptionsTokensToolsAndQueue_AsSent()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await ReadyKeyAsync("pat"));
        for (var i = 0; i < 3; i++)
            (await client.SendAsync(Wire.Post("/anthropic/v1/messages", Body, ("x-mock-usage", "input=10,output=4,cache_read=2,cache_write=1")), ct)).Dispose();
        (await client.SendAsync(Wire.Post("/anthropic/v1/messages", Body, ("x-mock-scenario", "tool_call"),
            ("x-mock-tool", """name=bmcp_test_echo;args={"message":"m"}"""), ("x-mock-usage", "input=10,output=4")), ct)).Dispose();
        (await client.SendAsync(Wire.Post("/anthropic/v1/messages", Body, ("x-mock-scenario", "error_before")), ct)).Dispose();
        (await client.GetAsync("/anthropic/v1/models", ct)).Dispose();
        await Gateway.WaitForEndedAsync(expected: 5);

        var text = await Gateway.CreateClient(null).GetStringAsync("/metrics", ct);

        Assert.Equal(4, Value(text, "bridgekeeper_interceptions_total", "status=\"completed\"", "provider=\"anthropic\"", "dialect=\"anthropic-messages\"", "client=\"Unknown\"", "model=\"claude-sonnet-4-5\""));
        Assert.Equal(1, Value(text, "bridgekeeper_interceptions_total", "status=\"failed\""));
        Assert.Equal(50, Value(text, "bridgekeeper_tokens_total", "type=\"input\""));
        Assert.Equal(6, Value(text, "bridgekeeper_tokens_total", "type=\"cache_read\""));
        Assert.Equal(3, Value(text, "bridgekeeper_tokens_total", "type=\"cache_write\""));
        Assert.Equal(20, Value(text, "bridgekeeper_tokens_total", "type=\"output\""));
        Assert.Equal(1, Value(text, "bridgekeeper_injected_tool_calls_total", "server=\"test\"", "tool=\"echo\"", "status=\"ok\""));
        Assert.Equal(1, Value(text, "bridgekeeper_passthrough_requests_total", "provider=\"anthropic\"", "status=\"200\""));
        Assert.Equal(0, Value(text, "bridgekeeper_interceptions_in_flight", "provider=\"anthropic\""));
        Assert.Equal(5, Value(text, "bridgekeeper_interception_duration_seconds_count", "provider=\"anthropic\""));
        Assert.Equal(5, Value(text, "bridgekeeper_upstream_ttfb_seconds_count"));
        Assert.Equal(5, Value(text, "bridgekeeper_gateway_overhead_seconds_count"));
        Assert.True(Value(text, "bridgekeeper_audit_batches_total", "status=\"ok\"") >= 1);
        Assert.Matches(@"(?m)^bridgekeeper_audit_queue_depth(\{[^}]*\})? \d", text);
        Assert.Matches(@"(?m)^gen_ai_client_token_usage(_tokens)?_count\{", text);
        Assert.Matches(@"(?m)^gen_ai_client_operation_duration_seconds_count\{", text);
        Assert.Matches(@"(?m)^gen_ai_server_time_to_first_token_seconds_count\{", text);
        Assert.DoesNotContain("pat", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OverheadHeader_IsOnInterceptedResponses()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("pat"));

        using var response = await client.SendAsync(Wire.Post("/anthropic/v1/messages", Body), HttpCompletionOption.ResponseHeadersRead, ct);

        var overhead = double.Parse(Wire.Header(response, "x-bridgekeeper-overhead-ms"), CultureInfo.InvariantCulture);
        Assert.InRange(overhead, 0, 5_000);
    }

    [Fact]
    public async Task Traces_StreamingRequestWithInjectedTool_HasServerChatAndToolSpans()
    {
        var ct = TestContext.Current.CancellationToken;
        var spans = new List<Activity>();
        await using var gateway = await GatewayUnderTest.StartAsync(Upstream, s => Configure(s, Mcp),
            builder => builder.Services.AddOpenTelemetry().WithTracing(t => t.AddSource("Bridgekeeper").AddInMemoryExporter(spans)));
        var key = await gateway.CreateKeyAsync("tess");
        using var client = gateway.CreateClient(key);
        await McpWait.ToolsAsync(gateway, key, names => names.Contains("bmcp_test_echo"));

        (await client.SendAsync(Wire.Post("/anthropic/v1/messages", Body, ("x-mock-scenario", "tool_call"), ("X-Claude-Code-Session-Id", "sess-9"),
            ("x-mock-tool", """name=bmcp_test_echo;args={"message":"t"}"""), ("x-mock-usage", "input=10,output=4")), ct)).Dispose();
        await gateway.WaitForEndedAsync();

        // The activity source is process-wide and other tests run gateways in parallel: follow this request's trace only. The
        // server span is exported when the request's handler returns, a moment after its record ended, and after its
        // children; the exporter adds to the list on its own thread, so it is read by copies.
        Activity? server = null;
        await Eventually.HoldsAsync(() => (server = spans.ToArray().SingleOrDefault(s => s.Kind == ActivityKind.Server
            && (string?)s.GetTagItem("gen_ai.conversation.id") == "sess-9")) is not null, "the request's server span exported");
        spans = [.. spans.ToArray().Where(s => s.TraceId == server!.TraceId)];
        var chats = spans.Where(s => s.DisplayName == "chat claude-sonnet-4-5").ToList();
        Assert.Equal(2, chats.Count);
        Assert.All(chats, c => Assert.Equal((ActivityKind.Client, server!.TraceId, "anthropic", 10L, 4L),
            (c.Kind, c.TraceId, c.GetTagItem("gen_ai.provider.name"), c.GetTagItem("gen_ai.usage.input_tokens"), c.GetTagItem("gen_ai.usage.output_tokens"))));
        Assert.StartsWith("msg_", (string)chats[0].GetTagItem("gen_ai.response.id")!);
        var tool = Assert.Single(spans, s => s.DisplayName == "execute_tool bmcp_test_echo");
        Assert.Equal(server!.TraceId, tool.TraceId);
        Assert.DoesNotContain(spans.SelectMany(s => s.Tags), t => t.Value?.Contains("\"message\"", StringComparison.Ordinal) == true);
    }
}
