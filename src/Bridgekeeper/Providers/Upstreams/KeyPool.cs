using System.Globalization;
using System.Net.Http.Headers;
using Bridgekeeper.Metrics;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Providers.Upstreams;

/// <summary>
/// The upstream keys of one provider instance, used in turn (round robin) for new requests. A key the upstream answered
/// with 429 is set aside for its <c>Retry-After</c> (seconds or an HTTP date; OpenAI's <c>retry-after-ms</c> too),
/// else <see cref="RateLimitedFor"/>; a key answered with 401 or 403 for its <c>Retry-After</c>, else
/// <see cref="RefusedFor"/> (a revoked key rarely comes back by itself, but one fixed at the provider is used again
/// without a restart). A set-aside never lasts longer than <see cref="MaxSetAside"/>. While every key is set aside,
/// the one that comes back soonest is used: the gateway never fails a request locally for want of a key, the
/// upstream answers it. A request already sent is never retried with another key; only later requests move on.
/// Keys are never logged: a key is named by its position in the pool and a hint of its last four characters.
/// </summary>
internal sealed partial class KeyPool
{
    public static readonly TimeSpan RateLimitedFor = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan RefusedFor = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan MaxSetAside = TimeSpan.FromHours(1);

    private readonly string _provider;
    private readonly PoolKey[] _keys;
    private readonly DateTimeOffset[] _asideUntil;   // DateTimeOffset.MinValue: in use
    private readonly TimeProvider _time;
    private readonly BridgekeeperMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private int _next;

    /// <param name="credentials">Per key, in pool order, the headers that authenticate the gateway with it.</param>
    public KeyPool(string provider, IReadOnlyList<(string Key, IReadOnlyList<KeyValuePair<string, string>> Headers)> credentials, TimeProvider time,
        BridgekeeperMetrics metrics, ILogger logger)
    {
        if (credentials.Count == 0)
            throw new ArgumentException("A key pool needs at least one key.", nameof(credentials));
        _provider = provider;
        _keys = [.. credentials.Select((c, i) => new PoolKey(i, Hint(c.Key), c.Headers))];
        _asideUntil = new DateTimeOffset[_keys.Length];
        Array.Fill(_asideUntil, DateTimeOffset.MinValue);
        _time = time;
        _metrics = metrics;
        _logger = logger;
        metrics.ObserveKeys(provider, Count);
    }

    public int Size => _keys.Length;

    /// <summary>The key for a new request: the next one in turn that is not set aside, else the one back soonest.</summary>
    public PoolKey Take()
    {
        var now = _time.GetUtcNow();
        PoolKey? back = null;
        PoolKey taken;
        lock (_lock)
        {
            var start = _next;
            var soonest = start % _keys.Length;
            for (var i = 0; ; i++)
            {
                if (i == _keys.Length)
                {
                    taken = _keys[soonest];   // every key is set aside: the upstream decides
                    _next = soonest + 1;
                    break;
                }
                var k = (start + i) % _keys.Length;
                if (_asideUntil[k] <= now)
                {
                    if (_asideUntil[k] != DateTimeOffset.MinValue)
                    {
                        _asideUntil[k] = DateTimeOffset.MinValue;
                        back = _keys[k];
                    }
                    taken = _keys[k];
                    _next = k + 1;
                    break;
                }
                if (_asideUntil[k] < _asideUntil[soonest])
                    soonest = k;
            }
        }
        if (back is not null)
            LogKeyBack(_provider, back.Index, back.Hint);
        return taken;
    }

    /// <summary>Looks at the upstream's answer to a request sent with <paramref name="key"/>: 429, 401 and 403 set the key aside.</summary>
    /// <param name="retryAfter">The answer's <c>Retry-After</c> header value, if any.</param>
    /// <param name="retryAfterMs">The answer's <c>retry-after-ms</c> header value (OpenAI), if any.</param>
    public void Report(PoolKey key, int status, string? retryAfter, string? retryAfterMs)
    {
        if (status is not (429 or 401 or 403))
            return;
        var now = _time.GetUtcNow();
        var wait = RetryAfter(retryAfter, retryAfterMs, now) ?? (status == 429 ? RateLimitedFor : RefusedFor);
        wait = wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxSetAside ? MaxSetAside : wait;
        var until = now + wait;
        lock (_lock)
        {
            if (_asideUntil[key.Index] >= until)
                return;   // already set aside at least as long (concurrent answers)
            _asideUntil[key.Index] = until;
        }
        var reason = status == 429 ? "rate_limited" : "refused";
        _metrics.KeySetAside(_provider, reason);
        LogKeySetAside(_provider, key.Index, key.Hint, status, wait.TotalSeconds);
    }

    /// <summary>Keys in use and keys set aside now (for the metrics).</summary>
    public (int Available, int SetAside) Count()
    {
        var now = _time.GetUtcNow();
        var aside = 0;
        lock (_lock)
        {
            foreach (var until in _asideUntil)
                aside += until > now ? 1 : 0;
        }
        return (_keys.Length - aside, aside);
    }

    /// <summary><c>retry-after-ms</c> (milliseconds), else <c>Retry-After</c> as seconds or an HTTP date; null when neither is given or readable.</summary>
    public static TimeSpan? RetryAfter(string? retryAfter, string? retryAfterMs, DateTimeOffset now)
    {
        if (double.TryParse(retryAfterMs, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var ms) && double.IsFinite(ms))
            return TimeSpan.FromMilliseconds(Math.Min(ms, MaxSetAside.TotalMilliseconds));
        if (!RetryConditionHeaderValue.TryParse(retryAfter, out var value))
            return null;
        return value.Delta ?? (value.Date is { } date ? date - now : null);
    }

    /// <summary>What a log may show of a key: its last four characters, and only when it is long enough that they give little away.</summary>
    public static string Hint(string key) => key.Length < 12 ? "…" : "…" + key[^4..];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Provider {Provider}: key {KeyIndex} ({KeyHint}) set aside for {Seconds:0} s after the upstream answered {Status}")]
    private partial void LogKeySetAside(string provider, int keyIndex, string keyHint, int status, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Provider {Provider}: key {KeyIndex} ({KeyHint}) is back in the pool")]
    private partial void LogKeyBack(string provider, int keyIndex, string keyHint);
}

/// <summary>One key of a <see cref="KeyPool"/>: its position, its hint for logs, and the headers that carry it (never printed).</summary>
internal sealed class PoolKey(int index, string hint, IReadOnlyList<KeyValuePair<string, string>> headers)
{
    public int Index => index;
    public string Hint => hint;
    public IReadOnlyList<KeyValuePair<string, string>> Headers => headers;

    public override string ToString() => $"key {index} ({hint})";
}
