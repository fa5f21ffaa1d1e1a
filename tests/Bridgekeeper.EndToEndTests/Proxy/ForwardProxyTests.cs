using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Hosting;

namespace Bridgekeeper.EndToEndTests.Proxy;

/// <summary>
/// The forward proxy's decrypted hosts, through .NET's own proxy client (<see cref="WebProxy"/>: not preemptive, so
/// every connection first meets the 407): the three APIs blocking and streaming over HTTP/1.1 and HTTP/2, recorded
/// for the proxy user exactly as base-URL traffic plus <c>"via": "proxy"</c>, with the client's own credential
/// dropped; the proxy's refusals (407, SNI and Host mismatches, non-model paths, WebSocket upgrades).
/// </summary>
public sealed class ForwardProxyTests : GatewayTest
{
    private const string Chat = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi through the proxy"}]STREAM}""";
    private const string Responses = """{"model":"gpt-4o-mini","input":"hi through the proxy"STREAM}""";
    private const string Messages = """{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi through the proxy"}]STREAM}""";

    private protected override GatewaySettings Configure(GatewaySettings settings) => settings with { Proxy = ProxyClients.Options() };

    public static TheoryData<string, string, bool, string> Calls()
    {
        var data = new TheoryData<string, string, bool, string>();
        foreach (var version in new[] { "1.1", "2.0" })
            foreach (var stream in new[] { false, true })
            {
                data.Add("https://api.openai.com/v1/chat/completions", Chat, stream, version);
                data.Add("https://api.openai.com/v1/responses", Responses, stream, version);
                data.Add("https://api.anthropic.com/v1/messages", Messages, stream, version);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task ProviderHost_IsDecrypted_ServedByItsRoutes_AndRecordedForTheProxyUser(string url, string body, bool stream, string version)
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync("priya");
        using var client = ProxyClients.Through(Gateway, key, await ProxyClients.CaAsync(Gateway), Version.Parse(version));
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Version = Version.Parse(version),
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            // Chat streams ask for the usage chunk: without it the gateway leaves out the one the upstream sent, and the bytes differ by it.
            Content = new StringContent(body.Replace("STREAM", !stream ? "" : url.EndsWith("chat/completions", StringComparison.Ordinal)
                ? ""","stream":true,"stream_options":{"include_usage":true}""" : ""","stream":true""", StringComparison.Ordinal), Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer sk-placeholder-the-client-sends");
        request.Headers.TryAddWithoutValidation("x-api-key", "sk-ant-placeholder-the-client-sends");
        request.Headers.TryAddWithoutValidation("x-mock-usage", "input=21,output=13,cache_read=5");

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Version.Parse(version), response.Version);
        var exchange = Assert.Single(Upstream.Exchanges);
        Assert.Equal(exchange.ResponseBody, bytes);
        var anthropic = url.Contains("anthropic", StringComparison.Ordinal);
        Assert.Equal(anthropic ? GatewayUnderTest.AnthropicUpstreamKey : "Bearer " + GatewayUnderTest.OpenAIUpstreamKey,
            anthropic ? exchange.Headers["x-api-key"] : exchange.Headers["authorization"]);
        Assert.DoesNotContain(exchange.Headers.Values, v => v.Contains("placeholder", StringComparison.Ordinal) || v.Contains(key, StringComparison.Ordinal));
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal(("priya", anthropic ? "anthropic" : "openai", "completed", stream),
            (record.GetProperty("user").GetProperty("name").GetString(), record.GetProperty("provider").GetString(), record.GetProperty("status").GetString(),
                record.GetProperty("streaming").GetBoolean()));
        Assert.Equal((21, 13, 5, 0, 0), ChatCompletionsTests.Tokens(Assert.Single(record.GetProperty("token_usages").EnumerateArray())));
        Assert.Equal("proxy", record.GetProperty("metadata").GetProperty("via").GetString());
        Assert.Equal("hi through the proxy", record.GetProperty("prompts")[0].GetProperty("prompt").GetString());
    }

    [Fact]
    public async Task BaseUrlTraffic_IsNotMarkedAsProxied()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("priya"));
        using var response = await client.SendAsync(Wire.Post("/anthropic/v1/messages", Messages.Replace("STREAM", "", StringComparison.Ordinal)), ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = await Gateway.WaitForEndedAsync();
        Assert.False(record.GetProperty("metadata").TryGetProperty("via", out _));
    }

    [Fact]
    public async Task PassthroughRoute_OnADecryptedHost_IsForwardedWithTheGatewaysKey()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = ProxyClients.Through(Gateway, await Gateway.CreateKeyAsync("priya"), await ProxyClients.CaAsync(Gateway), HttpVersion.Version20);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.anthropic.com/v1/models");
        request.Headers.TryAddWithoutValidation("x-api-key", "sk-ant-placeholder");

        using var response = await client.SendAsync(request, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var exchange = Assert.Single(Upstream.Exchanges);
        Assert.Equal(("/anthropic/v1/models", GatewayUnderTest.AnthropicUpstreamKey), (exchange.Path, exchange.Headers["x-api-key"]));
    }

    [Theory]
    [InlineData("https://api.anthropic.com/api/claude_code/settings", "not_found_error")]
    [InlineData("https://api.anthropic.com/api/v1/interceptions", "not_found_error")]
    [InlineData("https://api.anthropic.com/openai/v1/chat/completions", "not_found_error")]
    [InlineData("https://api.openai.com/healthz", "not_found_error")]
    [InlineData("https://api.openai.com/api/v1/proxy/ca.pem", "not_found_error")]
    public async Task NonModelPath_OnADecryptedHost_Gets404InTheProvidersShape_AndIsNeverForwarded(string url, string type)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = ProxyClients.Through(Gateway, await Gateway.CreateKeyAsync("priya"), await ProxyClients.CaAsync(Gateway), HttpVersion.Version11);

        using var response = await client.GetAsync(url, ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = Wire.Json(await response.Content.ReadAsByteArrayAsync(ct));
        if (url.Contains("anthropic", StringComparison.Ordinal))
            Assert.Equal(("error", type), (error.GetProperty("type").GetString(), error.GetProperty("error").GetProperty("type").GetString()));
        else
            Assert.Equal(type, error.GetProperty("error").GetProperty("type").GetString());
        Assert.Empty(Upstream.Exchanges);
    }

    [Fact]
    public async Task WebSocketUpgrade_OnADecryptedHost_Gets426()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = ProxyClients.Through(Gateway, await Gateway.CreateKeyAsync("priya"), await ProxyClients.CaAsync(Gateway), HttpVersion.Version11);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.openai.com/v1/responses");
        request.Headers.TryAddWithoutValidation("Connection", "Upgrade");
        request.Headers.TryAddWithoutValidation("Upgrade", "websocket");
        request.Headers.TryAddWithoutValidation("Sec-WebSocket-Version", "13");
        request.Headers.TryAddWithoutValidation("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");

        using var response = await client.SendAsync(request, ct);

        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
        Assert.Empty(Upstream.Exchanges);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("bk_wrong_key_0000000000000000000000000")]
    public async Task Connect_WithoutAValidKey_Gets407WithProxyAuthenticate_AndTheConnectionCloses(string? key)
    {
        using var answer = await ProxyClients.ConnectAsync(Gateway.ProxyUrl!, "api.anthropic.com:443", key);

        Assert.Equal(407, answer.Status);
        Assert.StartsWith("Basic realm=\"Bridgekeeper\"", answer.Header("Proxy-Authenticate"), StringComparison.Ordinal);
        Assert.Equal("close", answer.Header("Connection"));
        Assert.Equal("proxy_auth_required", JsonDocument.Parse(answer.Body).RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(0, await answer.Connection.ReadAsync(new byte[1], TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task HttpClient_WithoutCredentials_FailsWithProxyAuthenticationRequired()
    {
        using var client = ProxyClients.Through(Gateway, null, await ProxyClients.CaAsync(Gateway), HttpVersion.Version11);

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("https://api.anthropic.com/v1/models", TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.ProxyAuthenticationRequired, failure.StatusCode);
        Assert.Empty(Upstream.Exchanges);
    }

    [Fact]
    public async Task KeyInTheUserName_WithAnEmptyPassword_IsAccepted()
    {
        var key = await Gateway.CreateKeyAsync("priya");
        using var answer = await ProxyClients.SendHeadAsync(Gateway.ProxyUrl!,
            $"CONNECT api.anthropic.com:443 HTTP/1.1\r\nProxy-Authorization: {ProxyClients.Basic("", key)}");

        Assert.Equal(200, answer.Status);
    }

    [Fact]
    public async Task TlsServerName_OtherThanTheConnectHost_FailsTheHandshake()
    {
        var ca = await ProxyClients.CaAsync(Gateway);
        using var answer = await ProxyClients.ConnectAsync(Gateway.ProxyUrl!, "api.anthropic.com:443", await Gateway.CreateKeyAsync("priya"));
        Assert.Equal(200, answer.Status);

        await Assert.ThrowsAnyAsync<Exception>(async () => await ProxyClients.TlsAsync(answer, "api.openai.com", ca));
        Assert.Contains(Gateway.Logs.Lines, line => line.Contains("TLS server name api.openai.com is not the CONNECT host api.anthropic.com", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HostHeader_OtherThanTheConnectHost_Gets421_AndIsNeverForwarded()
    {
        var ct = TestContext.Current.CancellationToken;
        var ca = await ProxyClients.CaAsync(Gateway);
        using var answer = await ProxyClients.ConnectAsync(Gateway.ProxyUrl!, "api.anthropic.com:443", await Gateway.CreateKeyAsync("priya"));
        await using var tls = await ProxyClients.TlsAsync(answer, "api.anthropic.com", ca);
        var body = Messages.Replace("STREAM", "", StringComparison.Ordinal);
        await tls.WriteAsync(Encoding.ASCII.GetBytes($"POST /v1/messages HTTP/1.1\r\nHost: api.openai.com\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}"), ct);
        var reader = new StreamReader(tls, Encoding.ASCII);

        var status = await reader.ReadLineAsync(ct);

        Assert.Equal("HTTP/1.1 421 Misdirected Request", status);
        Assert.Empty(Upstream.Exchanges);
    }

    [Fact]
    public async Task KeyRevoked_WhileItsConnectionStaysOpen_StopsWorkingOnIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync("priya");
        using var client = ProxyClients.Through(Gateway, key, await ProxyClients.CaAsync(Gateway), HttpVersion.Version20);
        using (var first = await client.GetAsync("https://api.anthropic.com/v1/models", ct))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await Gateway.RevokeKeysOfAsync("priya");

        using var second = await client.GetAsync("https://api.anthropic.com/v1/models", ct);

        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.Single(Upstream.Exchanges);
    }

    [Fact]
    public async Task CaCertificate_IsServedWithoutAKey_AtBothPaths_AndNeverTheKey()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(null);
        foreach (var path in ProxyRoutes.CaPaths)
        {
            using var response = await client.GetAsync(path, ct);
            var pem = await response.Content.ReadAsStringAsync(ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("-----BEGIN CERTIFICATE-----", pem, StringComparison.Ordinal);
            Assert.DoesNotContain("PRIVATE KEY", pem, StringComparison.Ordinal);
            using var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pem);
            Assert.Contains("Bridgekeeper", ca.Subject, StringComparison.Ordinal);
        }
    }
}
