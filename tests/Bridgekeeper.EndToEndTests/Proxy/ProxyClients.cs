using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Proxy;

namespace Bridgekeeper.EndToEndTests.Proxy;

/// <summary>Clients of the forward proxy: .NET's own (<see cref="HttpClient"/> with a <see cref="WebProxy"/>) and raw CONNECTs.</summary>
internal static class ProxyClients
{
    public static readonly Dictionary<string, string> DefaultHosts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["api.anthropic.com"] = "anthropic",
        ["api.openai.com"] = "openai",
    };

    /// <summary>The proxy's CA as a client gets it: from the gateway, without a key.</summary>
    public static async Task<X509Certificate2> CaAsync(GatewayUnderTest gateway) => X509Certificate2.CreateFromPem(await CaPemAsync(gateway));

    /// <summary>The proxy's CA fetched as <see cref="CaAsync"/> does, saved as <c>ca.pem</c> in <paramref name="folder"/> for a client process to trust; its path.</summary>
    public static async Task<string> CaFileAsync(GatewayUnderTest gateway, string folder)
    {
        var path = Path.Combine(folder, "ca.pem");
        await File.WriteAllTextAsync(path, await CaPemAsync(gateway), TestContext.Current.CancellationToken);
        return path;
    }

    private static async Task<string> CaPemAsync(GatewayUnderTest gateway)
    {
        using var client = gateway.CreateClient(null);
        return await client.GetStringAsync("/api/v1/proxy/ca.pem", TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// An <see cref="HttpClient"/> that reaches https://api.anthropic.com and https://api.openai.com through the proxy
    /// with <paramref name="key"/> as the proxy password, trusting only the proxy's CA, at exactly <paramref name="version"/>.
    /// </summary>
    public static HttpClient Through(GatewayUnderTest gateway, string? key, X509Certificate2 ca, Version version)
    {
        var handler = new SocketsHttpHandler
        {
            Proxy = new WebProxy(gateway.ProxyUrl!) { Credentials = key is null ? null : new NetworkCredential("me", key) },
            UseProxy = true,
            SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = Trusting(ca) },
        };
        return new HttpClient(handler)
        {
            DefaultRequestVersion = version,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public static X509ChainPolicy Trusting(X509Certificate2 ca) => new()
    {
        TrustMode = X509ChainTrustMode.CustomRootTrust,
        CustomTrustStore = { ca },
        RevocationMode = X509RevocationMode.NoCheck,
    };

    /// <summary>The proxy's answer to a raw request head, and the connection after it (for a tunnel or TLS).</summary>
    internal sealed record RawAnswer(int Status, string Head, string Body, Stream Connection, TcpClient Client) : IDisposable
    {
        public string Header(string name) =>
            Head.Split("\r\n").Skip(1).Select(line => line.Split(':', 2)).FirstOrDefault(p => p.Length == 2 && p[0].Equals(name, StringComparison.OrdinalIgnoreCase))?[1].Trim() ?? "";

        public void Dispose()
        {
            Connection.Dispose();
            Client.Dispose();
        }
    }

    /// <summary>Basic credentials with <paramref name="key"/> as the password.</summary>
    public static string Basic(string key, string user = "me") => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{key}"));

    /// <summary>Sends <paramref name="head"/> (request line and headers, without the blank line) and reads the proxy's answer head and body.</summary>
    public static async Task<RawAnswer> SendHeadAsync(Uri proxy, string head)
    {
        var ct = TestContext.Current.CancellationToken;
        var tcp = new TcpClient();
        await tcp.ConnectAsync(proxy.Host, proxy.Port, ct);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head + "\r\n\r\n"), ct);
        var bytes = new List<byte>();
        var one = new byte[1];
        while (!EndsWithBlankLine(bytes) && await stream.ReadAsync(one, ct) == 1)
            bytes.Add(one[0]);
        var text = Encoding.ASCII.GetString([.. bytes]);
        var status = int.Parse(text.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var answer = new RawAnswer(status, text, "", stream, tcp);
        var length = answer.Header("Content-Length");
        if (length.Length == 0)
            return answer;
        var body = new byte[int.Parse(length, System.Globalization.CultureInfo.InvariantCulture)];
        await stream.ReadExactlyAsync(body, ct);
        return answer with { Body = Encoding.UTF8.GetString(body) };
    }

    public static Task<RawAnswer> ConnectAsync(Uri proxy, string target, string? key) =>
        SendHeadAsync(proxy, $"CONNECT {target} HTTP/1.1\r\nHost: {target}" + (key is null ? "" : $"\r\nProxy-Authorization: {Basic(key)}"));

    /// <summary>TLS over an established tunnel with <paramref name="serverName"/> as the SNI, trusting only the proxy's CA.</summary>
    public static async Task<SslStream> TlsAsync(RawAnswer tunnel, string serverName, X509Certificate2 ca, params SslApplicationProtocol[] protocols)
    {
        var tls = new SslStream(tunnel.Connection, leaveInnerStreamOpen: true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            CertificateChainPolicy = Trusting(ca),
            ApplicationProtocols = protocols.Length == 0 ? [SslApplicationProtocol.Http11] : [.. protocols],
        }, TestContext.Current.CancellationToken);
        return tls;
    }

    /// <summary>Settings with the proxy on a free loopback port.</summary>
    public static ProxyOptions Options(IReadOnlyList<IPNetwork>? allow = null, bool tunnels = true, TimeSpan? timeout = null) =>
        new("127.0.0.1:0", DefaultHosts, Tunnels: tunnels, TunnelAllow: allow, ConnectTimeout: timeout);

    private static bool EndsWithBlankLine(List<byte> bytes) =>
        bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n';
}
