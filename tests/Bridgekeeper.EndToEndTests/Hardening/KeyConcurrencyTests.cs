using System.Net;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests.Hardening;

/// <summary>One key may have only <c>max_concurrent_per_key</c> requests in flight; the next gets 429 in the provider's shape.</summary>
public sealed class KeyConcurrencyTests : GatewayTest
{
    private protected override Hosting.GatewaySettings Configure(Hosting.GatewaySettings settings) => settings with { MaxConcurrentPerKey = 2 };

    private const string Stream = """{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}""";

    [Theory]
    [InlineData("/openai/v1/chat/completions", "openai", "POST")]
    [InlineData("/anthropic/v1/messages", "anthropic", "POST")]
    [InlineData("/openai/v1/models", "openai", "GET")]
    public async Task KeyAtItsLimit_NextRequestGets429WithRetryAfter_OtherKeysAndLaterRequestsAreServed(string path, string shape, string method)
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync("olga");
        using var client = Gateway.CreateClient(key);
        var first = await client.SendAsync(Wire.Post("/anthropic/v1/messages", Stream, ("x-mock-scenario", "hang")), HttpCompletionOption.ResponseHeadersRead, ct);
        var second = await client.SendAsync(Wire.Post("/anthropic/v1/messages", Stream, ("x-mock-scenario", "hang")), HttpCompletionOption.ResponseHeadersRead, ct);

        using var refused = await SendAsync(client, method, path);
        using var other = await SendAsync(Gateway.CreateClient(await Gateway.CreateKeyAsync("olga")), method, path);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("1", Wire.Header(refused, "retry-after"));
        BadInputTests.AssertProviderError(await refused.Content.ReadAsStringAsync(ct), shape, "rate_limit_error");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        first.Dispose();
        await Gateway.WaitForEndedAsync(i => i.GetProperty("status").GetString() == "canceled");

        using var after = await SendAsync(client, method, path);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        second.Dispose();
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path) => method == "GET"
        ? client.GetAsync(path, TestContext.Current.CancellationToken)
        : client.SendAsync(Wire.Post(path, path.Contains("anthropic", StringComparison.Ordinal)
            ? """{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}"""
            : """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
}
