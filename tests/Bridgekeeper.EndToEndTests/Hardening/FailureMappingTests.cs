using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests.Hardening;

/// <summary>
/// Every failure gets a clear error in the provider's shape with the right status (400 unreadable input, 502 a failed
/// upstream, 504 an idle timeout), never an empty 500; and its record says <c>failed</c> with the real reason, while
/// <c>canceled</c> only ever means the client left.
/// </summary>
public sealed class FailureMappingTests : GatewayTest
{
    private protected override Hosting.GatewaySettings Configure(Hosting.GatewaySettings settings) =>
        settings with { UpstreamIdleTimeout = TimeSpan.FromMilliseconds(600) };

    private static readonly (string Route, string Api)[] Routes =
        [("/openai/v1/chat/completions", "chat"), ("/openai/v1/responses", "responses"), ("/anthropic/v1/messages", "messages")];

    /// <summary>A request of the route's API with <paramref name="prompt"/> spliced in as raw JSON string content (quotes included).</summary>
    private static string Body(string api, string prompt, bool stream = false, string model = "\"m-1\"", string extra = "") => api switch
    {
        "chat" => $$"""{"model":{{model}},"stream":{{Flag(stream)}},{{extra}}"messages":[{"role":"user","content":{{prompt}}}]}""",
        "responses" => $$"""{"model":{{model}},"stream":{{Flag(stream)}},{{extra}}"input":[{"type":"message","role":"user","content":{{prompt}}}]}""",
        _ => $$"""{"model":{{model}},"max_tokens":64,"stream":{{Flag(stream)}},{{extra}}"messages":[{"role":"user","content":{{prompt}}}]}""",
    };

    private static string Flag(bool value) => value ? "true" : "false";

    private static string Shape(string api) => api == "messages" ? "anthropic" : "openai";

    public static TheoryData<string, string, string, string> UnreadableBodies()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var (route, api) in Routes)
        {
            data.Add(route, api, Body(api, "\"\\ud800\""), "surrogate");
            data.Add(route, api, Body(api, "\"ok \\udc00 then\""), "surrogate");
            data.Add(route, api, Body(api, "\"\\ud800\\u0041\""), "surrogate");
            data.Add(route, api, Body(api, "\"\\ud800\\ud800\""), "surrogate");
            data.Add(route, api, Body(api, "\"hi\"", model: "\"gpt\\udfff\""), "surrogate");
            data.Add(route, api, Body(api, "\"hi\"", extra: "\"\\ud801\":1,"), "surrogate");
            data.Add(route, api, Body(api, "\"hi\"", extra: "\"metadata\":{\"user_id\":\"\\udbff\"},"), "surrogate");
            data.Add(route, api, Body(api, "\"\\\\\\ud800\""), "surrogate");
            data.Add(route, api, Body(api, "\"bad \u00FF\u00FE bytes\""), "UTF-8");
            data.Add(route, api, Body(api, "\"hi\"", extra: "\"x\":\"\u00C0\u0080\","), "UTF-8");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(UnreadableBodies))]
    public async Task UnreadableText_Gives400InProviderShape_ReachesNoUpstream_AndIsRecordedFailed(string route, string api, string body, string reason)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("ivan"));
        // U+00FF and friends stand for raw bytes: Latin-1 keeps each as one byte, so "ÿþ" goes out as the invalid UTF-8 0xFF 0xFE.
        var bytes = reason == "UTF-8" ? Encoding.Latin1.GetBytes(body) : Encoding.UTF8.GetBytes(body);
        using var content = new ByteArrayContent(bytes) { Headers = { ContentType = new("application/json") } };

        using var response = await client.PostAsync(route, content, ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        BadInputTests.AssertProviderError(await response.Content.ReadAsStringAsync(ct), Shape(api), "invalid_request_error");
        Assert.Empty(Upstream.Exchanges);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("failed", record.GetProperty("status").GetString());
        Assert.StartsWith("invalid_request_error:", record.GetProperty("error").GetString());
        Assert.Contains(reason, record.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"\\ud83d\\ude00 ok\"", "😀 ok")]
    [InlineData("\"\\\\ud800 is how you write it\"", "\\ud800 is how you write it")]
    [InlineData("\"\\\\\\\\ud800\"", "\\\\ud800")]
    [InlineData("\"caf\\u00e9 \u00e9\"", "café é")]
    public async Task ValidEscapes_AreAcceptedAndTheirTextIsRecorded(string prompt, string recorded)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("ivan"));

        using var response = await client.SendAsync(Wire.Post("/openai/v1/chat/completions", Body("chat", prompt)), ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Encoding.UTF8.GetBytes(Body("chat", prompt)), Assert.Single(Upstream.Exchanges).RequestBody);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal(recorded, record.GetProperty("prompts")[0].GetProperty("prompt").GetString());
    }

    /// <summary>The mock's <c>drop</c> breaks the connection mid-body; <c>hang</c> goes silent after the headers.</summary>
    public static TheoryData<string, string, string, HttpStatusCode, string, string> BlockingFailures()
    {
        var data = new TheoryData<string, string, string, HttpStatusCode, string, string>();
        foreach (var (route, api) in Routes)
        {
            data.Add(route, api, "drop", HttpStatusCode.BadGateway, "api_error", "upstream_broken:");
            data.Add(route, api, "hang", HttpStatusCode.GatewayTimeout, "timeout_error", "upstream_timeout:");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(BlockingFailures))]
    public async Task UpstreamFailsABlockingBody_GivesItsStatusInProviderShapeAndIsRecordedFailedWithTheReason(
        string route, string api, string scenario, HttpStatusCode status, string errorType, string reason)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("ivan"));

        using var response = await client.SendAsync(Wire.Post(route, Body(api, "\"hi\""), ("x-mock-scenario", scenario)), ct);

        Assert.Equal(status, response.StatusCode);
        BadInputTests.AssertProviderError(await response.Content.ReadAsStringAsync(ct), Shape(api), errorType);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("failed", record.GetProperty("status").GetString());
        Assert.StartsWith(reason, record.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("/openai/v1/chat/completions", "chat", "data: {\"error\":{\"message\":\"The upstream connection failed mid-response.\"")]
    [InlineData("/openai/v1/responses", "responses", "event: error\ndata: {\"type\":\"error\"")]
    [InlineData("/anthropic/v1/messages", "messages", "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\"")]
    public async Task UpstreamDropsMidStream_EndsWithTheProvidersErrorEventAndIsRecordedFailed(string route, string api, string errorFrame)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("ivan"));

        using var response = await client.SendAsync(Wire.Post(route, Body(api, "\"hi\"", stream: true), ("x-mock-scenario", "drop"),
            ("x-mock-usage", "input=17,output=4")), HttpCompletionOption.ResponseHeadersRead, ct);
        var text = await response.Content.ReadAsStringAsync(ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var frames = Wire.Frames(Encoding.UTF8.GetBytes(text));
        Assert.StartsWith(errorFrame, frames[^1], StringComparison.Ordinal);
        var relayed = string.Concat(frames.SkipLast(1));
        Assert.NotEmpty(relayed);
        Assert.StartsWith(relayed, Encoding.UTF8.GetString(Assert.Single(Upstream.Exchanges).ResponseBody), StringComparison.Ordinal);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("failed", record.GetProperty("status").GetString());
        Assert.StartsWith("upstream_broken:", record.GetProperty("error").GetString());
        if (api == "messages")   // message_start carried the input figures before the drop: what is known is recorded
            Assert.Equal(17, Assert.Single(record.GetProperty("token_usages").EnumerateArray()).GetProperty("input_tokens").GetInt64());
    }

    [Fact]
    public async Task ClientLeavesWhileSendingTheBody_IsRecordedCanceledAndNothingReachesTheUpstream()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync("ivan");
        using (var socket = new TcpClient())
        {
            await socket.ConnectAsync(Gateway.Url.Host, Gateway.Url.Port, ct);
            var stream = socket.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /openai/v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
                + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"model\":\"m\",\"messages\":["), ct);
            await stream.FlushAsync(ct);
            await WaitForAdmittedAsync();
        }

        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("canceled", record.GetProperty("status").GetString());
        Assert.Equal("client disconnected while sending the request", record.GetProperty("error").GetString());
        Assert.Empty(Upstream.Exchanges);
    }

    /// <summary>Waits until the gateway has admitted the request (its audit queue counts it in flight).</summary>
    private Task WaitForAdmittedAsync()
    {
        var queue = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Recording.AuditQueue>(Gateway.App.App.Services);
        return Eventually.HoldsAsync(() => queue.InFlight == 1, "the request is admitted");
    }
}
