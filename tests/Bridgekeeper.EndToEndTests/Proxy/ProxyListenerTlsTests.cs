using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bridgekeeper.EndToEndTests.Clients;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Hosting;

namespace Bridgekeeper.EndToEndTests.Proxy;

/// <summary>
/// TLS on the proxy listener itself (<c>proxy_tls_cert</c>, <c>proxy_tls_key</c>), so the Basic credentials never cross
/// the network in clear: curl with <c>HTTPS_PROXY=https://…</c> runs TLS to the proxy, CONNECT inside it, and the
/// provider's TLS inside the tunnel.
/// </summary>
public sealed class ProxyListenerTlsTests : GatewayTest
{
    private readonly string _folder = Directory.CreateTempSubdirectory("bk-proxy-tls-").FullName;

    private string ListenerCert => Path.Combine(_folder, "listener.pem");

    private protected override GatewaySettings Configure(GatewaySettings settings)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=proxy.test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        File.WriteAllText(ListenerCert, certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_folder, "listener.key"), key.ExportPkcs8PrivateKeyPem());
        return settings with { Proxy = ProxyClients.Options() with { TlsCertPath = ListenerCert, TlsKeyPath = Path.Combine(_folder, "listener.key") } };
    }

    [Fact]
    public async Task Curl_OverTlsToTheProxy_IsDecryptedAndRecorded()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal("https", Gateway.ProxyUrl!.Scheme);
        var caFile = await ProxyClients.CaFileAsync(Gateway, _folder);
        var key = await Gateway.CreateKeyAsync("tls-user");

        var run = await ClientProcess.RunAsync("curl", ["-sS", "--fail-with-body", "-x", $"https://me:{key}@{Gateway.ProxyUrl.Authority}",
            "--proxy-cacert", ListenerCert, "--cacert", caFile, "-H", "content-type: application/json", "-H", "x-mock-usage: input=3,output=2",
            "--data-binary", """{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"tls proxy"}]}""",
            "https://api.anthropic.com/v1/messages"], new Dictionary<string, string>(), _folder, ct);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(Assert.Single(Upstream.Exchanges).ResponseBody, System.Text.Encoding.UTF8.GetBytes(run.Stdout));
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal(("tls-user", "proxy"), (record.GetProperty("user").GetProperty("name").GetString(), record.GetProperty("metadata").GetProperty("via").GetString()));
        Assert.Equal((3, 2, 0, 0, 0), ChatCompletionsTests.Tokens(Assert.Single(record.GetProperty("token_usages").EnumerateArray())));
    }

    [Fact]
    public async Task PlainConnect_OnTheTlsListener_IsNeverAnswered()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync("tls-user");

        var run = await ClientProcess.RunAsync("curl", ["-sS", "-x", $"http://me:{key}@{Gateway.ProxyUrl!.Authority}", "-k", "--max-time", "10",
            "https://api.anthropic.com/v1/models"], new Dictionary<string, string>(), _folder, ct);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Empty(Upstream.Exchanges);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
