using System.Text;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests;

public sealed class ChatCompletionsTests : GatewayTest
{
    private const string Path = "/openai/v1/chat/completions";


    private static string Body(bool stream, string extra = "") => $$$"""
        {"model":"gpt-4o-mini","stream":{{{(stream ? "true" : "false")}}},{{{extra}}}"messages":[
          {"role":"system","content":"You are terse."},
          {"role":"user","content":[{"type":"text","text":"What is"},{"type":"text","text":"2+2?"}]},
          {"role":"system","content":"<reminder>be nice</reminder>"}],
         "x_unknown_field":{"kept":[1,2.50,"é"]}}
        """;

    [Fact]
    public async Task Stream_ClientDidNotAskForUsage_RelaysUpstreamBytesWithoutUsageChunkAndRecordsExactTokens()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("alice"));

        using var response = await client.SendAsync(Wire.Post(Path, Body(stream: true),
            ("x-mock-usage", "input=100,output=20,cache_read=30,reasoning=5"), ("User-Agent", "opencode/1.2.3")), HttpCompletionOption.ResponseHeadersRead, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var exchange = Assert.Single(Upstream.Exchanges);
        var upstreamFrames = Wire.Frames(exchange.ResponseBody);
        var usageFrame = Assert.Single(upstreamFrames, f => f.Contains("\"choices\":[]", StringComparison.Ordinal));
        Assert.Equal(string.Concat(upstreamFrames.Where(f => f != usageFrame)), Encoding.UTF8.GetString(bytes));

        var sent = Wire.Json(exchange.RequestBody);
        Assert.True(sent.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.Equal("""{"kept":[1,2.50,"é"]}""", sent.GetProperty("x_unknown_field").GetRawText());

        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("completed", record.GetProperty("status").GetString());
        Assert.Equal("OpenCode", record.GetProperty("client").GetString());
        Assert.True(record.GetProperty("streaming").GetBoolean());
        Assert.Equal("gpt-4o-mini", record.GetProperty("model").GetString());
        Assert.Equal("What is\n2+2?", record.GetProperty("prompts")[0].GetProperty("prompt").GetString());
        var usage = Assert.Single(record.GetProperty("token_usages").EnumerateArray());
        Assert.Equal((100, 20, 30, 0, 5), Tokens(usage));
    }

    [Fact]
    public async Task Stream_ClientAskedForUsage_RelaysEveryUpstreamByte()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("alice"));

        using var response = await client.SendAsync(Wire.Post(Path, Body(true, "\"stream_options\":{\"include_usage\":true},"),
            ("x-mock-usage", "input=7,output=3")), HttpCompletionOption.ResponseHeadersRead, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);

        Assert.Equal(Assert.Single(Upstream.Exchanges).ResponseBody, bytes);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal((7, 3, 0, 0, 0), Tokens(record.GetProperty("token_usages")[0]));
    }

    [Fact]
    public async Task Stream_ToolCallArgumentsInPieces_RecordsWholeCall()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("alice"));

        using var response = await client.SendAsync(Wire.Post(Path, Body(true), ("x-mock-scenario", "tool_call"),
            ("x-mock-tool", """name=get_weather;args={"city":"Paris","days":3}""")), HttpCompletionOption.ResponseHeadersRead, ct);
        await response.Content.ReadAsByteArrayAsync(ct);

        var record = await Gateway.WaitForEndedAsync();
        var tool = Assert.Single(record.GetProperty("tool_usages").EnumerateArray());
        Assert.Equal("get_weather", tool.GetProperty("tool").GetString());
        Assert.Equal("""{"city":"Paris","days":3}""", tool.GetProperty("input").GetString());
        Assert.StartsWith("call_", tool.GetProperty("tool_call_id").GetString());
        Assert.False(tool.GetProperty("injected").GetBoolean());
    }

    [Fact]
    public async Task Blocking_RelaysBodyVerbatimAndRecordsTokensAndTools()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("alice"));

        using var response = await client.SendAsync(Wire.Post(Path, Body(false), ("x-mock-scenario", "tool_call"),
            ("x-mock-usage", "input=50,output=9,cache_read=20,reasoning=4")), ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);

        var exchange = Assert.Single(Upstream.Exchanges);
        Assert.Equal(exchange.ResponseBody, bytes);
        Assert.Equal(Encoding.UTF8.GetBytes(Body(false)), exchange.RequestBody);
        var record = await Gateway.WaitForEndedAsync();
        Assert.False(record.GetProperty("streaming").GetBoolean());
        Assert.Equal((50, 9, 20, 0, 4), Tokens(record.GetProperty("token_usages")[0]));
        Assert.Equal("get_weather", record.GetProperty("tool_usages")[0].GetProperty("tool").GetString());
    }

    internal static (long, long, long, long, long) Tokens(JsonElement usage) => (
        usage.GetProperty("input_tokens").GetInt64(), usage.GetProperty("output_tokens").GetInt64(),
        usage.GetProperty("cache_read_tokens").GetInt64(), usage.GetProperty("cache_write_tokens").GetInt64(),
        usage.GetProperty("reasoning_tokens").GetInt64());
}
