using System.Collections.Concurrent;

namespace Bridgekeeper.Auth;

/// <summary>
/// Key hashes the database did not know, remembered for <see cref="Ttl"/> so a client repeating a wrong key costs one
/// lookup per <see cref="Ttl"/>, not one per request. Bounded: past <see cref="MaxEntries"/> it starts over (an entry
/// only saves a lookup, so losing them is safe). Staleness is harmless: a key is random, so a key created after it was
/// tried here (through the CLI of another process) can only be one somebody guessed; through this process's API,
/// <see cref="KeyAuthenticator.Invalidate"/> clears the list at once.
/// </summary>
internal sealed class UnknownKeys(TimeProvider time)
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);
    public const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

    /// <summary>Whether the database said it did not know <paramref name="keyHash"/> less than <see cref="Ttl"/> ago.</summary>
    public bool Contains(string keyHash)
    {
        if (!_seen.TryGetValue(keyHash, out var at))
            return false;
        if (at + Ttl > time.GetUtcNow())
            return true;
        _seen.TryRemove(new KeyValuePair<string, DateTimeOffset>(keyHash, at));
        return false;
    }

    public void Add(string keyHash)
    {
        if (_seen.Count >= MaxEntries)
            _seen.Clear();
        _seen[keyHash] = time.GetUtcNow();
    }

    public void Clear() => _seen.Clear();
}
