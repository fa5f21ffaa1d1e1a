using Bridgekeeper.Providers.Upstreams;
using Bridgekeeper.Tests.Testing;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;

namespace Bridgekeeper.Tests.Providers;

/// <summary>
/// The key pool on a fake clock: keys in turn, a key answered 429/401/403 skipped until its time is up (Retry-After
/// as seconds, as a date, as OpenAI's milliseconds, or the defaults), the soonest key when all are set aside, and
/// logs and metrics that never show a key.
/// </summary>
public sealed class KeyPoolTests : IDisposable
{
    private const string Key0 = "sk-test-key-zero-0000";
    private const string Key1 = "sk-test-key-one-11111";
    private const string Key2 = "sk-test-key-two-22222";

    private readonly ObservedTime _time = new();
    private readonly FakeLogger _logger = new();
    private readonly TestUpstreamServices _services;

    public KeyPoolTests() => _services = new TestUpstreamServices(_time);

    public void Dispose() => _services.Dispose();

    private KeyPool Pool(params string[] keys) =>
        new("openai", [.. keys.Select(k => (k, (IReadOnlyList<KeyValuePair<string, string>>)[new("Authorization", "Bearer " + k)]))], _time, _services.Metrics, _logger);

    private static int[] Take(KeyPool pool, int count) => [.. Enumerable.Range(0, count).Select(_ => pool.Take().Index)];

    [Fact]
    public void Take_ThreeKeys_UsesThemInTurn()
    {
        var pool = Pool(Key0, Key1, Key2);

        Assert.Equal([0, 1, 2, 0, 1, 2, 0], Take(pool, 7));
        Assert.Equal("Bearer " + Key1, pool.Take().Headers.Single().Value);
    }

    [Fact]
    public void Take_KeyRateLimitedWithRetryAfter_SkippedUntilItPassesWhileTheRestRotate()
    {
        var pool = Pool(Key0, Key1, Key2);
        var first = pool.Take();

        pool.Report(first, 429, "30", null);

        Assert.Equal([1, 2, 1, 2, 1], Take(pool, 5));
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal([2, 1, 2], Take(pool, 3));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([0, 1, 2, 0], Take(pool, 4));
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Message.Contains("key 0 (…0000) is back", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(429, null, null, 60)]              // no Retry-After: the rate-limit default
    [InlineData(401, null, null, 15 * 60)]         // a refused key: the longer default
    [InlineData(403, "120", null, 120)]            // Retry-After in seconds wins over the default
    [InlineData(429, "5", "2500", 2.5)]            // OpenAI's retry-after-ms wins over Retry-After
    [InlineData(429, "Fri, 01 May 2026 09:00:45 GMT", null, 45)]   // an HTTP date (the clock starts at 09:00:00)
    [InlineData(429, "86400", null, 3600)]         // never longer than an hour
    public void Report_SetAsideStatus_KeyComesBackAfterItsTime(int status, string? retryAfter, string? retryAfterMs, double seconds)
    {
        var pool = Pool(Key0, Key1);
        pool.Report(pool.Take(), status, retryAfter, retryAfterMs);

        _time.Advance(TimeSpan.FromSeconds(seconds) - TimeSpan.FromMilliseconds(1));
        Assert.Equal([1, 1], Take(pool, 2));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([0, 1], Take(pool, 2));
    }

    [Theory]
    [InlineData(200)]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(500)]
    [InlineData(529)]
    public void Report_OtherStatus_KeyStaysInTurn(int status)
    {
        var pool = Pool(Key0, Key1);
        pool.Report(pool.Take(), status, "30", null);

        Assert.Equal([1, 0, 1], Take(pool, 3));
    }

    [Fact]
    public void Take_EveryKeySetAside_UsesTheOneBackSoonest()
    {
        var pool = Pool(Key0, Key1, Key2);
        pool.Report(pool.Take(), 429, "50", null);
        pool.Report(pool.Take(), 429, "10", null);
        pool.Report(pool.Take(), 401, null, null);

        Assert.Equal([1, 1], Take(pool, 2));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal([1, 1], Take(pool, 2));
    }

    [Fact]
    public void Report_ShorterSetAsideWhileSetAside_KeepsTheLongerOne()
    {
        var pool = Pool(Key0, Key1);
        var first = pool.Take();
        pool.Report(first, 429, "60", null);
        pool.Report(first, 429, "5", null);

        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal([1, 1], Take(pool, 2));
    }

    [Fact]
    public void Report_SetAside_LogsIndexAndHintNeverTheKeyAndCounts()
    {
        using var setAsides = new MetricCollector<long>(_services.Meters, _services.MeterName, "bridgekeeper_upstream_key_set_asides");
        using var keys = new MetricCollector<int>(_services.Meters, _services.MeterName, "bridgekeeper_upstream_keys");
        var pool = Pool(Key0, Key1, Key2);
        pool.Take();
        pool.Report(pool.Take(), 429, "30", null);

        var line = Assert.Single(_logger.Collector.GetSnapshot()).Message;
        Assert.Contains("key 1 (…1111) set aside for 30 s", line, StringComparison.Ordinal);
        Assert.DoesNotContain(Key1, line, StringComparison.Ordinal);
        Assert.Equal("key 2 (…2222)", pool.Take().ToString());
        var counted = Assert.Single(setAsides.GetMeasurementSnapshot());
        Assert.Equal(("openai", "rate_limited"), (counted.Tags["provider"], counted.Tags["reason"]));

        keys.RecordObservableInstruments();
        var observed = keys.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags["state"]!, m => m.Value);
        Assert.Equal(2, observed["available"]);
        Assert.Equal(1, observed["set_aside"]);
    }

    [Theory]
    [InlineData("sk-ant-api03-abcdefgh", "…efgh")]
    [InlineData("short-key", "…")]
    public void Hint_ShowsAtMostTheLastFour(string key, string hint) => Assert.Equal(hint, KeyPool.Hint(key));
}
