using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Bridgekeeper.Hosting;

/// <summary>
/// The gateway's Kestrel listeners: the main one on <c>http_address</c>, when <c>metrics_address</c> is set one that
/// serves only <c>/metrics</c>, and when <c>proxy_address</c> is set the forward proxy's (<see cref="ProxySetup.Configure"/>). A host:port setting means what it meant as a URL: an IP literal listens there,
/// <c>localhost</c> on both loopbacks, anything else (<c>*</c>, a host name) on every address. Each listener is kept,
/// so the bound port is known after start even for port 0. Connections on the metrics listener are marked
/// (<see cref="IsMetricsConnection"/>), so the check is the socket a request came in on, not its Host header.
/// </summary>
internal sealed class GatewayListeners
{
    private Listener? _main;
    private Listener? _metrics;
    private Listener? _proxy;
    private bool _proxyTls;

    /// <summary>Whether <c>/metrics</c> has a listener of its own (and the main listener must not serve it).</summary>
    public bool SeparateMetrics => _metrics is not null;

    public void Configure(KestrelServerOptions kestrel, GatewaySettings settings, ProxySetup? proxy)
    {
        if (proxy is not null)
        {
            _proxy = Listen(kestrel, proxy.Options.Address, proxy.Configure);
            _proxyTls = proxy.ListenerCertificate is not null;
        }
        _main = Listen(kestrel, settings.HttpAddress, static _ => { });
        if (settings.MetricsAddress is { } metrics)
            _metrics = Listen(kestrel, metrics, static options => options.Use(next => connection =>
            {
                connection.Features.Set(MetricsConnection.Instance);
                return next(connection);
            }));
    }

    /// <summary>Where the main listener is bound (after start; port 0 resolved).</summary>
    public Uri MainUrl => (_main ?? throw new InvalidOperationException("The listeners are not configured.")).Url;

    /// <summary>Where <c>/metrics</c> is served when it has a listener of its own; null when it is on the main listener.</summary>
    public Uri? MetricsUrl => _metrics?.Url;

    /// <summary>Where the forward proxy listens (after start), as clients write it in <c>HTTPS_PROXY</c> (without credentials); null without a proxy.</summary>
    public Uri? ProxyUrl => _proxy is { } proxy ? new UriBuilder(proxy.Url) { Scheme = _proxyTls ? "https" : "http" }.Uri : null;

    /// <summary>True for a request that arrived on the metrics listener.</summary>
    public static bool IsMetricsConnection(HttpContext context) => context.Features.Get<MetricsConnection>() is not null;

    private static Listener Listen(KestrelServerOptions kestrel, string address, Action<ListenOptions> configure)
    {
        var colon = address.LastIndexOf(':');
        var host = address[..colon].Trim('[', ']');
        var port = int.Parse(address[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
        ListenOptions? options = null;
        void Keep(ListenOptions listen)
        {
            options = listen;
            configure(listen);
        }

        if (IPAddress.TryParse(host, out var ip))
            kestrel.Listen(ip, port, Keep);
        else if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
            kestrel.ListenLocalhost(port, Keep);
        else
            kestrel.ListenAnyIP(port, Keep);
        return new Listener(options!, ip is null && string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>One listener; its endpoint holds the bound port once Kestrel has started.</summary>
    private sealed record Listener(ListenOptions Options, bool Localhost)
    {
        public Uri Url
        {
            get
            {
                var endPoint = Options.IPEndPoint!;
                var host = Localhost ? "localhost"
                    : endPoint.Address.Equals(IPAddress.Any) || endPoint.Address.Equals(IPAddress.IPv6Any) ? "127.0.0.1"
                    : endPoint.Address.ToString();
                return new UriBuilder("http", host, endPoint.Port).Uri;
            }
        }
    }

    /// <summary>The connection feature that marks the metrics listener's connections.</summary>
    private sealed class MetricsConnection
    {
        public static readonly MetricsConnection Instance = new();
    }
}
