using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Hosting;
using Bridgekeeper.Proxy;

namespace Bridgekeeper.EndToEndTests.Proxy;

/// <summary>
/// The proxy's CA as the gateway makes and uses it: generated once beside the SQLite database (key mode 600, one log
/// line), the same CA after a restart, and the leaf a decrypted host presents (ECDSA P-256, the host as its SAN,
/// serverAuth, signed by that CA); the proxy's metrics for each outcome.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ProxyCaTests : GatewayTest
{
    private protected override GatewaySettings Configure(GatewaySettings settings) => settings with { Proxy = ProxyClients.Options() };

    [Fact]
    public async Task GeneratedCa_LivesBesideTheDatabase_KeyMode600_LoggedOnce_AndSurvivesARestart()
    {
        // PostgreSQL has no folder of its own: the CA is made in ./data, once for every gateway started from there.
        var folder = Gateway.IsPostgres ? Path.GetFullPath(ProxySetup.PostgresCaFolder) : Path.GetDirectoryName(Gateway.DatabasePath)!;
        var keyFile = Path.Combine(folder, ProxyCertificateAuthority.KeyFileName);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        var served = await ProxyClients.CaAsync(Gateway);
        Assert.Equal(X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(folder, ProxyCertificateAuthority.CertificateFileName))).Thumbprint, served.Thumbprint);
        if (Gateway.IsPostgres)
            return;
        Assert.Single(Gateway.Logs.Lines, line => line.Contains($"Generated the forward proxy's CA in {folder}", StringComparison.Ordinal));

        await using var again = await GatewayUnderTest.StartAsync(Upstream, s => s with { Database = Gateway.DatabasePath, Proxy = ProxyClients.Options() },
            adminKey: Gateway.AdminKey);

        Assert.Equal(served.Thumbprint, (await ProxyClients.CaAsync(again)).Thumbprint);
        Assert.DoesNotContain(again.Logs.Lines, line => line.Contains("Generated the forward proxy's CA", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DecryptedHost_PresentsAP256LeafForThatHost_SignedByTheCa()
    {
        var ca = await ProxyClients.CaAsync(Gateway);
        using var answer = await ProxyClients.ConnectAsync(Gateway.ProxyUrl!, "api.openai.com:443", await Gateway.CreateKeyAsync("priya"));
        await using var tls = await ProxyClients.TlsAsync(answer, "api.openai.com", ca, SslApplicationProtocol.Http2, SslApplicationProtocol.Http11);

        using var leaf = new X509Certificate2(tls.RemoteCertificate!);
        Assert.Equal(SslApplicationProtocol.Http2, tls.NegotiatedApplicationProtocol);
        Assert.Equal("api.openai.com", leaf.GetNameInfo(X509NameType.DnsName, forIssuer: false));
        Assert.Equal(ca.Subject, leaf.Issuer);
        using var key = leaf.GetECDsaPublicKey();
        Assert.Equal(256, key!.KeySize);
        Assert.Equal(ECCurve.NamedCurves.nistP256.Oid.Value, key.ExportParameters(false).Curve.Oid.Value);
        Assert.Contains(leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>(), oid => oid.Value == "1.3.6.1.5.5.7.3.1");
        Assert.True(leaf.NotAfter <= ca.NotAfter);
    }

    [Fact]
    public async Task Metrics_CountEachOutcome_AndTheConnectionsOpen()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync("priya");
        using (var refused = await ProxyClients.ConnectAsync(Gateway.ProxyUrl!, "api.anthropic.com:443", null))
            Assert.Equal(407, refused.Status);
        using (var local = await ProxyClients.ConnectAsync(Gateway.ProxyUrl!, "127.0.0.1:22", key))
            Assert.Equal(403, local.Status);
        using var client = ProxyClients.Through(Gateway, key, await ProxyClients.CaAsync(Gateway), HttpVersion.Version20);
        using (var response = await client.GetAsync("https://api.anthropic.com/v1/models", ct))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var scrape = Gateway.CreateClient(null);
        var metrics = await scrape.GetStringAsync("/metrics", ct);

        Assert.Equal(1, Prometheus.Value(metrics, "bridgekeeper_proxy_connects_total", "outcome=\"decrypted\""));
        Assert.Equal(2, Prometheus.Value(metrics, "bridgekeeper_proxy_connects_total", "outcome=\"failed_auth\""));   // WebProxy is not preemptive
        Assert.Equal(1, Prometheus.Value(metrics, "bridgekeeper_proxy_connects_total", "outcome=\"refused\""));
        Assert.Equal(1, Prometheus.Value(metrics, "bridgekeeper_proxy_tunnels_open", "kind=\"decrypted\""));   // the HttpClient's connection stays open
    }
}
