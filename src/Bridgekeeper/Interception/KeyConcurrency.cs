using System.Collections.Concurrent;
using Bridgekeeper.Providers;
using Microsoft.AspNetCore.Http;

namespace Bridgekeeper.Interception;

/// <summary>
/// Caps the requests one key has in flight on the provider routes (setting <c>max_concurrent_per_key</c>; 0 turns it
/// off), so one leaked or runaway key cannot hold the gateway's connections, memory and upstream quota. Over the cap a
/// request gets 429 in the provider's shape at once. Memory is one entry per key that has requests in flight.
/// </summary>
internal sealed class KeyConcurrency(int limit)
{
    private readonly ConcurrentDictionary<Guid, int> _inFlight = new();

    public Lease TryEnter(Guid keyId)
    {
        if (limit <= 0)
            return new Lease(null, keyId, entered: true);
        while (true)
        {
            if (!_inFlight.TryGetValue(keyId, out var count))
            {
                if (_inFlight.TryAdd(keyId, 1))
                    return new Lease(this, keyId, entered: true);
                continue;
            }
            if (count >= limit)
                return new Lease(null, keyId, entered: false);
            if (_inFlight.TryUpdate(keyId, count + 1, count))
                return new Lease(this, keyId, entered: true);
        }
    }

    /// <summary>Requests the key has in flight now (0 when none).</summary>
    public int InFlight(Guid keyId) => _inFlight.GetValueOrDefault(keyId);

    public Task RefuseAsync(HttpContext http, IApiDialect dialect)
    {
        http.Response.Headers.RetryAfter = "1";
        return GatewayErrors.WriteAsync(http.Response, dialect, GatewayError.RateLimited(
            $"This key already has {limit} requests in flight, the gateway's limit per key; retry when one has finished."), http.RequestAborted);
    }

    private void Exit(Guid keyId)
    {
        while (true)
        {
            var count = _inFlight[keyId];
            if (count <= 1 ? _inFlight.TryRemove(new KeyValuePair<Guid, int>(keyId, count)) : _inFlight.TryUpdate(keyId, count - 1, count))
                return;
        }
    }

    /// <summary>A place among a key's requests in flight, given back on dispose.</summary>
    internal readonly struct Lease(KeyConcurrency? owner, Guid keyId, bool entered) : IDisposable
    {
        public bool Entered => entered;

        public void Dispose() => owner?.Exit(keyId);
    }
}
