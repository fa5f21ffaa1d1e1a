using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Bridgekeeper.Metrics;
using Bridgekeeper.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Auth;

/// <summary>
/// Resolves the Bridgekeeper key on a request (<c>Authorization: Bearer</c> or <c>X-Api-Key</c>) to a user.
/// Lookups are by SHA-256 hash and cached; the stored hash is still compared in constant time. A cached answer older
/// than <see cref="CacheTtl"/> is still used (up to <see cref="MaxStale"/>) while one background lookup refreshes it, so
/// a request never waits on the database for a key seen recently; only a key not seen for <see cref="MaxStale"/> (or
/// never) is looked up on the request path. Revocation through this process takes effect at once, through another
/// process within <see cref="CacheTtl"/> plus one lookup.
/// <para>
/// Wrong keys cost bounded database work. A hash the database did not know is remembered briefly
/// (<see cref="UnknownKeys"/>), and failed authentications are counted per source (<see cref="AuthFailureLimiter"/>):
/// once a source has failed too often, a key that is not in the cache is answered <see cref="KeyRefusal.Throttled"/>
/// without a lookup, so a flood of random keys from one address costs at most the limit (plus the lookups already in
/// flight) per window. A cached valid key is still accepted from a throttled address, so users who share one address
/// with an attacker (a load balancer, a NAT) keep working.
/// </para>
/// </summary>
internal sealed partial class KeyAuthenticator(UserStore users, TimeProvider time, AuthFailureLimit failureLimit, BridgekeeperMetrics metrics,
    ILogger<KeyAuthenticator> logger) : IDisposable
{
    public static readonly TimeSpan CacheTtl = TimeSpan.FromSeconds(5);

    /// <summary>Past this age a cached answer is not used at all: the request waits for the database (and gets 503 if it is down).</summary>
    public static readonly TimeSpan MaxStale = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, CachedKey> _cache = new(StringComparer.Ordinal);
    private readonly UnknownKeys _unknown = new(time);
    private readonly AuthFailureLimiter _failures = new(failureLimit);

    /// <summary>
    /// Checks the key on <paramref name="http"/>'s request: the caller, or why there is none. A database failure is an
    /// answer (<see cref="KeyRefusal.Unavailable"/>, logged here), not an exception. Every route that needs a key calls this.
    /// On a connection the forward proxy decrypted, the key is the connection's (<see cref="ProxiedConnection"/>) and
    /// whatever the request carries itself is ignored.
    /// </summary>
    public ValueTask<KeyCheck> CheckAsync(HttpContext http) =>
        CheckAsync(http.Features.Get<ProxiedConnection>() is { } proxied ? proxied.Key : PresentedKey(http.Request), http.Connection.RemoteIpAddress,
            http.RequestAborted);

    /// <summary>
    /// Checks a key presented some other way than on a request (the forward proxy's <c>Proxy-Authorization</c>), from
    /// <paramref name="remote"/>; null is no key. Refusals are counted as for requests.
    /// </summary>
    public async ValueTask<KeyCheck> CheckAsync(string? presented, IPAddress? remote, CancellationToken cancellationToken)
    {
        KeyCheck check;
        try
        {
            check = await CheckKeyAsync(presented, remote, cancellationToken);
        }
        catch (System.Data.Common.DbException exception)
        {
            LogKeyLookupFailed(exception);
            check = KeyCheck.Unavailable;
        }
        if (check.Refusal is not KeyRefusal.None)
            metrics.AuthRefused(check.Refusal switch
            {
                KeyRefusal.Throttled => "throttled",
                KeyRefusal.Unavailable => "unavailable",
                _ => "invalid",
            });
        return check;
    }

    private async ValueTask<KeyCheck> CheckKeyAsync(string? presented, IPAddress? remote, CancellationToken cancellationToken)
    {
        if (presented is null)
            return KeyCheck.Invalid;
        var hash = ApiKey.Hash(presented);
        var cacheKey = Convert.ToHexString(hash);
        var now = time.GetUtcNow();
        var source = AuthFailureLimiter.Source(remote);
        if (!_cache.TryGetValue(cacheKey, out var cached) || cached.FetchedAt + MaxStale < now)
        {
            if (_failures.Throttled(source) is { } retryAfter)
                return KeyCheck.Throttled(retryAfter);
            if (_unknown.Contains(cacheKey))
                return Failed(source);
            var owner = await LookUpAsync(hash, cancellationToken);
            if (owner is null)
            {
                _unknown.Add(cacheKey);
                return Failed(source);
            }
            cached = new CachedKey(owner, now);
            if (_cache.Count > 100_000)
                _cache.Clear();
            _cache[cacheKey] = cached;
        }
        else if (cached.FetchedAt + CacheTtl < now && Interlocked.Exchange(ref cached.Refreshing, 1) == 0)
            _ = Task.Run(() => RefreshAsync(cacheKey, hash, cached), CancellationToken.None);   // Microsoft.Data.Sqlite runs "async" calls synchronously
        var key = cached.Owner;
        if (!CryptographicOperations.FixedTimeEquals(key.KeyHash, hash))
            return Failed(source);
        if (key.RevokedAt is not null || (key.ExpiresAt is { } expires && expires <= now))
            return Failed(source);
        return KeyCheck.Accepted(new GatewayUser(key.UserId, key.UserName, key.Role, key.KeyId));
    }

    private KeyCheck Failed(IPAddress source)
    {
        _failures.Failed(source);
        return KeyCheck.Invalid;
    }

    private Task<KeyOwner?> LookUpAsync(byte[] hash, CancellationToken cancellationToken)
    {
        metrics.KeyLookedUp();
        return users.FindKeyAsync(hash, cancellationToken);
    }

    /// <summary>
    /// Drops cached lookups, known and unknown, so a key revoked or created in this process is seen as such at once.
    /// </summary>
    public void Invalidate()
    {
        _cache.Clear();
        _unknown.Clear();
    }

    public void Dispose() => _failures.Dispose();

    /// <summary>The key the client presented, from either header form; null when none.</summary>
    public static string? PresentedKey(HttpRequest request)
    {
        var apiKey = request.Headers["x-api-key"].ToString();
        if (apiKey.Length > 0)
            return apiKey.Trim();
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return authorization["Bearer ".Length..].Trim();
        return null;
    }

    /// <summary>
    /// Looks a stale key up again off the request path. A key that is gone leaves the cache; a failed lookup leaves the
    /// stale answer in place for the next request to retry, until <see cref="MaxStale"/> makes a request wait (and
    /// report the database failure) itself.
    /// </summary>
    private async Task RefreshAsync(string cacheKey, byte[] hash, CachedKey stale)
    {
        try
        {
            var owner = await LookUpAsync(hash, CancellationToken.None);
            if (owner is null)
                _cache.TryRemove(new KeyValuePair<string, CachedKey>(cacheKey, stale));
            else
                _cache.TryUpdate(cacheKey, new CachedKey(owner, time.GetUtcNow()), stale);
        }
        catch (Exception exception) when (exception is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            Volatile.Write(ref stale.Refreshing, 0);
        }
    }

    private sealed class CachedKey(KeyOwner owner, DateTimeOffset fetchedAt)
    {
        public KeyOwner Owner { get; } = owner;
        public DateTimeOffset FetchedAt { get; } = fetchedAt;

        /// <summary>1 while a background lookup of this entry runs.</summary>
        public int Refreshing;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Key lookup failed; answering 503")]
    private partial void LogKeyLookupFailed(Exception exception);
}
