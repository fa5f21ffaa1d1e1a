using System.Net;
using System.Net.Http.Json;
using Bridgekeeper.Auth;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Hosting;
using static Bridgekeeper.EndToEndTests.Infrastructure.Prometheus;

namespace Bridgekeeper.EndToEndTests;

/// <summary>
/// A flood of wrong keys from one address costs the database at most <c>auth_failure_limit</c> key lookups a minute;
/// past it, keys the gateway has not cached get 429 with <c>Retry-After</c> in each route's error shape, while keys it
/// has cached keep working from the same address.
/// </summary>
public sealed class KeyFloodTests : GatewayTest
{
    private const int Limit = 10;
    private const string Chat = """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""";
    private const string Messages = """{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""";
    private const string ThrottledMessage = "Too many failed authentications from this address; retry later.";

    private protected override GatewaySettings Configure(GatewaySettings settings) => settings with { AuthFailureLimit = Limit };

    [Fact]
    public async Task Flood_ThousandRandomKeysOverEveryRouteKind_CostsTheLimitInLookupsThenAnswers429()
    {
        var ct = TestContext.Current.CancellationToken;
        using var alice = Gateway.CreateClient(await Gateway.CreateKeyAsync("alice"));
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/v1/me", ct)).StatusCode);     // one lookup, then cached

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 1000; i++)
        {
            using var client = Gateway.CreateClient(ApiKey.Generate().Key, asXApiKey: i % 2 == 0);
            using var response = (i % 4) switch
            {
                0 => await client.SendAsync(Wire.Post("/openai/v1/chat/completions", Chat), ct),
                1 => await client.SendAsync(Wire.Post("/anthropic/v1/messages", Messages), ct),
                2 => await client.GetAsync("/openai/v1/models", ct),
                _ => await client.GetAsync("/api/v1/me", ct),
            };
            statuses.Add(response.StatusCode);
        }
        var metrics = await Gateway.CreateClient(null).GetStringAsync("/metrics", ct);

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, Limit), statuses.Take(Limit));
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 1000 - Limit), statuses.Skip(Limit));
        Assert.Equal(1 + Limit, Value(metrics, "bridgekeeper_key_lookups_total"));
        Assert.Equal(Limit, Value(metrics, "bridgekeeper_auth_refusals_total", "reason=\"invalid\""));
        Assert.Equal(1000 - Limit, Value(metrics, "bridgekeeper_auth_refusals_total", "reason=\"throttled\""));
        Assert.Empty(Upstream.Exchanges);
    }

    [Theory]
    [InlineData("POST", "/openai/v1/chat/completions", false, """{"error":{"message":"MSG","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}}""")]
    [InlineData("POST", "/openai/v1/responses", true, """{"error":{"message":"MSG","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}}""")]
    [InlineData("GET", "/openai/v1/models", false, """{"error":{"message":"MSG","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}}""")]
    [InlineData("POST", "/anthropic/v1/messages", true, """{"type":"error","error":{"type":"rate_limit_error","message":"MSG"}}""")]
    [InlineData("POST", "/api/v2/aibridge/anthropic/v1/messages", false, """{"type":"error","error":{"type":"rate_limit_error","message":"MSG"}}""")]
    [InlineData("POST", "/anthropic/v1/messages/count_tokens", true, """{"type":"error","error":{"type":"rate_limit_error","message":"MSG"}}""")]
    [InlineData("GET", "/api/v1/me", false, """{"error":{"code":"too_many_requests","message":"MSG"}}""")]
    [InlineData("GET", "/api/v1/interceptions", true, """{"error":{"code":"too_many_requests","message":"MSG"}}""")]
    public async Task Throttled_Route_Answers429InItsShapeWithRetryAfter(string method, string path, bool asXApiKey, string expected)
    {
        var ct = TestContext.Current.CancellationToken;
        await ExhaustAsync(ct);
        using var client = Gateway.CreateClient(ApiKey.Generate().Key, asXApiKey);

        using var response = await client.SendAsync(Request(method, path), ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("60", Wire.Header(response, "Retry-After"));
        Assert.Equal(expected.Replace("MSG", ThrottledMessage, StringComparison.Ordinal), await response.Content.ReadAsStringAsync(ct));
    }

    [Fact]
    public async Task Throttled_CachedValidKeyFromTheSameAddress_IsStillServedOnEveryRouteKind()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync("alice");
        using var bearer = Gateway.CreateClient(key);
        using var xApiKey = Gateway.CreateClient(key, asXApiKey: true);
        (await bearer.GetAsync("/api/v1/me", ct)).Dispose();
        await ExhaustAsync(ct);

        using var me = await bearer.GetAsync("/api/v1/me", ct);
        using var chat = await bearer.SendAsync(Wire.Post("/openai/v1/chat/completions", Chat), ct);
        using var messages = await xApiKey.SendAsync(Wire.Post("/anthropic/v1/messages", Messages, ("anthropic-version", "2023-06-01")), ct);
        using var models = await bearer.GetAsync("/openai/v1/models", ct);
        using var stranger = await Gateway.CreateClient(ApiKey.Generate().Key).GetAsync("/api/v1/me", ct);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK),
            (me.StatusCode, chat.StatusCode, messages.StatusCode, models.StatusCode));
        Assert.Equal("alice", (await me.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(ct)).GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.TooManyRequests, stranger.StatusCode);
    }

    [Fact]
    public async Task Throttled_ValidKeyNotYetCached_IsRefusedLikeAnyOther()
    {
        // The documented trade-off: a throttled address gets no lookups at all, so a user behind it whose key the
        // gateway has not seen in the last 30 s waits for the window like everyone there.
        var ct = TestContext.Current.CancellationToken;
        await ExhaustAsync(ct);
        using var bob = Gateway.CreateClient(await Gateway.CreateKeyAsync("bob"));

        using var response = await bob.GetAsync("/api/v1/me", ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("60", Wire.Header(response, "Retry-After"));
    }

    [Fact]
    public async Task KeyCreatedThroughTheApi_WorksAtOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        (await admin.PostAsync("/api/v1/users", JsonContent.Create(new { name = "erin", role = "member" }), ct)).EnsureSuccessStatusCode();
        using var created = await admin.PostAsync("/api/v1/users/erin/keys", JsonContent.Create(new { label = "laptop" }), ct);
        var key = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(ct)).GetProperty("key").GetString();

        using var me = await Gateway.CreateClient(key).GetAsync("/api/v1/me", ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task LimitOff_WrongKeysAreAll401()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var gateway = await GatewayUnderTest.StartAsync(Upstream, s => s with { AuthFailureLimit = 0 });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3 * Limit; i++)
        {
            using var response = await gateway.CreateClient(ApiKey.Generate().Key).GetAsync("/api/v1/me", ct);
            statuses.Add(response.StatusCode);
        }
        var metrics = await gateway.CreateClient(null).GetStringAsync("/metrics", ct);

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 3 * Limit), statuses);
        Assert.Equal(3 * Limit, Value(metrics, "bridgekeeper_key_lookups_total"));
    }

    /// <summary>Uses up this address's failures: <see cref="Limit"/> wrong keys, each 401.</summary>
    private async Task ExhaustAsync(CancellationToken ct)
    {
        for (var i = 0; i < Limit; i++)
        {
            using var response = await Gateway.CreateClient(ApiKey.Generate().Key).GetAsync("/api/v1/me", ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    private static HttpRequestMessage Request(string method, string path) => method == "POST"
        ? Wire.Post(path, path.Contains("anthropic", StringComparison.Ordinal) ? Messages : Chat)
        : new HttpRequestMessage(HttpMethod.Get, path);
}
