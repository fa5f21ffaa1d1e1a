using System.Security.Cryptography;
using Bridgekeeper.Settings;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Testing;
using Mono.Unix;
using Mono.Unix.Native;

namespace Bridgekeeper.Tests.Storage;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SecretKeyringTests : IDisposable
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _folder = Directory.CreateTempSubdirectory("bk-keys-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string KeyFile => Path.Combine(_folder, SecretKeyring.KeyFileName);

    [Fact]
    public async Task Load_NoSettingOnSqlite_CreatesTheKeyFileMode600BesideTheDatabase_ThenReusesIt()
    {
        await using var database = Database.Open(Path.Combine(_folder, "bk.db"));

        var first = SecretKeyring.Load(null, null, database);
        var second = SecretKeyring.Load(null, null, database);

        Assert.Equal(first.Current!.Bytes, second.Current!.Bytes);
        Assert.Equal(first.Current.Bytes, Convert.FromBase64String(File.ReadAllText(KeyFile)));
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(KeyFile));
        Assert.Null(first.Problem);
    }

    [Fact]
    public async Task Load_Setting_IsUsedAndNoKeyFileIsMade()
    {
        await using var database = Database.Open(Path.Combine(_folder, "bk.db"));
        var key = RandomNumberGenerator.GetBytes(32);
        var previous = new[] { RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32) };

        var keys = SecretKeyring.Load(Convert.ToBase64String(key), $" {Convert.ToBase64String(previous[0])} ,{Convert.ToBase64String(previous[1])},", database);

        Assert.Equal(key, keys.Current!.Bytes);
        Assert.Equal(previous, keys.Previous.Select(k => k.Bytes));
        Assert.Equal([keys.Current, .. keys.Previous], keys.All);
        Assert.Same(keys.Previous[1], keys.Find(keys.Previous[1].Id));
        Assert.Null(keys.Find("00000000"));
        Assert.False(File.Exists(KeyFile));
    }

    [Fact]
    public async Task Load_NoSettingOnPostgres_IsUnavailableAndSaysWhichSetting()
    {
        await using var database = Database.Open("postgres://bk@127.0.0.1:1/audit");

        var keys = SecretKeyring.Load(null, null, database);

        Assert.Null(keys.Current);
        Assert.Empty(keys.All);
        Assert.StartsWith($"{SecretKeyring.KeySetting} is not set", keys.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not base64!", null, SecretKeyring.KeySetting, "is not base64")]
    [InlineData("AAAA", null, SecretKeyring.KeySetting, "must be 32 bytes (base64), not 3")]
    [InlineData(null, "AAAA", SecretKeyring.PreviousKeysSetting, "must be 32 bytes (base64), not 3")]
    [InlineData(null, "GOOD,also bad", SecretKeyring.PreviousKeysSetting, "is not base64")]
    public async Task Load_MalformedKey_ThrowsNamingTheSetting(string? key, string? previous, string setting, string problem)
    {
        await using var database = Database.Open(Path.Combine(_folder, "bk.db"));
        previous = previous?.Replace("GOOD", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), StringComparison.Ordinal);

        var error = Assert.Throws<SettingsException>(() => SecretKeyring.Load(key, previous, database));

        Assert.Equal(setting, error.Setting);
        Assert.StartsWith($"Invalid setting '{setting}': {problem}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretKey_Id_IsTheFirstEightHexDigitsOfItsSha256()
    {
        var key = Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

        Assert.Equal("630dcd29", new SecretKey(key).Id);  // sha256 of those bytes: 630dcd2966c4336691125448bbb25b4f...
    }

    [Fact]
    public async Task LoadOrCreateKeyFile_ConcurrentCreators_AllGetTheOneKeyThatWasWritten()
    {
        for (var round = 0; round < 25; round++)   // a race shows in some rounds only
        {
            File.Delete(KeyFile);
            var keys = await Concurrently.RunAsync(16, () => SecretKeyring.LoadOrCreateKeyFile(KeyFile));

            Assert.All(keys, k => Assert.Equal(Convert.FromBase64String(File.ReadAllText(KeyFile)), k));
            Assert.Equal([KeyFile], Directory.GetFiles(_folder));
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(KeyFile));
        }
    }

    [Theory]
    [InlineData("620", "its group")]
    [InlineData("660", "its group")]
    [InlineData("602", "others")]
    [InlineData("606", "others")]
    [InlineData("666", "its group")]
    [InlineData("777", "its group")]
    public void LoadOrCreateKeyFile_WritableByGroupOrOthers_IsRefused(string mode, string who)
    {
        File.WriteAllText(KeyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        File.SetUnixFileMode(KeyFile, (UnixFileMode)Convert.ToInt32(mode, 8));

        var error = Assert.Throws<SettingsException>(() => SecretKeyring.LoadOrCreateKeyFile(KeyFile));

        Assert.Equal(SecretKeyring.KeySetting, error.Setting);
        Assert.Equal($"Invalid setting '{SecretKeyring.KeySetting}': the key file '{KeyFile}' is writable by {who} (mode {mode}); make it 600 (chmod 600 '{KeyFile}'); or set {SecretKeyring.KeySetting} instead.",
            error.Message);
    }

    [Theory]
    [InlineData("600")]
    [InlineData("400")]
    [InlineData("640")]
    public void LoadOrCreateKeyFile_OwnersOnlyToWrite_IsUsed(string mode)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        File.WriteAllText(KeyFile, Convert.ToBase64String(key) + "\n");
        File.SetUnixFileMode(KeyFile, (UnixFileMode)Convert.ToInt32(mode, 8));

        Assert.Equal(key, SecretKeyring.LoadOrCreateKeyFile(KeyFile));
    }

    [Fact]
    public void LoadOrCreateKeyFile_OwnedByAnotherUser_IsRefused()
    {
        Assert.SkipUnless(Syscall.geteuid() == 0, "Only root can give a file to another user.");
        File.WriteAllText(KeyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        File.SetUnixFileMode(KeyFile, OwnerReadWrite);
        new UnixFileInfo(KeyFile).SetOwner(65534, 65534);

        var error = Assert.Throws<SettingsException>(() => SecretKeyring.LoadOrCreateKeyFile(KeyFile));

        Assert.Equal(SecretKeyring.KeySetting, error.Setting);
        Assert.StartsWith($"Invalid setting '{SecretKeyring.KeySetting}': the key file '{KeyFile}' belongs to user 65534 (", error.Message, StringComparison.Ordinal);
        Assert.Contains("not to the user the gateway runs as (0)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a key!", "does not hold base64")]
    [InlineData("AAAA", "does not hold a 32-byte key")]
    public void LoadOrCreateKeyFile_NotAKey_IsRefused(string contents, string problem)
    {
        File.WriteAllText(KeyFile, contents);
        File.SetUnixFileMode(KeyFile, OwnerReadWrite);

        var error = Assert.Throws<SettingsException>(() => SecretKeyring.LoadOrCreateKeyFile(KeyFile));

        Assert.Equal($"Invalid setting '{SecretKeyring.KeySetting}': the key file '{KeyFile}' {problem}.", error.Message);
    }
}
