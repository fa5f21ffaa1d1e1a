using System.Net;
using System.Net.Sockets;
using System.Text;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Bridgekeeper.EndToEndTests.Hardening;

/// <summary>
/// All request bodies held at once are bounded in bytes (<c>request_buffer_bytes</c>), whoever sends them: past the
/// bound a request gets 503 with <c>Retry-After</c> in the provider's shape, and once bodies are let go it is served.
/// </summary>
public sealed class RequestBufferTests : GatewayTest
{
    private const int Mebibyte = 1024 * 1024;

    private protected override Hosting.GatewaySettings Configure(Hosting.GatewaySettings settings) =>
        settings with { RequestBufferBytes = 2 * Mebibyte, MaxConcurrentPerKey = 0 };

    [Theory]
    [InlineData("/openai/v1/chat/completions", "openai")]
    [InlineData("/anthropic/v1/messages", "anthropic")]
    [InlineData("/anthropic/v1/messages/count_tokens", "anthropic")]
    public async Task BodiesOverTheBuffer_Get503WithRetryAfter_UntilTheHeldOnesAreDone(string path, string shape)
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync("pia");
        var body = Body(path, Mebibyte + Mebibyte / 2);
        using var slow = new TcpClient();
        await slow.ConnectAsync(Gateway.Url.Host, Gateway.Url.Port, ct);
        var stream = slow.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nConnection: close\r\n"
            + $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n"), ct);
        await stream.WriteAsync(body.AsMemory(0, 1000), ct);
        var bodies = Gateway.App.App.Services.GetRequiredService<Interception.RequestBody>();
        await Eventually.HoldsAsync(() => bodies.Held >= body.Length, "the slow body is reserved");

        using var client = Gateway.CreateClient(key);
        using var refused = await client.SendAsync(Post(path, Body(path, Mebibyte)), ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("1", Wire.Header(refused, "retry-after"));
        BadInputTests.AssertProviderError(await refused.Content.ReadAsStringAsync(ct), shape, "overloaded_error");

        await stream.WriteAsync(body.AsMemory(1000), ct);
        using (var reader = new StreamReader(stream))
            Assert.StartsWith("HTTP/1.1 200", await reader.ReadLineAsync(ct), StringComparison.Ordinal);
        await Eventually.HoldsAsync(() => bodies.Held == 0, "every body is let go");
        using var served = await client.SendAsync(Post(path, Body(path, Mebibyte)), ct);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    private static byte[] Body(string path, int size)
    {
        var shell = path.Contains("anthropic", StringComparison.Ordinal)
            ? """{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"#"}]}"""
            : """{"model":"gpt-4o","messages":[{"role":"user","content":"#"}]}""";
        return Encoding.UTF8.GetBytes(shell.Replace("#", new string('b', size - shell.Length + 1), StringComparison.Ordinal));
    }

    private static HttpRequestMessage Post(string path, byte[] body) =>
        new(HttpMethod.Post, path) { Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } } };
}
