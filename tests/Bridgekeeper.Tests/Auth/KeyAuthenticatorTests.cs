using System.Diagnostics.Metrics;
using System.Net;
using Bridgekeeper.Auth;
using Bridgekeeper.Metrics;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Storage;
using Bridgekeeper.Tests.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Bridgekeeper.Tests.Auth;

public sealed class KeyAuthenticatorTests : IAsyncLifetime
{
    private static readonly IPAddress Attacker = IPAddress.Parse("203.0.113.7");
    private static readonly IPAddress Neighbour = IPAddress.Parse("198.51.100.9");
    private static readonly AuthFailureLimit FivePerHour = new(5, TimeSpan.FromHours(1));

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly List<KeyAuthenticator> _authenticators = [];
    private TempDatabase _temp = null!;
    private UserStore _users = null!;
    private BridgekeeperMetrics _metrics = null!;
    private MetricCollector<long> _lookups = null!;

    public async ValueTask InitializeAsync()
    {
        _temp = await TempDatabase.CreateAsync(TestContext.Current.CancellationToken);
        _users = new UserStore(_temp.Database, _time);
        var meters = _services.GetRequiredService<IMeterFactory>();
        var meterName = "Bridgekeeper.Test." + Guid.NewGuid().ToString("N");
        _metrics = new BridgekeeperMetrics(meters, () => 0, ModelLabels.None, meterName);
        _lookups = new MetricCollector<long>(meters, meterName, "bridgekeeper_key_lookups");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var authenticator in _authenticators)
            authenticator.Dispose();
        _lookups.Dispose();
        await _services.DisposeAsync();
        await _temp.DisposeAsync();
    }

    [Fact]
    public async Task Check_StaleAnswer_IsServedWhileOneBackgroundLookupRefreshesIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var (key, keyId) = await CreateKeyAsync("alice", ct);
        var authenticator = Authenticator(AuthFailureLimit.Off);

        Assert.NotNull((await authenticator.CheckAsync(Request(key))).User);             // looked up, cached
        await _users.RevokeKeyAsync(keyId, ct);                                           // "another replica" revokes it
        _time.Advance(KeyAuthenticator.CacheTtl + TimeSpan.FromSeconds(1));

        var stale = (await authenticator.CheckAsync(Request(key))).User;                  // served from the cache, refresh started

        Assert.NotNull(stale);
        await Eventually.ReturnsAsync(async () => (await authenticator.CheckAsync(Request(key))).User, user => user is null,
            "the background refresh saw the revocation");
    }

    [Fact]
    public async Task Check_AnswerOlderThanMaxStale_WaitsForTheDatabase()
    {
        var ct = TestContext.Current.CancellationToken;
        var (key, keyId) = await CreateKeyAsync("alice", ct);
        var authenticator = Authenticator(AuthFailureLimit.Off);

        Assert.NotNull((await authenticator.CheckAsync(Request(key))).User);
        await _users.RevokeKeyAsync(keyId, ct);
        _time.Advance(KeyAuthenticator.MaxStale + TimeSpan.FromSeconds(1));

        Assert.Equal(KeyRefusal.Invalid, (await authenticator.CheckAsync(Request(key))).Refusal);
    }

    [Fact]
    public async Task Check_SameUnknownKeyRepeated_IsLookedUpOncePerUnknownTtl()
    {
        var authenticator = Authenticator(AuthFailureLimit.Off);
        var wrong = ApiKey.Generate().Key;

        var first = new List<KeyRefusal>();
        for (var i = 0; i < 10; i++)
            first.Add((await authenticator.CheckAsync(Request(wrong))).Refusal);
        var lookupsWithinTtl = Lookups();
        _time.Advance(UnknownKeys.Ttl);
        var afterTtl = (await authenticator.CheckAsync(Request(wrong))).Refusal;

        Assert.Equal(Enumerable.Repeat(KeyRefusal.Invalid, 10), first);
        Assert.Equal(1, lookupsWithinTtl);
        Assert.Equal(KeyRefusal.Invalid, afterTtl);
        Assert.Equal(2, Lookups());
    }

    [Fact]
    public async Task Check_ThousandRandomKeysFromOneSource_LooksUpOnlyTheLimitThenThrottles()
    {
        var authenticator = Authenticator(FivePerHour);

        var checks = new List<KeyCheck>();
        for (var i = 0; i < 1000; i++)
            checks.Add(await authenticator.CheckAsync(Request(ApiKey.Generate().Key, Attacker)));

        Assert.Equal(Enumerable.Repeat(KeyRefusal.Invalid, 5), checks.Take(5).Select(c => c.Refusal));
        Assert.All(checks.Skip(5), c => Assert.Equal((KeyRefusal.Throttled, TimeSpan.FromHours(1), "3600"), (c.Refusal, c.RetryAfter, c.RetryAfterSeconds)));
        Assert.Equal(5, Lookups());
    }

    [Fact]
    public async Task Check_ThousandRandomKeysInParallel_LookupsStayWithinLimitPlusConcurrency()
    {
        const int Parallelism = 16;
        var authenticator = Authenticator(FivePerHour);
        var refusals = new System.Collections.Concurrent.ConcurrentBag<KeyRefusal>();

        await Parallel.ForAsync(0, 1000, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = TestContext.Current.CancellationToken },
            async (_, _) => refusals.Add((await authenticator.CheckAsync(Request(ApiKey.Generate().Key, Attacker))).Refusal));

        var lookups = Lookups();
        Assert.InRange(lookups, 5, 5 + Parallelism);
        Assert.Equal(lookups, refusals.Count(r => r == KeyRefusal.Invalid));
        Assert.Equal(1000 - lookups, refusals.Count(r => r == KeyRefusal.Throttled));
    }

    [Fact]
    public async Task Check_ThrottledSource_StillAcceptsACachedValidKeyWithoutALookup()
    {
        var ct = TestContext.Current.CancellationToken;
        var (key, _) = await CreateKeyAsync("alice", ct);
        var authenticator = Authenticator(FivePerHour);
        var before = await authenticator.CheckAsync(Request(key, Attacker));             // alice behind the same address: cached
        for (var i = 0; i < 50; i++)
            await authenticator.CheckAsync(Request(ApiKey.Generate().Key, Attacker));
        var lookupsAfterFlood = Lookups();

        var during = await authenticator.CheckAsync(Request(key, Attacker));
        _time.Advance(KeyAuthenticator.CacheTtl - TimeSpan.FromSeconds(1));
        var later = await authenticator.CheckAsync(Request(key, Attacker));

        Assert.Equal(("alice", "alice", "alice"), (before.User?.Name, during.User?.Name, later.User?.Name));
        Assert.Equal(KeyRefusal.Throttled, (await authenticator.CheckAsync(Request(ApiKey.Generate().Key, Attacker))).Refusal);
        Assert.Equal(1 + 5, lookupsAfterFlood);
        Assert.Equal(1 + 5, Lookups());
    }

    [Fact]
    public async Task Check_ThrottledSource_RefusesAValidKeyNotInTheCacheWhileAnotherSourceIsServed()
    {
        var ct = TestContext.Current.CancellationToken;
        var (key, _) = await CreateKeyAsync("bob", ct);
        var authenticator = Authenticator(FivePerHour);
        for (var i = 0; i < 6; i++)
            await authenticator.CheckAsync(Request(ApiKey.Generate().Key, Attacker));

        var fromAttacker = await authenticator.CheckAsync(Request(key, Attacker));
        var fromNeighbour = await authenticator.CheckAsync(Request(key, Neighbour));
        var wrongFromNeighbour = await authenticator.CheckAsync(Request(ApiKey.Generate().Key, Neighbour));
        var fromAttackerOnceCached = await authenticator.CheckAsync(Request(key, Attacker));

        Assert.Equal(KeyRefusal.Throttled, fromAttacker.Refusal);
        Assert.Equal("bob", fromNeighbour.User?.Name);
        Assert.Equal(KeyRefusal.Invalid, wrongFromNeighbour.Refusal);
        Assert.Equal("bob", fromAttackerOnceCached.User?.Name);
    }

    [Fact]
    public async Task Check_RevokedAndExpiredKeys_CountAsFailures()
    {
        var ct = TestContext.Current.CancellationToken;
        var (revoked, revokedId) = await CreateKeyAsync("carol", ct);
        await _users.RevokeKeyAsync(revokedId, ct);
        var user = await _users.FindUserAsync("carol", ct);
        var expired = ApiKey.Generate();
        await _users.CreateKeyAsync(user!.Id, null, _time.GetUtcNow().AddMinutes(-1), expired.Hash, expired.Hint, ct);
        var authenticator = Authenticator(new AuthFailureLimit(4, TimeSpan.FromHours(1)));

        var refusals = new List<KeyRefusal>();
        foreach (var key in new[] { revoked, expired.Key, revoked, expired.Key, ApiKey.Generate().Key })
            refusals.Add((await authenticator.CheckAsync(Request(key, Attacker))).Refusal);

        Assert.Equal([KeyRefusal.Invalid, KeyRefusal.Invalid, KeyRefusal.Invalid, KeyRefusal.Invalid, KeyRefusal.Throttled], refusals);
    }

    [Fact]
    public async Task Check_MissingKey_IsInvalidWithoutALookupOrAFailure()
    {
        var authenticator = Authenticator(new AuthFailureLimit(1, TimeSpan.FromHours(1)));

        var missing = new List<KeyRefusal>();
        for (var i = 0; i < 5; i++)
            missing.Add((await authenticator.CheckAsync(Request(null, Attacker))).Refusal);
        var wrong = (await authenticator.CheckAsync(Request(ApiKey.Generate().Key, Attacker))).Refusal;

        Assert.Equal(Enumerable.Repeat(KeyRefusal.Invalid, 5), missing);
        Assert.Equal(KeyRefusal.Invalid, wrong);
        Assert.Equal(1, Lookups());
    }

    [Fact]
    public async Task Check_LimitOff_NeverThrottles()
    {
        var authenticator = Authenticator(AuthFailureLimit.Off);

        var refusals = new List<KeyRefusal>();
        for (var i = 0; i < 200; i++)
            refusals.Add((await authenticator.CheckAsync(Request(ApiKey.Generate().Key, Attacker))).Refusal);

        Assert.Equal(Enumerable.Repeat(KeyRefusal.Invalid, 200), refusals);
        Assert.Equal(200, Lookups());
    }

    [Fact]
    public async Task Check_WindowEnds_SourceIsServedAgain()
    {
        // The limiter's window runs on real time (System.Threading.RateLimiting has no TimeProvider), so this test
        // chooses a short window and polls for the two states instead of sleeping a fixed time.
        var authenticator = Authenticator(new AuthFailureLimit(3, TimeSpan.FromMilliseconds(300)));
        async Task<KeyRefusal> RefusalAsync() => (await authenticator.CheckAsync(Request(ApiKey.Generate().Key, Attacker))).Refusal;

        await Eventually.ReturnsAsync(RefusalAsync, refusal => refusal is KeyRefusal.Throttled, "the source is throttled");
        await Eventually.ReturnsAsync(RefusalAsync, refusal => refusal is KeyRefusal.Invalid, "the source is served again");
    }

    [Fact]
    public async Task Invalidate_KeyTriedBeforeItExisted_WorksAtOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var user = await _users.CreateUserAsync("dave", Roles.Member, null, ct);
        var key = ApiKey.Generate();
        var authenticator = Authenticator(AuthFailureLimit.Off);
        var beforeCreation = (await authenticator.CheckAsync(Request(key.Key))).Refusal;
        await _users.CreateKeyAsync(user.Id, null, null, key.Hash, key.Hint, ct);

        var withoutInvalidate = (await authenticator.CheckAsync(Request(key.Key))).Refusal;   // another process made it: refused for at most the TTL
        _time.Advance(UnknownKeys.Ttl);
        var afterTtl = (await authenticator.CheckAsync(Request(key.Key))).User?.Name;
        var second = Authenticator(AuthFailureLimit.Off);
        await second.CheckAsync(Request(key.Key + "x"));
        second.Invalidate();                                                                  // what this process's API does after creating a key
        var afterInvalidate = await second.CheckAsync(Request(key.Key));

        Assert.Equal((KeyRefusal.Invalid, KeyRefusal.Invalid, "dave"), (beforeCreation, withoutInvalidate, afterTtl));
        Assert.Equal("dave", afterInvalidate.User?.Name);
    }

    [Fact]
    public async Task Invalidate_ClearsUnknownKeys_SoTheNextCheckLooksUpAgain()
    {
        var authenticator = Authenticator(AuthFailureLimit.Off);
        var wrong = ApiKey.Generate().Key;

        await authenticator.CheckAsync(Request(wrong));
        await authenticator.CheckAsync(Request(wrong));
        authenticator.Invalidate();
        await authenticator.CheckAsync(Request(wrong));

        Assert.Equal(2, Lookups());
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::")]
    [InlineData("::1", "::")]
    [InlineData(null, "255.255.255.255")]
    public void Source_Address_IsItsPartition(string? remote, string expected) =>
        Assert.Equal(IPAddress.Parse(expected), AuthFailureLimiter.Source(remote is null ? null : IPAddress.Parse(remote)));

    [Fact]
    public async Task Check_TwoAddressesOfOneIPv6Slash64_ShareOneLimit()
    {
        var authenticator = Authenticator(new AuthFailureLimit(2, TimeSpan.FromHours(1)));

        var first = (await authenticator.CheckAsync(Request(ApiKey.Generate().Key, IPAddress.Parse("2001:db8::1")))).Refusal;
        var second = (await authenticator.CheckAsync(Request(ApiKey.Generate().Key, IPAddress.Parse("2001:db8::2")))).Refusal;
        var sameSlash64 = (await authenticator.CheckAsync(Request(ApiKey.Generate().Key, IPAddress.Parse("2001:db8::ffff:3")))).Refusal;
        var otherSlash64 = (await authenticator.CheckAsync(Request(ApiKey.Generate().Key, IPAddress.Parse("2001:db8:0:1::1")))).Refusal;

        Assert.Equal([KeyRefusal.Invalid, KeyRefusal.Invalid, KeyRefusal.Throttled, KeyRefusal.Invalid], [first, second, sameSlash64, otherSlash64]);
    }

    [Fact]
    public async Task Check_DatabaseDown_IsUnavailableAndNotAFailure()
    {
        await using var unreachable = Database.Open("postgres://nobody@127.0.0.1:1/none");
        var users = new UserStore(unreachable, _time);
        var authenticator = new KeyAuthenticator(users, _time, new AuthFailureLimit(1, TimeSpan.FromHours(1)), _metrics, NullLogger<KeyAuthenticator>.Instance);
        _authenticators.Add(authenticator);

        var refusals = new List<KeyRefusal>();
        for (var i = 0; i < 3; i++)
            refusals.Add((await authenticator.CheckAsync(Request(ApiKey.Generate().Key, Attacker))).Refusal);

        Assert.Equal([KeyRefusal.Unavailable, KeyRefusal.Unavailable, KeyRefusal.Unavailable], refusals);
    }

    private KeyAuthenticator Authenticator(AuthFailureLimit limit)
    {
        var authenticator = new KeyAuthenticator(_users, _time, limit, _metrics, NullLogger<KeyAuthenticator>.Instance);
        _authenticators.Add(authenticator);
        return authenticator;
    }

    private long Lookups() => _lookups.GetMeasurementSnapshot().EvaluateAsCounter();

    private async Task<(string Key, Guid KeyId)> CreateKeyAsync(string name, CancellationToken ct)
    {
        var user = await _users.FindUserAsync(name, ct) ?? await _users.CreateUserAsync(name, Roles.Member, null, ct);
        var key = ApiKey.Generate();
        var row = await _users.CreateKeyAsync(user.Id, null, null, key.Hash, key.Hint, ct);
        return (key.Key, row.Id);
    }

    private static HttpContext Request(string? key, IPAddress? remote = null)
    {
        var context = new DefaultHttpContext();
        if (key is not null)
            context.Request.Headers.Authorization = "Bearer " + key;
        context.Connection.RemoteIpAddress = remote;
        return context;
    }
}
