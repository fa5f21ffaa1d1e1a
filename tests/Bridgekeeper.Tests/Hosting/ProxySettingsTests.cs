using System.Collections;
using System.Net;
using Bridgekeeper.Hosting;
using Bridgekeeper.Settings;

namespace Bridgekeeper.Tests.Hosting;

/// <summary>The forward proxy's settings (<c>proxy_*</c>): defaults, the three sources, and refusals that name the setting.</summary>
public sealed class ProxySettingsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("bk-proxy-settings-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static GatewaySettings Load(Hashtable environment, string? yaml = null, params (string Key, string Value)[] flags) =>
        SettingsLoader.Load(flags.ToDictionary(f => f.Key, f => (string?)f.Value), environment, yaml);

    [Fact]
    public void NoProxyAddress_NoProxy()
    {
        Assert.Null(Load(new Hashtable()).Proxy);
        Assert.Null(Load(new Hashtable { ["BRIDGEKEEPER_PROXY_HOSTS"] = "x.example=openai" }).Proxy);
    }

    [Fact]
    public void ProxyAddress_GivesTheSpecDefaults()
    {
        var proxy = Load(new Hashtable { ["BRIDGEKEEPER_PROXY_ADDRESS"] = "0.0.0.0:8443" }).Proxy!;

        Assert.Equal("0.0.0.0:8443", proxy.Address);
        Assert.Equal(new Dictionary<string, string> { ["api.anthropic.com"] = "anthropic", ["api.openai.com"] = "openai" }, proxy.Hosts);
        Assert.True(proxy.Tunnels);
        Assert.Empty(proxy.AllowedNetworks);
        Assert.Equal(TimeSpan.FromSeconds(1), proxy.Timeout);
        Assert.Null(proxy.CaCertPath);
        Assert.Null(proxy.TlsCertPath);
    }

    [Fact]
    public void EverySetting_FromEnvironmentFlagsAndYaml()
    {
        var yaml = Path.Combine(_folder, "bk.yaml");
        File.WriteAllText(yaml, """
            proxy_hosts:
              API.Anthropic.com: anthropic
              api.business.githubcopilot.com: openai
            proxy_tunnel_allow: 10.20.0.0/16, 192.168.7.9
            """);
        var proxy = Load(new Hashtable
        {
            ["BRIDGEKEEPER_PROXY_ADDRESS"] = "127.0.0.1:8443",
            ["BRIDGEKEEPER_PROXY_CA_CERT"] = "/etc/bk/ca.pem",
            ["BRIDGEKEEPER_PROXY_CA_KEY"] = "/etc/bk/ca.key",
            ["BRIDGEKEEPER_PROXY_TLS_CERT"] = "/etc/bk/tls.pem",
            ["BRIDGEKEEPER_PROXY_TLS_KEY"] = "/etc/bk/tls.key",
        }, yaml, ("proxy_tunnels", "false"), ("proxy_connect_timeout", "250ms")).Proxy!;

        Assert.Equal(new Dictionary<string, string> { ["api.anthropic.com"] = "anthropic", ["api.business.githubcopilot.com"] = "openai" }, proxy.Hosts);
        Assert.Equal([IPNetwork.Parse("10.20.0.0/16"), IPNetwork.Parse("192.168.7.9/32")], proxy.AllowedNetworks);
        Assert.False(proxy.Tunnels);
        Assert.Equal(TimeSpan.FromMilliseconds(250), proxy.Timeout);
        Assert.Equal(("/etc/bk/ca.pem", "/etc/bk/ca.key", "/etc/bk/tls.pem", "/etc/bk/tls.key"), (proxy.CaCertPath, proxy.CaKeyPath, proxy.TlsCertPath, proxy.TlsKeyPath));
    }

    [Fact]
    public void HostsFromTheEnvironment_WinOverTheYamlMap()
    {
        var yaml = Path.Combine(_folder, "bk.yaml");
        File.WriteAllText(yaml, "proxy_hosts:\n  api.anthropic.com: anthropic\n");

        var proxy = Load(new Hashtable { ["BRIDGEKEEPER_PROXY_ADDRESS"] = "127.0.0.1:8443", ["BRIDGEKEEPER_PROXY_HOSTS"] = "api.openai.com=openai" }, yaml).Proxy!;

        Assert.Equal(new Dictionary<string, string> { ["api.openai.com"] = "openai" }, proxy.Hosts);
    }

    [Theory]
    [InlineData("BRIDGEKEEPER_PROXY_ADDRESS", "8443", "proxy_address")]
    [InlineData("BRIDGEKEEPER_PROXY_HOSTS", "api.anthropic.com=nobody", "proxy_hosts")]
    [InlineData("BRIDGEKEEPER_PROXY_HOSTS", "api.anthropic.com", "proxy_hosts")]
    [InlineData("BRIDGEKEEPER_PROXY_HOSTS", "10.0.0.1=openai", "proxy_hosts")]
    [InlineData("BRIDGEKEEPER_PROXY_HOSTS", "a.example=openai,A.example=anthropic", "proxy_hosts")]
    [InlineData("BRIDGEKEEPER_PROXY_CA_CERT", "/etc/bk/ca.pem", "proxy_ca_key")]
    [InlineData("BRIDGEKEEPER_PROXY_TLS_KEY", "/etc/bk/tls.key", "proxy_tls_cert")]
    [InlineData("BRIDGEKEEPER_PROXY_TUNNELS", "sometimes", "proxy_tunnels")]
    [InlineData("BRIDGEKEEPER_PROXY_TUNNEL_ALLOW", "10.0.0.0/40", "proxy_tunnel_allow")]
    [InlineData("BRIDGEKEEPER_PROXY_TUNNEL_ALLOW", "intranet", "proxy_tunnel_allow")]
    [InlineData("BRIDGEKEEPER_PROXY_CONNECT_TIMEOUT", "0", "proxy_connect_timeout")]
    [InlineData("BRIDGEKEEPER_HTTP_ADDRESS", "127.0.0.1:8443", "proxy_address")]
    public void BadValue_IsRefused_NamingTheSetting(string variable, string value, string setting)
    {
        var environment = new Hashtable { ["BRIDGEKEEPER_PROXY_ADDRESS"] = "127.0.0.1:8443" };
        environment[variable] = value;

        var refused = Assert.Throws<SettingsException>(() => Load(environment));

        Assert.Equal(setting, refused.Setting);
    }

    [Fact]
    public void ProxyHosts_MayMapToAnInstanceOfAnyType()
    {
        var proxy = Load(new Hashtable
        {
            ["BRIDGEKEEPER_PROXY_ADDRESS"] = "127.0.0.1:8443",
            ["BRIDGEKEEPER_PROVIDER_0_TYPE"] = "copilot",
            ["BRIDGEKEEPER_PROVIDER_0_NAME"] = "copilot",
            ["BRIDGEKEEPER_PROXY_HOSTS"] = "api.individual.githubcopilot.com=copilot",
        }).Proxy!;

        Assert.Equal("copilot", proxy.Hosts["api.individual.githubcopilot.com"]);
    }
}
