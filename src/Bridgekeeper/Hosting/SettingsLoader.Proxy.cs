using System.Net;
using Bridgekeeper.Providers;
using Bridgekeeper.Proxy;
using Bridgekeeper.Settings;
using YamlDotNet.RepresentationModel;

namespace Bridgekeeper.Hosting;

/// <summary>The forward proxy's settings (<c>proxy_*</c>, SPEC §2 and §8).</summary>
internal static partial class SettingsLoader
{
    /// <summary>The proxy's options, or null when <c>proxy_address</c> is unset (no proxy).</summary>
    /// <param name="hostsMap"><c>proxy_hosts</c> as a YAML map, when the YAML file gives it so (and nothing overrides it).</param>
    private static ProxyOptions? Proxy(Func<string, string?> get, YamlMappingNode? hostsMap, string httpAddress, IReadOnlyList<ProviderSettings> providers)
    {
        if (Blank(get("proxy_address")) is not { } address)
            return null;
        Address("proxy_address", address);
        if (string.Equals(address, httpAddress, StringComparison.OrdinalIgnoreCase) && !address.EndsWith(":0", StringComparison.Ordinal))
            throw new SettingsException("proxy_address", $"'{address}' is http_address too; give the proxy an address of its own.");
        var (caCert, caKey) = Pair("proxy_ca_cert", Blank(get("proxy_ca_cert")), "proxy_ca_key", Blank(get("proxy_ca_key")));
        var (tlsCert, tlsKey) = Pair("proxy_tls_cert", Blank(get("proxy_tls_cert")), "proxy_tls_key", Blank(get("proxy_tls_key")));
        var hosts = hostsMap is not null
            ? hostsMap.Children.Select(entry => ((entry.Key as YamlScalarNode)?.Value, (entry.Value as YamlScalarNode)?.Value))
            : (get("proxy_hosts") ?? ProxyOptions.DefaultHosts).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(entry => entry.Split('=', 2, StringSplitOptions.TrimEntries) is [var host, var provider] ? ((string?)host, (string?)provider) : (entry, null));
        return new ProxyOptions(address, ProxyHosts(hosts, providers), caCert, caKey, tlsCert, tlsKey,
            Bool("proxy_tunnels", get("proxy_tunnels")), TunnelAllow(get("proxy_tunnel_allow")),
            Duration("proxy_connect_timeout", get("proxy_connect_timeout"), positive: true),
            (int)Integer("proxy_max_tunnels", get("proxy_max_tunnels"), 1, 1_000_000));
    }

    /// <summary>Two settings that are given together or not at all (a certificate and its key).</summary>
    private static (string?, string?) Pair(string first, string? firstValue, string second, string? secondValue) =>
        (firstValue is null) == (secondValue is null) ? (firstValue, secondValue)
            : throw new SettingsException(firstValue is null ? first : second, $"must be set together with {(firstValue is null ? second : first)} (a certificate and its key).");

    private static Dictionary<string, string> ProxyHosts(IEnumerable<(string? Host, string? Provider)> entries, IReadOnlyList<ProviderSettings> providers)
    {
        var hosts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (host, provider) in entries)
        {
            var name = host?.Trim().TrimEnd('.').ToLowerInvariant();
            if (name is null || Uri.CheckHostName(name) != UriHostNameType.Dns || provider is null)
                throw new SettingsException("proxy_hosts", $"'{host}={provider}' is not host=provider (such as api.anthropic.com=anthropic).");
            if (!providers.Any(p => p.Name == provider))
                throw new SettingsException("proxy_hosts", $"maps {name} to '{provider}', which is not a provider instance (there are: {string.Join(", ", providers.Select(p => p.Name))}).");
            if (!hosts.TryAdd(name, provider))
                throw new SettingsException("proxy_hosts", $"maps {name} twice.");
        }
        return hosts;
    }

    /// <summary>Comma-separated networks (CIDR, or one address) blind tunnels may reach although they are special-use.</summary>
    private static List<IPNetwork> TunnelAllow(string? value)
    {
        var networks = new List<IPNetwork>();
        foreach (var entry in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(entry, out var network))
                networks.Add(network);
            else if (IPAddress.TryParse(entry, out var address))
                networks.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            else
                throw new SettingsException("proxy_tunnel_allow", $"'{entry}' is not a network (such as 10.20.0.0/16) or an address.");
        }
        return networks;
    }
}
