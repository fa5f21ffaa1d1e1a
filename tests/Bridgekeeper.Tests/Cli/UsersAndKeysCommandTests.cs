using System.Text.Json;
using Bridgekeeper.Auth;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Storage;

namespace Bridgekeeper.Tests.Cli;

[Collection(nameof(ConsoleCollection))]
public sealed class UsersAndKeysCommandTests
{
    [Fact]
    public async Task KeysCreate_ExistingUser_PrintsOnlyAWorkingKey()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        await CliHarness.RunAsync(temp.Path, "users", "create", "alice");

        var (exitCode, output, error) = await CliHarness.RunAsync(temp.Path, "keys", "create", "alice", "--label", "laptop", "--expires", "90d");

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        var key = Assert.Single(CliHarness.Lines(output));
        Assert.Matches("^bk_[A-Za-z0-9_-]{43}$", key);
        Assert.Equal(key + Environment.NewLine, output);
        var owner = await new UserStore(temp.Database, TimeProvider.System).FindKeyAsync(ApiKey.Hash(key), ct);
        Assert.Equal("alice", owner?.UserName);
        Assert.NotNull(owner?.ExpiresAt);
    }

    [Fact]
    public async Task UsersList_JsonFormat_ParsesAsArrayOfUsers()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        await CliHarness.RunAsync(temp.Path, "users", "create", "bob", "--role", "auditor", "--email", "bob@example.com");
        await CliHarness.RunAsync(temp.Path, "users", "create", "alice", "--role", "admin");

        var (exitCode, output, _) = await CliHarness.RunAsync(temp.Path, "users", "list", "--format", "json");

        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(output);
        var users = json.RootElement.EnumerateArray().Select(u => (u.GetProperty("name").GetString(), u.GetProperty("role").GetString(),
            u.GetProperty("email").GetString())).ToList();
        Assert.Equal([("alice", "admin", null), ("bob", "auditor", "bob@example.com")], users);
    }

    [Fact]
    public async Task UsersCreate_BadRole_ExitsWithUsageErrorNamingRole()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);

        var (exitCode, output, error) = await CliHarness.RunAsync(temp.Path, "users", "create", "carol", "--role", "boss");

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Equal("bridgekeeper: role must be one of admin, auditor, member; got 'boss'.", error.Trim());
        Assert.Empty(await new UserStore(temp.Database, TimeProvider.System).ListUsersAsync(ct));
    }

    [Fact]
    public async Task UsersCreate_DuplicateName_ExitsOne()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        await CliHarness.RunAsync(temp.Path, "users", "create", "alice");

        var (exitCode, _, error) = await CliHarness.RunAsync(temp.Path, "users", "create", "alice");

        Assert.Equal(1, exitCode);
        Assert.Contains("'alice' already exists", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysCreate_UnknownUser_ExitsOneWithNothingOnStdout()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);

        var (exitCode, output, error) = await CliHarness.RunAsync(temp.Path, "keys", "create", "nobody");

        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.Contains("No user named 'nobody'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysRevoke_ThenList_ShowsRevokedKeyWithoutSecret()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        await CliHarness.RunAsync(temp.Path, "users", "create", "alice");
        var key = (await CliHarness.RunAsync(temp.Path, "keys", "create", "alice", "--label", "ci")).Out.Trim();
        var owner = await new UserStore(temp.Database, TimeProvider.System).FindKeyAsync(ApiKey.Hash(key), ct);

        var revoke = await CliHarness.RunAsync(temp.Path, "keys", "revoke", owner!.KeyId.ToString());
        var list = await CliHarness.RunAsync(temp.Path, "keys", "list", "alice");

        Assert.Equal(0, revoke.ExitCode);
        Assert.Equal(0, list.ExitCode);
        var lines = CliHarness.Lines(list.Out);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("ID", lines[0], StringComparison.Ordinal);
        Assert.Contains(owner.KeyId.ToString(), lines[1], StringComparison.Ordinal);
        Assert.Contains(ApiKey.Hint(key), lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain(key, list.Out, StringComparison.Ordinal);
        Assert.Equal(1, (await CliHarness.RunAsync(temp.Path, "keys", "revoke", owner.KeyId.ToString())).ExitCode);
        Assert.NotNull((await new UserStore(temp.Database, TimeProvider.System).FindKeyAsync(ApiKey.Hash(key), ct))?.RevokedAt);
    }

    [Theory]
    [InlineData("users", "list", "--format", "xml")]
    [InlineData("users", "create")]
    [InlineData("keys", "create")]
    [InlineData("keys", "revoke", "not-a-guid")]
    public async Task Command_BadUsage_ExitsTwo(params string[] args)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);

        var (exitCode, output, error) = await CliHarness.RunAsync(temp.Path, args);

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.StartsWith("bridgekeeper: ", error, StringComparison.Ordinal);
    }
}
