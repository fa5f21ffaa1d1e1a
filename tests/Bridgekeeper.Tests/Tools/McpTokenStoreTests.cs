using System.Security.Cryptography;
using Bridgekeeper.Auth;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Storage;

namespace Bridgekeeper.Tests.Tools;

public sealed class McpTokenStoreTests
{
    private static readonly byte[] OldKey = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] NewKey = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public async Task SetAsync_ThenGetTokens_RoundTripsAndStoresOnlyCiphertextAndTheKeyId()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var alice = await UserAsync(temp, "alice", ct);
        var store = Store(temp, NewKey);

        await store.SetAsync(alice, "github", "ghp_plaintext_secret", ct);
        var tokens = await store.GetTokensAsync(alice, ct);
        var (stored, keyId) = await RawAsync(temp.Database, ct);

        Assert.Equal("ghp_plaintext_secret", tokens["github"]);
        Assert.Equal(12 + "ghp_plaintext_secret".Length + 16, stored.Length);
        Assert.DoesNotContain("ghp_plaintext_secret", System.Text.Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(NewKey))[..8], keyId);
    }

    [Fact]
    public async Task SetAsync_Twice_ReplacesAndListShowsServersOnly()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var alice = await UserAsync(temp, "alice", ct);
        var store = Store(temp, NewKey);

        await store.SetAsync(alice, "github", "old", ct);
        await store.SetAsync(alice, "github", "new", ct);
        await store.SetAsync(alice, "docs", "d", ct);

        Assert.Equal("new", (await store.GetTokensAsync(alice, ct))["github"]);
        Assert.Equal(["docs", "github"], (await store.ListAsync(alice, ct)).Select(r => r.Server));
        Assert.True(await store.DeleteAsync(alice, "github", ct));
        Assert.False(await store.DeleteAsync(alice, "github", ct));
        Assert.Equal(["docs"], (await store.GetTokensAsync(alice, ct)).Keys);
    }

    [Fact]
    public void Decrypt_OtherKeyOrOtherRow_Fails()
    {
        var store = new McpTokenStore(null!, TimeProvider.System, SecretKeyring.Of(NewKey));
        var other = new McpTokenStore(null!, TimeProvider.System, SecretKeyring.Of(OldKey));
        var user = Guid.NewGuid();
        var blob = store.Encrypt(user, "github", "secret");

        Assert.Equal("secret", store.Decrypt(user, "github", blob));
        Assert.NotEqual(blob, store.Encrypt(user, "github", "secret"));
        Assert.Throws<CryptographicException>(() => other.Decrypt(user, "github", blob));
        Assert.Throws<CryptographicException>(() => store.Decrypt(user, "docs", blob));
        Assert.Throws<CryptographicException>(() => store.Decrypt(Guid.NewGuid(), "github", blob));
    }

    /// <summary>
    /// A token read under a key ring that has moved on: decrypted with the key its id names (or, written before ids, with
    /// any key), then rewritten under the current key, after which the old key alone no longer reads it.
    /// </summary>
    [Theory]
    [InlineData(true, true)]     // written under the old key, with its id; the old key is now a previous one
    [InlineData(false, true)]    // written before key ids, under the old key
    [InlineData(false, false)]   // written before key ids, under the key that is still current
    public async Task GetTokens_TokenUnderAnotherKeyOrWithoutId_DecryptsAndIsRewrittenUnderTheCurrentKey(bool withKeyId, bool rotated)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var alice = await UserAsync(temp, "alice", ct);
        var writtenWith = rotated ? OldKey : NewKey;
        await Store(temp, writtenWith).SetAsync(alice, "github", "tok-1", ct);
        if (!withKeyId)
            await ExecuteAsync(temp.Database, "UPDATE mcp_tokens SET key_id = NULL", ct);
        var (before, _) = await RawAsync(temp.Database, ct);
        var store = rotated ? Store(temp, NewKey, OldKey) : Store(temp, NewKey);

        var tokens = await store.GetTokensAsync(alice, ct);
        var (after, keyId) = await RawAsync(temp.Database, ct);

        Assert.Equal("tok-1", tokens["github"]);
        Assert.Equal(store.Keys.Current!.Id, keyId);
        Assert.NotEqual(before, after);
        Assert.Equal("tok-1", (await Store(temp, NewKey).GetTokensAsync(alice, ct))["github"]);
        if (rotated)
            Assert.Throws<CryptographicException>(() => Store(temp, OldKey).Decrypt(alice, "github", after, keyId));
    }

    [Fact]
    public async Task GetTokens_TokenAlreadyUnderTheCurrentKey_IsNotRewritten()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var alice = await UserAsync(temp, "alice", ct);
        var store = Store(temp, NewKey, OldKey);
        await store.SetAsync(alice, "github", "tok-1", ct);
        var (before, _) = await RawAsync(temp.Database, ct);

        await store.GetTokensAsync(alice, ct);

        Assert.Equal(before, (await RawAsync(temp.Database, ct)).Ciphertext);
    }

    [Fact]
    public async Task GetTokens_KeyIdInNoKeyOfTheRing_ThrowsNamingBothSettings()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var alice = await UserAsync(temp, "alice", ct);
        await Store(temp, OldKey).SetAsync(alice, "github", "tok-1", ct);

        var error = await Assert.ThrowsAsync<CryptographicException>(() => Store(temp, NewKey).GetTokensAsync(alice, ct));

        Assert.Contains($"key {new SecretKey(OldKey).Id}", error.Message, StringComparison.Ordinal);
        Assert.Contains(SecretKeyring.KeySetting, error.Message, StringComparison.Ordinal);
        Assert.Contains(SecretKeyring.PreviousKeysSetting, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("tok-1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoCurrentKey_SetThrows_GetIsEmptyWithoutTokensAndThrowsWithThem()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var alice = await UserAsync(temp, "alice", ct);
        var bob = await UserAsync(temp, "bob", ct);
        await Store(temp, NewKey).SetAsync(bob, "github", "tok-bob", ct);
        var keyless = new McpTokenStore(temp.Database, TimeProvider.System, SecretKeyring.Unavailable("no key here"));

        Assert.Equal("no key here", (await Assert.ThrowsAsync<InvalidOperationException>(() => keyless.SetAsync(alice, "github", "t", ct))).Message);
        Assert.Empty(await keyless.GetTokensAsync(alice, ct));
        Assert.Contains("no key here", (await Assert.ThrowsAsync<CryptographicException>(() => keyless.GetTokensAsync(bob, ct))).Message);
        Assert.Equal(["github"], (await keyless.ListAsync(bob, ct)).Select(r => r.Server));
        Assert.True(await keyless.DeleteAsync(bob, "github", ct));
    }

    [Fact]
    public async Task RekeyAsync_RewritesEveryTokenNotUnderTheCurrentKey_AndReportsThoseNoKeyDecrypts()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var (alice, bob, carol, dave) = (await UserAsync(temp, "alice", ct), await UserAsync(temp, "bob", ct), await UserAsync(temp, "carol", ct),
            await UserAsync(temp, "dave", ct));
        await Store(temp, OldKey).SetAsync(alice, "github", "tok-alice", ct);
        await Store(temp, NewKey).SetAsync(bob, "github", "tok-bob", ct);
        await ExecuteAsync(temp.Database, $"UPDATE mcp_tokens SET key_id = NULL WHERE server = 'github' AND key_id = '{new SecretKey(NewKey).Id}'", ct);
        await Store(temp, RandomNumberGenerator.GetBytes(32)).SetAsync(carol, "docs", "tok-carol", ct);
        await Store(temp, NewKey).SetAsync(dave, "docs", "tok-dave", ct);
        var store = Store(temp, NewKey, OldKey);

        var result = await store.RekeyAsync(ct);

        Assert.Equal(new SecretKey(NewKey).Id, result.KeyId);
        Assert.Equal(2, result.Rewritten);
        Assert.Equal([(carol, "docs")], result.Failed);
        var newOnly = Store(temp, NewKey);
        Assert.Equal("tok-alice", (await newOnly.GetTokensAsync(alice, ct))["github"]);
        Assert.Equal("tok-bob", (await newOnly.GetTokensAsync(bob, ct))["github"]);
        Assert.Equal("tok-dave", (await newOnly.GetTokensAsync(dave, ct))["docs"]);
        Assert.Equal(0, (await store.RekeyAsync(ct)).Rewritten);
    }

    private static McpTokenStore Store(TempDatabase temp, byte[] current, params byte[][] previous) =>
        new(temp.Database, TimeProvider.System, SecretKeyring.Of(current, previous));

    private static async Task<Guid> UserAsync(TempDatabase temp, string name, CancellationToken ct) =>
        (await new UserStore(temp.Database, TimeProvider.System).CreateUserAsync(name, Roles.Member, null, ct)).Id;

    private static async Task<(byte[] Ciphertext, string? KeyId)> RawAsync(Database database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT token_ciphertext, key_id FROM mcp_tokens";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        Assert.True(await reader.ReadAsync(cancellationToken));
        var row = ((byte[])reader.GetValue(0), reader.IsDBNull(1) ? null : reader.GetString(1));
        Assert.False(await reader.ReadAsync(cancellationToken));
        return row;
    }

    private static async Task ExecuteAsync(Database database, string sql, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
