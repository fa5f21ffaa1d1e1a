using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using Bridgekeeper.Auth;
using Bridgekeeper.Metrics;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Proxy;

/// <summary>
/// The forward proxy (SPEC §8), a Kestrel connection middleware on the proxy listener, before Kestrel's TLS and HTTP
/// layers. It reads the head of the first request from the raw connection and authenticates it (the Bridgekeeper key in
/// <c>Proxy-Authorization</c>). A <c>CONNECT</c> to a decrypted host is answered <c>200</c> and handed on with the user
/// marked on the connection (<see cref="ProxiedConnection"/>): Kestrel's own TLS (a certificate for that host from
/// <see cref="TlsOptionsAsync"/>) and HTTP stacks then serve the decrypted requests through the gateway's normal routes.
/// A <c>CONNECT</c> to any other host gets a blind tunnel after the address checks (<see cref="TunnelDialer"/>), or 403.
/// Everything else is refused, and every refusal closes the connection.
/// </summary>
internal sealed partial class ForwardProxy(ProxyOptions options, ProxyCertificateAuthority authority, TunnelDialer dialer, KeyAuthenticator keys,
    BridgekeeperMetrics metrics, ILogger<ForwardProxy> logger)
{
    /// <summary>Longest a client may take to send the head of its first request.</summary>
    public static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(10);

    private static readonly List<SslApplicationProtocol> Protocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    /// <summary>Blind tunnels open (or being dialled) now.</summary>
    private int _tunnels;

    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        try
        {
            await ServeAsync(connection, next);
        }
        catch (OperationCanceledException) when (connection.ConnectionClosed.IsCancellationRequested)
        {
            // The client left while its key was checked or its tunnel dialled.
        }
    }

    private async Task ServeAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var output = connection.Transport.Output;
        var (head, refusal) = await ReadHeadAsync(connection);
        if (head is null)
        {
            if (refusal is not null)
                await RefuseAsync(output, refusal, connection.ConnectionClosed);
            return;
        }
        var remote = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        var key = ConnectHead.Key(head.ProxyAuthorization);
        var check = await keys.CheckAsync(key, remote, connection.ConnectionClosed);
        if (check.User is not { } user)
        {
            await RefuseAuthenticationAsync(output, check, connection.ConnectionClosed);
            return;
        }
        if (!head.IsConnect)
        {
            await RefuseAsync(output, ProxyRefusal.Forbidden("plain_http_refused",
                "This proxy only tunnels HTTPS (CONNECT host:443); plain-HTTP proxy requests are refused."), connection.ConnectionClosed);
            return;
        }
        if (!ConnectHead.TryAuthority(head.Target, out var host, out var port))
        {
            await RefuseAsync(output, ProxyRefusal.BadRequest($"'{Printable(head.Target)}' is not host:port."), connection.ConnectionClosed);
            return;
        }
        if (port == ProxyOptions.DecryptedPort && options.Hosts.TryGetValue(host, out var provider))
        {
            await DecryptAsync(connection, next, new ProxiedConnection(key!, host, provider), user);
            return;
        }
        if (!options.Tunnels)
        {
            await RefuseAsync(output, ProxyRefusal.Forbidden("tunnel_refused",
                $"{host} is not a provider host this gateway serves, and blind tunnels are turned off."), connection.ConnectionClosed);
            return;
        }
        await TunnelAsync(connection, host, port, user);
    }

    /// <summary>
    /// The server options for the TLS handshake on a decrypted connection: the certificate made for the host the
    /// <c>CONNECT</c> named, when the client's SNI names the same host; any other SNI (or none) fails the handshake.
    /// </summary>
    public ValueTask<SslServerAuthenticationOptions> TlsOptionsAsync(TlsHandshakeCallbackContext context)
    {
        var proxied = context.Connection.Features.Get<ProxiedConnection>()
            ?? throw new InvalidOperationException("A TLS handshake on the proxy listener without a CONNECT before it.");
        var sni = context.ClientHelloInfo.ServerName?.TrimEnd('.');
        if (!string.Equals(sni, proxied.Host, StringComparison.OrdinalIgnoreCase))
        {
            LogSniMismatch(proxied.Host, sni ?? "(none)");
            throw new AuthenticationRefusedException($"The TLS server name '{sni}' is not the CONNECT host '{proxied.Host}'.");
        }
        return ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = authority.ForHost(proxied.Host),
            ApplicationProtocols = Protocols,
        });
    }

    private async Task DecryptAsync(ConnectionContext connection, ConnectionDelegate next, ProxiedConnection proxied, GatewayUser user)
    {
        connection.Features.Set(proxied);
        // With TLS on the proxy listener itself, that outer TLS has set this feature, and Kestrel's TLS layer skips a
        // connection that already has it: cleared, the inner TLS (the provider host's) runs and sets its own.
        connection.Features.Set<ITlsConnectionFeature>(null);
        await ProxyAnswers.EstablishedAsync(connection.Transport.Output, connection.ConnectionClosed);
        metrics.ProxyConnected("decrypted");
        LogDecrypted(user.Name, proxied.Host, proxied.Provider);
        metrics.ProxyTunnelOpened("decrypted");
        try
        {
            await next(connection);
        }
        finally
        {
            metrics.ProxyTunnelClosed("decrypted");
        }
    }

    private async Task TunnelAsync(ConnectionContext connection, string host, int port, GatewayUser user)
    {
        var output = connection.Transport.Output;
        if (Interlocked.Increment(ref _tunnels) > options.MaxTunnels)
        {
            Interlocked.Decrement(ref _tunnels);
            LogTunnelsFull(user.Name, host, port, options.MaxTunnels);
            await RefuseAsync(output, new ProxyRefusal(503, "too_many_tunnels",
                $"The proxy has {options.MaxTunnels} blind tunnels open, its limit; retry shortly.", "failed"), connection.ConnectionClosed, ("Retry-After", "1"));
            return;
        }
        try
        {
            await DialAndRelayAsync(connection, host, port, user);
        }
        finally
        {
            Interlocked.Decrement(ref _tunnels);
        }
    }

    private async Task DialAndRelayAsync(ConnectionContext connection, string host, int port, GatewayUser user)
    {
        var output = connection.Transport.Output;
        var dialed = await dialer.DialAsync(host, port, connection.ConnectionClosed);
        switch (dialed)
        {
            case DialResult.Refused refused:
                LogTunnelRefused(user.Name, host, port, refused.Address, refused.Reason);
                await RefuseAsync(output, ProxyRefusal.Forbidden("tunnel_refused",
                    $"{host} is {refused.Address} ({refused.Reason}), an address this proxy does not tunnel to."), connection.ConnectionClosed);
                return;
            case DialResult.Failed failed:
                LogTunnelFailed(user.Name, host, port, failed.Detail);
                await RefuseAsync(output, ProxyRefusal.Unreachable($"{host}:{port} cannot be reached: {failed.Detail}"), connection.ConnectionClosed);
                return;
        }
        var connected = (DialResult.Connected)dialed;
        using var socket = connected.Socket;
        await ProxyAnswers.EstablishedAsync(output, connection.ConnectionClosed);
        metrics.ProxyConnected("tunnelled");
        LogTunnelled(user.Name, host, port, connected.Address);
        metrics.ProxyTunnelOpened("blind");
        try
        {
            await BlindTunnel.RelayAsync(connection.Transport, socket, connection.ConnectionClosed);
        }
        finally
        {
            metrics.ProxyTunnelClosed("blind");
        }
    }

    /// <summary>The head of the first request, or why there is none (null refusal: the client left or never sent one in time).</summary>
    private async Task<(ConnectHead? Head, ProxyRefusal? Refusal)> ReadHeadAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        timeout.CancelAfter(HeadTimeout);
        try
        {
            while (true)
            {
                var read = await input.ReadAsync(timeout.Token);
                var buffer = read.Buffer;
                var found = ConnectHead.TryFind(buffer, out var bytes, out var end);
                if ((found ? bytes.Length : buffer.Length) > ConnectHead.MaxBytes)
                {
                    input.AdvanceTo(buffer.End);
                    return (null, new ProxyRefusal(431, "head_too_large", $"The request head is larger than {ConnectHead.MaxBytes} bytes.", "bad_request"));
                }
                if (found)
                {
                    var head = ConnectHead.Parse(bytes, out var error);
                    input.AdvanceTo(end);   // the bytes after the head (a TLS ClientHello already sent) stay in the pipe for the next layer
                    return head is null ? (null, ProxyRefusal.BadRequest(error)) : (head, null);
                }
                if (read.IsCompleted)
                {
                    input.AdvanceTo(buffer.End);
                    metrics.ProxyConnected("bad_request");
                    return (null, null);
                }
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException)
        {
            metrics.ProxyConnected("bad_request");
            return (null, null);
        }
    }

    private Task RefuseAuthenticationAsync(PipeWriter output, KeyCheck check, CancellationToken cancellationToken) => check.Refusal switch
    {
        KeyRefusal.Throttled => RefuseAsync(output, new ProxyRefusal(429, "rate_limited",
            "Too many failed authentications from this address; retry later.", "failed_auth"), cancellationToken, ("Retry-After", check.RetryAfterSeconds)),
        KeyRefusal.Unavailable => RefuseAsync(output, new ProxyRefusal(503, "unavailable",
            "The gateway cannot verify keys right now; retry shortly.", "failed_auth"), cancellationToken, ("Retry-After", "5")),
        _ => RefuseAsync(output, new ProxyRefusal(407, "proxy_auth_required",
            "A valid Bridgekeeper key is required as the proxy password (HTTPS_PROXY=http://me:bk_...@host:port).", "failed_auth"),
            cancellationToken, ("Proxy-Authenticate", "Basic realm=\"Bridgekeeper\", charset=\"UTF-8\"")),
    };

    /// <summary>Counts the refusal under its outcome and writes it (a client that left meanwhile ends the connection quietly, in <see cref="OnConnectionAsync"/>).</summary>
    private async Task RefuseAsync(PipeWriter output, ProxyRefusal refusal, CancellationToken cancellationToken, params (string Name, string Value)[] headers)
    {
        metrics.ProxyConnected(refusal.Outcome);
        await ProxyAnswers.RefuseAsync(output, refusal, cancellationToken, headers);
    }

    /// <summary>A client's target as it may be echoed: printable ASCII, bounded.</summary>
    private static string Printable(string text) =>
        new([.. text.Take(200).Select(c => c is >= ' ' and <= '~' and not '\'' ? c : '?')]);

    /// <summary>Fails a TLS handshake whose server name is not the CONNECT host (Kestrel logs it and closes the connection).</summary>
    private sealed class AuthenticationRefusedException(string message) : System.Security.Authentication.AuthenticationException(message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Proxy: {User} decrypted for {Host} (provider {Provider})")]
    private partial void LogDecrypted(string user, string host, string provider);

    [LoggerMessage(Level = LogLevel.Information, Message = "Proxy: {User} tunnelled to {Host}:{Port} ({Address})")]
    private partial void LogTunnelled(string user, string host, int port, IPAddress address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Proxy: refused {User}'s tunnel to {Host}:{Port}: {Address} is {Reason}")]
    private partial void LogTunnelRefused(string user, string host, int port, IPAddress address, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Proxy: {User}'s tunnel to {Host}:{Port} failed: {Detail}")]
    private partial void LogTunnelFailed(string user, string host, int port, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Proxy: refused {User}'s tunnel to {Host}:{Port}: {Max} blind tunnels are open, the limit (proxy_max_tunnels)")]
    private partial void LogTunnelsFull(string user, string host, int port, int max);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Proxy: TLS server name {ServerName} is not the CONNECT host {Host}; handshake refused")]
    private partial void LogSniMismatch(string host, string serverName);
}
