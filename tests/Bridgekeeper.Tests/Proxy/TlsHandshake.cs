using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Bridgekeeper.Proxy;

namespace Bridgekeeper.Tests.Proxy;

/// <summary>Checks of the proxy CA's certificates as a client sees them: chain building and a real TLS handshake.</summary>
internal static class TlsHandshake
{
    public const string Host = "api.anthropic.com";

    public static X509ChainPolicy TrustOnly(X509Certificate2 ca) => new()
    {
        TrustMode = X509ChainTrustMode.CustomRootTrust,
        CustomTrustStore = { ca },
        RevocationMode = X509RevocationMode.NoCheck,
    };

    public static X509Chain Chain(X509Certificate2 ca) => new() { ChainPolicy = TrustOnly(ca) };

    /// <summary>
    /// A TLS handshake over loopback between a server using <see cref="ProxyCertificateAuthority.ForHost"/> for
    /// <see cref="Host"/> (ALPN h2 and http/1.1) and a client that trusts only <paramref name="trusted"/>: the client
    /// stream when it succeeded (else null), and the policy errors the client saw.
    /// </summary>
    public static async Task<(SslStream? Client, SslPolicyErrors Errors)> HandshakeAsync(ProxyCertificateAuthority authority, string targetHost,
        X509Certificate2 trusted)
    {
        var ct = TestContext.Current.CancellationToken;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var clientSocket = new TcpClient();
        await clientSocket.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, ct);
        using var serverSocket = await listener.AcceptTcpClientAsync(ct);
        await using var server = new SslStream(serverSocket.GetStream());
        var client = new SslStream(clientSocket.GetStream());
        var errors = SslPolicyErrors.None;
        List<SslApplicationProtocol> protocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];
        var serving = server.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = authority.ForHost(Host),
            ApplicationProtocols = protocols,
        }, ct);
        try
        {
            await client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = targetHost,
                ApplicationProtocols = protocols,
                CertificateChainPolicy = TrustOnly(trusted),
                RemoteCertificateValidationCallback = (_, _, _, e) => (errors = e) == SslPolicyErrors.None,
            }, ct);
            await serving;
            return (client, errors);
        }
        catch (AuthenticationException)
        {
            await client.DisposeAsync();
            try
            {
                await serving;   // TLS 1.3: the server may finish before the client refuses its certificate
            }
            catch (Exception e) when (e is AuthenticationException or IOException)
            {
                // The client hung up on it.
            }
            return (null, errors);
        }
    }
}
