using System.Net;

namespace Bridgekeeper.Proxy;

/// <summary>The forward proxy's settings (SPEC §2 and §8), validated by the settings loader.</summary>
/// <param name="Address">Where the proxy listens (host:port).</param>
/// <param name="Hosts">Decrypted hosts (lowercase) and the provider instance each maps to.</param>
/// <param name="CaCertPath">The CA's certificate (PEM) given by the operator; null with <paramref name="CaKeyPath"/>: a CA generated beside the database.</param>
/// <param name="CaKeyPath">The CA's private key (PEM).</param>
/// <param name="TlsCertPath">A certificate (PEM) for TLS on the proxy listener itself, so Basic credentials never cross the network in clear.</param>
/// <param name="TlsKeyPath">Its private key (PEM).</param>
/// <param name="Tunnels">Whether hosts not in <paramref name="Hosts"/> get a blind tunnel (after the address checks) or a 403.</param>
/// <param name="TunnelAllow">Networks a blind tunnel may reach even though they are special-use (loopback, private and so on).</param>
/// <param name="ConnectTimeout">Longest a blind tunnel's lookup and connect may take before the CONNECT gets 502.</param>
/// <param name="MaxTunnels">Blind tunnels open at once, all users together; a CONNECT beyond gets 503.</param>
internal sealed record ProxyOptions(
    string Address,
    IReadOnlyDictionary<string, string> Hosts,
    string? CaCertPath = null,
    string? CaKeyPath = null,
    string? TlsCertPath = null,
    string? TlsKeyPath = null,
    bool Tunnels = true,
    IReadOnlyList<IPNetwork>? TunnelAllow = null,
    TimeSpan? ConnectTimeout = null,
    int MaxTunnels = ProxyOptions.DefaultMaxTunnels)
{
    public const int DefaultMaxTunnels = 1024;

    public const string DefaultHosts = "api.anthropic.com=anthropic,api.openai.com=openai";

    /// <summary>The only port a decrypted host is decrypted on; a CONNECT to another port of it is a blind tunnel.</summary>
    public const int DecryptedPort = 443;

    public IReadOnlyList<IPNetwork> AllowedNetworks => TunnelAllow ?? [];

    public TimeSpan Timeout => ConnectTimeout ?? TimeSpan.FromSeconds(1);
}
