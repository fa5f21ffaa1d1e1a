using Bridgekeeper.Auth;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Bridgekeeper.Tests.Auth;

public sealed class KeyAuthenticatorTests
{
    [Fact]
    public async Task Authenticate_StaleAnswer_IsServedWhileOneBackgroundLookupRefreshesIt()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var users = new UserStore(temp.Database, time);
        var (key, keyId) = await CreateKeyAsync(users, ct);
        var authenticator = new KeyAuthenticator(users, time, Microsoft.Extensions.Logging.Abstractions.NullLogger<KeyAuthenticator>.Instance);

        Assert.NotNull(await authenticator.AuthenticateAsync(Request(key), ct));          // looked up, cached
        await users.RevokeKeyAsync(keyId, ct);                                            // "another replica" revokes it
        time.Advance(KeyAuthenticator.CacheTtl + TimeSpan.FromSeconds(1));

        var stale = await authenticator.AuthenticateAsync(Request(key), ct);              // served from the cache, refresh started
        GatewayUser? after = stale;
        for (var i = 0; i < 200 && after is not null; i++)
        {
            await Task.Delay(10, ct);
            after = await authenticator.AuthenticateAsync(Request(key), ct);
        }

        Assert.NotNull(stale);
        Assert.Null(after);
    }

    [Fact]
    public async Task Authenticate_AnswerOlderThanMaxStale_WaitsForTheDatabase()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var users = new UserStore(temp.Database, time);
        var (key, keyId) = await CreateKeyAsync(users, ct);
        var authenticator = new KeyAuthenticator(users, time, Microsoft.Extensions.Logging.Abstractions.NullLogger<KeyAuthenticator>.Instance);

        Assert.NotNull(await authenticator.AuthenticateAsync(Request(key), ct));
        await users.RevokeKeyAsync(keyId, ct);
        time.Advance(KeyAuthenticator.MaxStale + TimeSpan.FromSeconds(1));

        Assert.Null(await authenticator.AuthenticateAsync(Request(key), ct));
    }

    private static async Task<(string Key, Guid KeyId)> CreateKeyAsync(UserStore users, CancellationToken ct)
    {
        var user = await users.CreateUserAsync("alice", Roles.Member, null, ct);
        var key = ApiKey.Generate();
        var row = await users.CreateKeyAsync(user.Id, null, null, key.Hash, key.Hint, ct);
        return (key.Key, row.Id);
    }

    private static HttpRequest Request(string key)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = "Bearer " + key;
        return context.Request;
    }
}
