using System.Collections.Concurrent;
using System.Security.Cryptography;
using Bridgekeeper.Storage;
using Microsoft.AspNetCore.Http;

namespace Bridgekeeper.Auth;

/// <summary>
/// Resolves the Bridgekeeper key on a request (<c>Authorization: Bearer</c> or <c>X-Api-Key</c>) to a user.
/// Lookups are by SHA-256 hash and cached for a few seconds, so the hot path rarely touches the database;
/// the stored hash is still compared in constant time. Revocation through this process takes effect at once,
/// through another process within <see cref="CacheTtl"/>.
/// </summary>
internal sealed class KeyAuthenticator(UserStore users, TimeProvider time)
{
    public static readonly TimeSpan CacheTtl = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, CachedKey> _cache = new(StringComparer.Ordinal);

    /// <summary>The caller, or null when the key is missing, unknown, revoked or expired.</summary>
    public async ValueTask<GatewayUser?> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var presented = PresentedKey(request);
        if (presented is null)
            return null;
        var hash = ApiKey.Hash(presented);
        var cacheKey = Convert.ToHexString(hash);
        var now = time.GetUtcNow();
        if (!_cache.TryGetValue(cacheKey, out var cached) || cached.FetchedAt + CacheTtl < now)
        {
            var owner = await users.FindKeyAsync(hash, cancellationToken);
            cached = new CachedKey(owner, now);
            if (owner is not null)
            {
                if (_cache.Count > 100_000)
                    _cache.Clear();
                _cache[cacheKey] = cached;
            }
        }
        var key = cached.Owner;
        if (key is null || !CryptographicOperations.FixedTimeEquals(key.KeyHash, hash))
            return null;
        if (key.RevokedAt is not null || (key.ExpiresAt is { } expires && expires <= now))
            return null;
        return new GatewayUser(key.UserId, key.UserName, key.Role, key.KeyId);
    }

    /// <summary>Drops cached lookups so a revocation made in this process takes effect immediately.</summary>
    public void Invalidate() => _cache.Clear();

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

    private sealed record CachedKey(KeyOwner? Owner, DateTimeOffset FetchedAt);
}
