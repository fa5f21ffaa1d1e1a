using System.Net;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Hosting;

namespace Bridgekeeper.EndToEndTests;

/// <summary>
/// With <c>metrics_address</c> set, <c>/metrics</c> is served on that listener only, which serves nothing else; the
/// main listener answers <c>/metrics</c> with the fallback's 404, whatever the Host header says.
/// </summary>
public sealed class MetricsAddressTests : GatewayTest
{
    private const string NotFound = """{"error":{"code":"not_found","message":"No such route."}}""";

    private protected override GatewaySettings Configure(GatewaySettings settings) => settings with { MetricsAddress = "127.0.0.1:0" };

    [Fact]
    public async Task MetricsListener_ServesMetrics()
    {
        var ct = TestContext.Current.CancellationToken;
        using var metrics = new HttpClient { BaseAddress = Gateway.MetricsUrl };

        using var response = await metrics.GetAsync("/metrics", ct);
        var text = await response.Content.ReadAsStringAsync(ct);

        Assert.NotEqual(Gateway.Url.Port, Gateway.MetricsUrl!.Port);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches(@"(?m)^bridgekeeper_audit_queue_depth(\{[^}]*\})? \d", text);
    }

    [Theory]
    [InlineData("/metrics", false)]
    [InlineData("/METRICS", false)]
    [InlineData("/metrics/", false)]
    [InlineData("/metrics", true)]
    public async Task MainListener_Metrics_AnswersTheFallback404(string path, bool hostOfTheMetricsListener)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(key: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (hostOfTheMetricsListener)
            request.Headers.Host = $"127.0.0.1:{Gateway.MetricsUrl!.Port}";     // pretending to be the metrics listener changes nothing

        using var response = await client.SendAsync(request, ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(NotFound, await response.Content.ReadAsStringAsync(ct));
    }

    [Theory]
    [InlineData("GET", "/healthz")]
    [InlineData("GET", "/readyz")]
    [InlineData("GET", "/api/v1/me")]
    [InlineData("GET", "/openai/v1/models")]
    [InlineData("POST", "/anthropic/v1/messages")]
    [InlineData("GET", "/nowhere")]
    public async Task MetricsListener_AnyOtherRoute_AnswersTheFallback404EvenWithAValidKey(string method, string path)
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync("mia");
        using var metrics = new HttpClient { BaseAddress = Gateway.MetricsUrl };
        using var request = method == "POST"
            ? Wire.Post(path, """{"model":"claude-sonnet-4-5","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}""")
            : new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", key);

        using var response = await metrics.SendAsync(request, ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(NotFound, await response.Content.ReadAsStringAsync(ct));
        Assert.Empty(Upstream.Exchanges);
    }

    [Fact]
    public async Task MainListener_ServesEverythingElse()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("mia"));

        using var health = await client.GetAsync("/healthz", ct);
        using var me = await client.GetAsync("/api/v1/me", ct);
        using var models = await client.GetAsync("/openai/v1/models", ct);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK), (health.StatusCode, me.StatusCode, models.StatusCode));
    }

    [Fact]
    public async Task Unset_MetricsStayOnTheMainListener()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var gateway = await GatewayUnderTest.StartAsync(Upstream);

        using var response = await gateway.CreateClient(key: null).GetAsync("/metrics", ct);

        Assert.Null(gateway.MetricsUrl);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("bridgekeeper_audit_queue_depth", await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }
}
