using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bridgekeeper.Proxy;
using Bridgekeeper.Settings;
using Bridgekeeper.Storage;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Hosting;

/// <summary>
/// What the forward proxy needs before the host is built, loaded at startup so a bad file is one clear line: its CA
/// (the operator's, or one generated once beside the database) and the certificate of TLS on the listener itself.
/// </summary>
/// <param name="GeneratedCa">Where the CA was generated on this start (it is logged once), or null.</param>
internal sealed record ProxySetup(ProxyOptions Options, ProxyCertificateAuthority Authority, string? GeneratedCa, X509Certificate2? ListenerCertificate)
{
    /// <summary>The folder a generated CA is kept in with a PostgreSQL database, which has no folder of its own.</summary>
    public const string PostgresCaFolder = "data";

    /// <exception cref="SettingsException">A CA or certificate file is missing, unreadable or unfit.</exception>
    public static ProxySetup? Load(GatewaySettings settings, Database database)
    {
        if (settings.Proxy is not { } options)
            return null;
        ProxyCertificateAuthority authority;
        string? generated = null;
        if (options.CaCertPath is { } cert)
            authority = ProxyCertificateAuthority.Load(cert, options.CaKeyPath!);
        else
        {
            var folder = database.Dialect == SqlDialect.Sqlite ? Path.GetDirectoryName(Path.GetFullPath(database.Description)) ?? "." : Path.GetFullPath(PostgresCaFolder);
            (authority, var created) = ProxyCertificateAuthority.LoadOrCreate(folder);
            if (created)
                generated = folder;
        }
        return new ProxySetup(options, authority, generated, options.TlsCertPath is { } tls ? ListenerCertificateFrom(tls, options.TlsKeyPath!) : null);
    }

    /// <summary>The proxy's services: the middleware and the dialer its blind tunnels use.</summary>
    public void Register(IServiceCollection services)
    {
        services.AddSingleton(this);
        services.AddSingleton(Options);
        services.AddSingleton(Authority);
        services.AddSingleton(new TunnelDialer(Options.AllowedNetworks, Options.Timeout));
        services.AddSingleton<ForwardProxy>();
    }

    /// <summary>
    /// The proxy listener's connection pipeline: TLS on the listener itself when configured (HTTP/1.1 only, as a
    /// CONNECT is), the <see cref="ForwardProxy"/>, then TLS with a certificate per decrypted host (h2 or HTTP/1.1) in
    /// front of Kestrel's HTTP stacks.
    /// </summary>
    public void Configure(ListenOptions listen)
    {
        listen.Protocols = HttpProtocols.Http1AndHttp2;
        if (ListenerCertificate is { } certificate)
        {
            var context = SslStreamCertificateContext.Create(certificate, null);
            listen.UseHttps(new TlsHandshakeCallbackOptions
            {
                OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = context,
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                }),
            });
        }
        listen.Use(next =>
        {
            var proxy = listen.ApplicationServices.GetRequiredService<ForwardProxy>();
            return connection => proxy.OnConnectionAsync(connection, next);
        });
        listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = context => listen.ApplicationServices.GetRequiredService<ForwardProxy>().TlsOptionsAsync(context),
        });
    }

    /// <summary>Logs, once, where a CA was generated and how clients come to trust it.</summary>
    public void LogStart(ILogger logger, Uri proxyUrl)
    {
        if (GeneratedCa is { } folder)
            logger.LogInformation("Generated the forward proxy's CA in {Folder} (proxy-ca.pem, key proxy-ca.key mode 600); clients must trust proxy-ca.pem, also served at /api/v1/proxy/ca.pem. Replicas must share one CA: set proxy_ca_cert and proxy_ca_key",
                folder);
        logger.LogInformation("Forward proxy on {ProxyUrl} for {Hosts}; other hosts {Tunnels}", proxyUrl,
            string.Join(", ", Options.Hosts.Select(h => $"{h.Key} → {h.Value}")), Options.Tunnels ? "tunnelled blind" : "refused");
    }

    private static X509Certificate2 ListenerCertificateFrom(string certPath, string keyPath)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certPath, keyPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new SettingsException("proxy_tls_cert", $"cannot load the certificate '{certPath}' with its key '{keyPath}': {e.Message}");
        }
    }
}
