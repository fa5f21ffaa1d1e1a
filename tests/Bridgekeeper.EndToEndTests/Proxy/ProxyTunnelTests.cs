using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Hosting;

namespace Bridgekeeper.EndToEndTests.Proxy;

/// <summary>
/// Hosts the proxy does not decrypt: blind tunnels after the address checks, every special-use address refused with
/// 403, an unreachable host answered 502 at once, plain-HTTP proxy requests refused, tunnels turned off, and the
/// proxy's metrics. Loopback is opened by <c>proxy_tunnel_allow</c> only for 127.0.0.2, where a test's own echo server listens.
/// </summary>
public sealed class ProxyTunnelTests : GatewayTest
{
    private TcpListener? _echo;

    private protected override GatewaySettings Configure(GatewaySettings settings)
    {
        _echo = new TcpListener(IPAddress.Parse("127.0.0.2"), 0);
        _echo.Start();
        _ = EchoAsync(_echo);
        return settings with { Proxy = ProxyClients.Options(allow: [IPNetwork.Parse("127.0.0.2/32")], timeout: TimeSpan.FromMilliseconds(800)) };
    }

    private int EchoPort => ((IPEndPoint)_echo!.LocalEndpoint).Port;

    [Fact]
    public async Task OtherHost_GetsABlindTunnel_ThatRelaysBytesBothWays()
    {
        var ct = TestContext.Current.CancellationToken;
        using var answer = await ProxyClients.ConnectAsync(Gateway.ProxyUrl!, $"127.0.0.2:{EchoPort}", await Gateway.CreateKeyAsync("priya"));
        Assert.Equal(200, answer.Status);
        var sent = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("tunnel bytes, not HTTP ", 5000)));

        var reading = ReadAsync(answer.Connection, sent.Length, ct);
        await answer.Connection.WriteAsync(sent, ct);

        Assert.Equal(sent, await reading);
        var metrics = await MetricsAsync();
        Assert.Equal(1, Prometheus.Value(metrics, "bridgekeeper_proxy_connects_total", "outcome=\"tunnelled\""));
        Assert.Equal(1, Prometheus.Value(metrics, "bridgekeeper_proxy_tunnels_open", "kind=\"blind\""));
        Assert.Contains(Gateway.Logs.Lines, line => line.Contains($"priya tunnelled to 127.0.0.2:{EchoPort}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("localhost:{PORT}", "loopback")]
    [InlineData("127.0.0.3:443", "loopback")]
    [InlineData("[::1]:443", "loopback")]
    [InlineData("[::ffff:127.0.0.3]:443", "loopback")]
    [InlineData("10.1.2.3:443", "private")]
    [InlineData("172.16.0.1:443", "private")]
    [InlineData("192.168.1.1:443", "private")]
    [InlineData("100.64.0.1:443", "cgnat")]
    [InlineData("169.254.169.254:80", "metadata")]
    [InlineData("[fe80::1]:443", "link-local")]
    [InlineData("[fd00:ec2::254]:80", "metadata")]
    [InlineData("224.0.0.1:443", "multicast")]
    [InlineData("[ff02::1]:443", "multicast")]
    [InlineData("0.0.0.0:443", "this-network")]
    [InlineData("255.255.255.255:443", "broadcast")]
    public async Task SpecialUseAddress_Gets403_WithoutAConnection(string target, string reason)
    {
        using var answer = await ProxyClients.ConnectAsync(Gateway.ProxyUrl!, target.Replace("{PORT}", EchoPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            StringComparison.Ordinal), await Gateway.CreateKeyAsync("priya"));

        Assert.Equal(403, answer.Status);
        var error = JsonDocument.Parse(answer.Body).RootElement.GetProperty("error");
        Assert.Equal("tunnel_refused", error.GetProperty("code").GetString());
        Assert.Contains($"({reason})", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, Prometheus.Value(await MetricsAsync(), "bridgekeeper_proxy_connects_total", "outcome=\"refused\""));
    }

    [Theory]
    [InlineData("no-such-host.invalid:443")]
    [InlineData("127.0.0.2:9")]
    [InlineData("203.0.113.10:443")]
    public async Task UnreachableOrRefusedHost_Gets502WithinASecond(string target)
    {
        var key = await Gateway.CreateKeyAsync("priya");
        var clock = Stopwatch.StartNew();

        using var answer = await ProxyClients.ConnectAsync(Gateway.ProxyUrl!, target, key);

        if (target.StartsWith("203.", StringComparison.Ordinal))
        {
            Assert.Equal(403, answer.Status);   // documentation range: special-use, refused before any connect
            return;
        }
        Assert.Equal(502, answer.Status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"502 after {clock.Elapsed}");
        Assert.Equal("upstream_unreachable", JsonDocument.Parse(answer.Body).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task PlainHttpProxyRequest_IsRefused_NeverServedByTheGatewaysRoutes()
    {
        var key = await Gateway.CreateKeyAsync("priya");

        using var answer = await ProxyClients.SendHeadAsync(Gateway.ProxyUrl!,
            $"GET http://api.openai.com/v1/models HTTP/1.1\r\nHost: api.openai.com\r\nProxy-Authorization: {ProxyClients.Basic(key)}");

        Assert.Equal(403, answer.Status);
        Assert.Equal("plain_http_refused", JsonDocument.Parse(answer.Body).RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Empty(Upstream.Exchanges);
    }

    [Fact]
    public async Task PlainHttpThroughHttpClient_IsRefused()
    {
        using var client = ProxyClients.Through(Gateway, await Gateway.CreateKeyAsync("priya"), await ProxyClients.CaAsync(Gateway), HttpVersion.Version11);

        using var response = await client.GetAsync($"http://127.0.0.1:{Gateway.Url.Port}/healthz", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("CONNECT api.anthropic.com HTTP/1.1", 400)]
    [InlineData("CONNECT api.anthropic.com:99999 HTTP/1.1", 400)]
    [InlineData("CONNECT bad_host!:443 HTTP/1.1", 400)]
    [InlineData("CONNECT api.anthropic.com:443 HTTP/1.1\r\n folded: header", 400)]
    public async Task MalformedConnect_Gets400(string head, int status)
    {
        var key = await Gateway.CreateKeyAsync("priya");

        using var answer = await ProxyClients.SendHeadAsync(Gateway.ProxyUrl!, $"{head}\r\nProxy-Authorization: {ProxyClients.Basic(key)}");

        Assert.Equal(status, answer.Status);
    }

    [Fact]
    public async Task OversizedHead_Gets431()
    {
        using var answer = await ProxyClients.SendHeadAsync(Gateway.ProxyUrl!, "CONNECT api.anthropic.com:443 HTTP/1.1\r\nX-Padding: " + new string('a', 20_000));

        Assert.Equal(431, answer.Status);
    }

    private async Task<string> MetricsAsync()
    {
        using var client = Gateway.CreateClient(null);
        return await client.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
    }

    private static async Task<byte[]> ReadAsync(Stream stream, int count, CancellationToken ct)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, ct);
        return buffer;
    }

    private static async Task EchoAsync(TcpListener listener)
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync();
                _ = Task.Run(async () =>
                {
                    using (client)
                        await client.GetStream().CopyToAsync(client.GetStream());
                });
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
        }
    }

    public override async ValueTask DisposeAsync()
    {
        _echo?.Stop();
        await base.DisposeAsync();
    }
}

/// <summary>With <c>proxy_max_tunnels</c> reached, one more blind tunnel gets 503; once one closes, a new one is served.</summary>
public sealed class ProxyTunnelLimitTests : GatewayTest
{
    private TcpListener? _listener;

    private protected override GatewaySettings Configure(GatewaySettings settings)
    {
        _listener = new TcpListener(IPAddress.Parse("127.0.0.2"), 0);
        _listener.Start(16);
        return settings with { Proxy = ProxyClients.Options(allow: [IPNetwork.Parse("127.0.0.2/32")]) with { MaxTunnels = 1 } };
    }

    [Fact]
    public async Task BeyondTheLimit_Gets503_UntilATunnelCloses()
    {
        var key = await Gateway.CreateKeyAsync("priya");
        var target = $"127.0.0.2:{((IPEndPoint)_listener!.LocalEndpoint).Port}";
        var first = await ProxyClients.ConnectAsync(Gateway.ProxyUrl!, target, key);
        Assert.Equal(200, first.Status);

        using (var second = await ProxyClients.ConnectAsync(Gateway.ProxyUrl!, target, key))
        {
            Assert.Equal(503, second.Status);
            Assert.Equal(("1", "too_many_tunnels"), (second.Header("Retry-After"), JsonDocument.Parse(second.Body).RootElement.GetProperty("error").GetProperty("code").GetString()));
        }
        first.Dispose();

        using var scrape = Gateway.CreateClient(null);
        await Eventually.HoldsAsync(async () => Prometheus.Value(await scrape.GetStringAsync("/metrics", TestContext.Current.CancellationToken),
            "bridgekeeper_proxy_tunnels_open", "kind=\"blind\"") == 0, "the first tunnel closed");
        using var third = await ProxyClients.ConnectAsync(Gateway.ProxyUrl!, target, key);
        Assert.Equal(200, third.Status);
    }

    public override async ValueTask DisposeAsync()
    {
        _listener?.Stop();
        await base.DisposeAsync();
    }
}

/// <summary>With <c>proxy_tunnels</c> off, every host that is not decrypted gets 403.</summary>
public sealed class ProxyTunnelsOffTests : GatewayTest
{
    private protected override GatewaySettings Configure(GatewaySettings settings) => settings with { Proxy = ProxyClients.Options(tunnels: false) };

    [Fact]
    public async Task OtherHost_Gets403()
    {
        using var answer = await ProxyClients.ConnectAsync(Gateway.ProxyUrl!, "example.com:443", await Gateway.CreateKeyAsync("priya"));

        Assert.Equal(403, answer.Status);
        Assert.Contains("blind tunnels are turned off", answer.Body, StringComparison.Ordinal);
    }
}
