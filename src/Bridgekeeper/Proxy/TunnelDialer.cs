using System.Net;
using System.Net.Sockets;

namespace Bridgekeeper.Proxy;

/// <summary>How a dial ended: a connected socket, a refused address, or a failure to resolve or connect.</summary>
internal abstract record DialResult
{
    private DialResult()
    {
    }

    /// <summary>Connected to <paramref name="Address"/>; the caller owns <paramref name="Socket"/>.</summary>
    public sealed record Connected(Socket Socket, IPAddress Address) : DialResult;

    /// <summary>The host is or resolves to <paramref name="Address"/>, which <see cref="SpecialAddresses"/> refuses for <paramref name="Reason"/>.</summary>
    public sealed record Refused(IPAddress Address, string Reason) : DialResult;

    /// <summary>The host did not resolve or no address took the connection in time; <paramref name="Detail"/> says which, for the log and the client.</summary>
    public sealed record Failed(string Detail) : DialResult;
}

/// <summary>
/// Opens the upstream side of a blind tunnel without letting a client reach what it should not (SSRF): the host is
/// resolved once, every address it resolves to is checked (DNS can mix a public address with a private one, and whoever
/// owns the name chooses them), and only those checked addresses are connected to, in order, never the name again; so a
/// second lookup cannot return something else. Resolving and connecting share one <c>timeout</c>. <c>resolve</c> is
/// <see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/> unless a test gives the answers.
/// </summary>
internal sealed class TunnelDialer(IReadOnlyList<IPNetwork> allowed, TimeSpan timeout,
    Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
{
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve = resolve ?? Dns.GetHostAddressesAsync;

    /// <summary>
    /// Dials <paramref name="host"/> (a name or an IP literal, IPv6 with or without brackets) on <paramref name="port"/>.
    /// Refusals and failures are results; only <paramref name="cancellationToken"/> throws.
    /// </summary>
    public async Task<DialResult> DialAsync(string host, int port, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        if (string.IsNullOrWhiteSpace(host))
            return new DialResult.Failed("no host");   // the resolver would answer with this machine's own addresses
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await _resolve(host, deadline.Token);
            if (addresses.Length == 0)
                return new DialResult.Failed($"'{host}' has no address");
            foreach (var address in addresses)
                if (SpecialAddresses.Refusal(address, allowed) is { } reason)
                    return new DialResult.Refused(address, reason);
            return await ConnectAsync(host, addresses, port, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new DialResult.Failed($"'{host}' port {port}: timed out after {timeout.TotalMilliseconds:0} ms");
        }
        catch (SocketException e)
        {
            return new DialResult.Failed($"cannot resolve '{host}': {Describe(e.SocketErrorCode)}");
        }
        catch (ArgumentException)   // from the resolver: too long, or not a name
        {
            return new DialResult.Failed($"'{host}' is not a host name");
        }
    }

    /// <summary>Connects to each address in turn until one takes the connection.</summary>
    private static async Task<DialResult> ConnectAsync(string host, IPAddress[] addresses, int port, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        foreach (var address in addresses)
        {
            var target = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(target, port), cancellationToken);
                return new DialResult.Connected(socket, address);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                failures.Add($"{address}: {Describe(e.SocketErrorCode)}");
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        return new DialResult.Failed($"'{host}' port {port}: {string.Join("; ", failures)}");
    }

    private static string Describe(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound => "no such host",
        SocketError.TryAgain => "name lookup failed for now",
        SocketError.NoData => "no address",
        SocketError.NetworkUnreachable => "network unreachable",
        SocketError.HostUnreachable => "host unreachable",
        SocketError.TimedOut => "timed out",
        _ => error.ToString(),
    };
}
