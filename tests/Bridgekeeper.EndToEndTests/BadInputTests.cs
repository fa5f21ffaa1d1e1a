using System.Net;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests;

public sealed class BadInputTests : GatewayTest
{
    private protected override Hosting.GatewaySettings Configure(Hosting.GatewaySettings settings) =>
        settings with { MaxRequestBodyBytes = 64 * 1024 };

    private const string Chat = """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""";


    public static TheoryData<string, string> Providers => new()
    {
        { "/openai/v1/chat/completions", "openai" },
        { "/anthropic/v1/messages", "anthropic" },
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task MalformedJson_Gives400InProviderShapeAndReachesNoUpstream(string path, string shape)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("dave"));

        using var response = await client.SendAsync(Wire.Post(path, """{"model": "x", "messages": ["""), ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertProviderError(await response.Content.ReadAsStringAsync(ct), shape, "invalid_request_error");
        Assert.Empty(Upstream.Exchanges);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("failed", record.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("/openai/v1/chat/completions", "openai", """{"model":"gpt-4o","messages":"hi"}""")]
    [InlineData("/anthropic/v1/messages", "anthropic", """{"model":["claude"],"messages":[]}""")]
    [InlineData("/anthropic/v1/messages", "anthropic", """[{"model":"claude"}]""")]
    public async Task WrongShape_Gives400NamingTheFieldAndReachesNoUpstream(string path, string shape, string body)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("dave"));

        using var response = await client.SendAsync(Wire.Post(path, body), ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(ct);
        AssertProviderError(text, shape, "invalid_request_error");
        Assert.Matches("'(model|messages)'|JSON object", text);
        Assert.Empty(Upstream.Exchanges);
        Assert.Equal("failed", (await Gateway.WaitForEndedAsync()).GetProperty("status").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task BodyOverLimit_Gives413AndReachesNoUpstream(string path, string shape)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("dave"));
        var huge = $$"""{"model":"x","messages":[{"role":"user","content":"{{new string('a', 70 * 1024)}}"}]}""";

        using var response = await client.SendAsync(Wire.Post(path, huge), ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        AssertProviderError(await response.Content.ReadAsStringAsync(ct), shape, "request_too_large");
        Assert.Empty(Upstream.Exchanges);
    }

    [Theory]
    [InlineData("/openai/v1/chat/completions", "openai", "missing")]
    [InlineData("/openai/v1/chat/completions", "openai", "unknown")]
    [InlineData("/anthropic/v1/messages", "anthropic", "revoked")]
    [InlineData("/anthropic/v1/messages", "anthropic", "expired")]
    [InlineData("/openai/v1/models", "openai", "unknown")]
    [InlineData("/anthropic/v1/messages/count_tokens", "anthropic", "missing")]
    public async Task BadKey_Gives401InProviderShapeAndReachesNoUpstream(string path, string shape, string kind)
    {
        var ct = TestContext.Current.CancellationToken;
        string? key = kind switch
        {
            "missing" => null,
            "unknown" => "bk_" + new string('x', 43),
            "expired" => await Gateway.CreateKeyAsync("erin", expiresAt: DateTimeOffset.UtcNow.AddSeconds(-1)),
            _ => await Gateway.CreateKeyAsync("erin"),
        };
        if (kind == "revoked")
            await Gateway.RevokeKeysOfAsync("erin");
        using var client = Gateway.CreateClient(key, asXApiKey: shape == "anthropic");

        using var response = path.EndsWith("models", StringComparison.Ordinal)
            ? await client.GetAsync(path, ct)
            : await client.SendAsync(Wire.Post(path, Chat), ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        AssertProviderError(await response.Content.ReadAsStringAsync(ct), shape, "authentication_error");
        Assert.Empty(Upstream.Exchanges);
    }

    [Theory]
    [InlineData("/openai/v1/embeddings", "openai")]
    [InlineData("/anthropic/api/event_logging/batch", "anthropic")]
    [InlineData("/api/v2/aibridge/openai/v1/files", "openai")]
    public async Task UnlistedRoute_Gives404InProviderShapeAndReachesNoUpstream(string path, string shape)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("dave"));

        using var response = await client.SendAsync(Wire.Post(path, Chat), ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        AssertProviderError(await response.Content.ReadAsStringAsync(ct), shape, "not_found_error");
        Assert.Empty(Upstream.Exchanges);
    }

    internal static void AssertProviderError(string body, string shape, string type)
    {
        var json = JsonDocument.Parse(body).RootElement;
        if (shape == "anthropic")
        {
            Assert.Equal("error", json.GetProperty("type").GetString());
            Assert.Equal(type, json.GetProperty("error").GetProperty("type").GetString());
            Assert.False(string.IsNullOrEmpty(json.GetProperty("error").GetProperty("message").GetString()));
        }
        else
        {
            var error = json.GetProperty("error");
            Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
            Assert.True(error.TryGetProperty("type", out _));
            Assert.True(error.TryGetProperty("code", out _));
        }
    }
}
