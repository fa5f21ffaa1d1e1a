using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;

namespace Bridgekeeper.Auth;

/// <summary>
/// Counts failed authentications per source (the remote address; IPv6 by its /64, since one host holds a whole /64)
/// in a fixed window that starts at the source's first failure. A source that has used its
/// <see cref="AuthFailureLimit.PerWindow"/> failures is throttled until its window ends. Built on
/// <see cref="PartitionedRateLimiter"/>: one small limiter per source, dropped by the library about 10 s after its
/// window has refilled, so memory follows the sources seen in the last window and a little, not all sources ever seen.
/// The window runs on the library's own clock (<see cref="System.Diagnostics.Stopwatch"/>), not on a
/// <see cref="TimeProvider"/>; tests choose the window instead.
/// </summary>
internal sealed class AuthFailureLimiter : IDisposable
{
    private readonly AuthFailureLimit _limit;
    private readonly PartitionedRateLimiter<IPAddress>? _limiter;

    public AuthFailureLimiter(AuthFailureLimit limit)
    {
        _limit = limit;
        if (!limit.Enabled)
            return;
        _limiter = PartitionedRateLimiter.Create<IPAddress, IPAddress>(source => RateLimitPartition.GetFixedWindowLimiter(source,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = limit.PerWindow, Window = limit.Window, QueueLimit = 0 }));
    }

    /// <summary>
    /// Null when <paramref name="source"/> may still fail; otherwise how long until its window ends (at most the
    /// window: the library reports the window length, an upper bound). Asking costs no failure.
    /// </summary>
    public TimeSpan? Throttled(IPAddress source)
    {
        if (_limiter is null)
            return null;
        using var lease = _limiter.AttemptAcquire(source, 0);
        if (lease.IsAcquired)
            return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : _limit.Window;
    }

    /// <summary>Counts one failed authentication of <paramref name="source"/>.</summary>
    public void Failed(IPAddress source)
    {
        if (_limiter is null)
            return;
        using var lease = _limiter.AttemptAcquire(source, 1);
    }

    /// <summary>
    /// The partition of a remote address: IPv4 (also when mapped into IPv6) as is, IPv6 by its /64 prefix, and an
    /// unknown address (a test host, a Unix socket) as one shared source.
    /// </summary>
    public static IPAddress Source(IPAddress? remote)
    {
        if (remote is null)
            return IPAddress.None;
        if (remote.IsIPv4MappedToIPv6)
            return remote.MapToIPv4();
        if (remote.AddressFamily != AddressFamily.InterNetworkV6)
            return remote;
        Span<byte> bytes = stackalloc byte[16];
        remote.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }

    public void Dispose() => _limiter?.Dispose();
}
