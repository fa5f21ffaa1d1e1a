using System.Security.Cryptography;
using Bridgekeeper.Auth;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Storage;

namespace Bridgekeeper.Tests.Tools;

public sealed class McpTokenStoreTests
{
    [Fact]
    public async Task SetAsync_ThenGetTokens_RoundTripsAndStoresOnlyCiphertext()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var alice = await new UserStore(temp.Database, TimeProvider.System).CreateUserAsync("alice", Roles.Member, null, ct);
        var store = new McpTokenStore(temp.Database, TimeProvider.System, RandomNumberGenerator.GetBytes(32));

        await store.SetAsync(alice.Id, "github", "ghp_plaintext_secret", ct);
        var tokens = await store.GetTokensAsync(alice.Id, ct);
        var stored = await RawCiphertextAsync(temp.Database, ct);

        Assert.Equal("ghp_plaintext_secret", tokens["github"]);
        Assert.Equal(12 + "ghp_plaintext_secret".Length + 16, stored.Length);
        Assert.DoesNotContain("ghp_plaintext_secret", System.Text.Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetAsync_Twice_ReplacesAndListShowsServersOnly()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var alice = await new UserStore(temp.Database, TimeProvider.System).CreateUserAsync("alice", Roles.Member, null, ct);
        var store = new McpTokenStore(temp.Database, TimeProvider.System, RandomNumberGenerator.GetBytes(32));

        await store.SetAsync(alice.Id, "github", "old", ct);
        await store.SetAsync(alice.Id, "github", "new", ct);
        await store.SetAsync(alice.Id, "docs", "d", ct);

        Assert.Equal("new", (await store.GetTokensAsync(alice.Id, ct))["github"]);
        Assert.Equal(["docs", "github"], (await store.ListAsync(alice.Id, ct)).Select(r => r.Server));
        Assert.True(await store.DeleteAsync(alice.Id, "github", ct));
        Assert.False(await store.DeleteAsync(alice.Id, "github", ct));
        Assert.Equal(["docs"], (await store.GetTokensAsync(alice.Id, ct)).Keys);
    }

    [Fact]
    public void Decrypt_OtherKeyOrOtherRow_Fails()
    {
        var store = new McpTokenStore(null!, TimeProvider.System, RandomNumberGenerator.GetBytes(32));
        var other = new McpTokenStore(null!, TimeProvider.System, RandomNumberGenerator.GetBytes(32));
        var user = Guid.NewGuid();
        var blob = store.Encrypt(user, "github", "secret");

        Assert.Equal("secret", store.Decrypt(user, "github", blob));
        Assert.NotEqual(blob, store.Encrypt(user, "github", "secret"));
        Assert.Throws<CryptographicException>(() => other.Decrypt(user, "github", blob));
        Assert.Throws<CryptographicException>(() => store.Decrypt(user, "docs", blob));
        Assert.Throws<CryptographicException>(() => store.Decrypt(Guid.NewGuid(), "github", blob));
    }

    [Fact]
    public async Task LoadKey_NoSetting_CreatesKeyFileWithMode600NextToDatabase_ThenReusesIt()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        Assert.SkipWhen(temp.IsPostgres, "The key file lives beside a SQLite file; PostgreSQL needs the setting.");

        var first = McpTokenStore.LoadKey(null, temp.Database);
        var second = McpTokenStore.LoadKey(null, temp.Database);
        var path = Path.Combine(temp.Directory, McpTokenStore.KeyFileName);

        Assert.Equal(32, first.Length);
        Assert.Equal(first, second);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task LoadKey_NoSettingOnPostgres_ThrowsNamingTheSetting()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        Assert.SkipUnless(temp.IsPostgres, "Only PostgreSQL requires the setting.");

        Assert.Equal(McpTokenStore.KeySetting, Assert.Throws<SettingsException>(() => McpTokenStore.LoadKey(null, temp.Database)).Setting);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public async Task LoadKey_BadSetting_ThrowsNamingTheSetting(string setting)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);

        Assert.Equal(McpTokenStore.KeySetting, Assert.Throws<SettingsException>(() => McpTokenStore.LoadKey(setting, temp.Database)).Setting);
    }

    [Fact]
    public async Task LoadKey_Setting_IsUsed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var key = RandomNumberGenerator.GetBytes(32);

        Assert.Equal(key, McpTokenStore.LoadKey(Convert.ToBase64String(key), temp.Database));
        Assert.False(File.Exists(Path.Combine(temp.Directory, McpTokenStore.KeyFileName)));
    }

    private static async Task<byte[]> RawCiphertextAsync(Database database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT token_ciphertext FROM mcp_tokens";
        return (byte[])(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
