using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bridgekeeper.Auth;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.EndToEndTests.Mcp;
using Bridgekeeper.MockUpstream;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Storage;
using Bridgekeeper.Tests.Tools;
using Bridgekeeper.Tools;
using Microsoft.Extensions.DependencyInjection;

namespace Bridgekeeper.EndToEndTests;

/// <summary>
/// The key that encrypts per-user MCP tokens: rotated without losing a token (read under a previous key, then rewritten
/// under the current one, by a read or by <c>mcp token rekey</c>), needed only when tokens are stored, and the files
/// the gateway creates beside a SQLite database are its owner's alone.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class SecretKeyTests : IAsyncLifetime
{
    private static readonly string[] PrivateTools = ["bmcp_private_add", "bmcp_private_echo", "bmcp_private_fail", "bmcp_private_hang"];
    private readonly byte[] _old = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _new = RandomNumberGenerator.GetBytes(32);
    private readonly string _folder = Directory.CreateTempSubdirectory("bk-keys-e2e-").FullName;
    private TestMcpServer _mcp = null!;
    private MockUpstreamServer _upstream = null!;
    private string _database = null!;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _mcp = await TestMcpServer.StartAsync(ct);
        _upstream = await MockUpstreamServer.StartAsync(new MockUpstreamOptions(), ct);
        _database = TestPostgres.Selected ? await TestPostgres.CreateDatabaseAsync(ct) : Path.Combine(_folder, "bk.db");
    }

    public async ValueTask DisposeAsync()
    {
        await _upstream.DisposeAsync();
        await _mcp.DisposeAsync();
        if (TestPostgres.Selected)
            await TestPostgres.DropDatabaseAsync(_database);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static string Base64(byte[] key) => Convert.ToBase64String(key);

    private static string Id(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key))[..8];

    [Fact]
    public async Task Rotation_TokenUnderThePreviousKey_IsReadThenRewrittenUnderTheNewKey()
    {
        var ct = TestContext.Current.CancellationToken;
        var (adminKey, aliceKey) = await StoreUnderTheOldKeyAsync(("alice", "tok-alice-1"));
        Assert.Equal([Id(_old)], await KeyIdsAsync(ct));

        // The new key alone cannot read it, and says which setting would.
        await using (var newOnly = await StartAsync(_new, null, adminKey))
        {
            Assert.Empty(await ReadyToolsAsync(newOnly, aliceKey));
            Assert.Contains(newOnly.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains(
                $"encrypted under key {Id(_old)}, which is neither BRIDGEKEEPER_SECRET_KEY ({Id(_new)}) nor in BRIDGEKEEPER_SECRET_KEY_PREVIOUS", StringComparison.Ordinal));
        }
        Assert.Equal([Id(_old)], await KeyIdsAsync(ct));

        // With the old key as a previous one: read, used, and rewritten under the new key.
        await using (var rotating = await StartAsync(_new, Base64(_old), adminKey))
        {
            Assert.Equal(PrivateTools, await McpWait.ToolsAsync(rotating, aliceKey, names => names.Count >= 4));
            await EchoThroughTheToolAsync(rotating, aliceKey);
            Assert.Contains(rotating.Logs.Lines, l => l.Contains($"Re-encrypted the MCP token of user", StringComparison.Ordinal)
                && l.Contains($"for server private: key {Id(_old)} to key {Id(_new)}", StringComparison.Ordinal));
        }
        Assert.Equal([Id(_new)], await KeyIdsAsync(ct));

        // The old key can go.
        await using (var after = await StartAsync(_new, null, adminKey))
        {
            Assert.Equal(PrivateTools, await McpWait.ToolsAsync(after, aliceKey, names => names.Count >= 4));
            await EchoThroughTheToolAsync(after, aliceKey);
        }
        Assert.All(_mcp.Authorizations.Where(a => a is not null), a => Assert.Equal("Bearer tok-alice-1", a));
    }

    [Fact]
    public async Task Rekey_Cli_RewritesEveryTokenUnderTheNewKey_AndNamesTheOnesNoKeyReads()
    {
        var ct = TestContext.Current.CancellationToken;
        var (adminKey, aliceKey) = await StoreUnderTheOldKeyAsync(("alice", "tok-alice-2"), ("bob", "tok-bob-2"));
        Dictionary<string, string?> keys = new() { ["BRIDGEKEEPER_SECRET_KEY"] = Base64(_new), ["BRIDGEKEEPER_SECRET_KEY_PREVIOUS"] = Base64(_old) };

        var rekey = await GatewayProcess.RunAsync(["mcp", "token", "rekey", "--database", _database], keys);
        var again = await GatewayProcess.RunAsync(["mcp", "token", "rekey", "--database", _database], keys);
        var withoutPrevious = await GatewayProcess.RunAsync(["mcp", "token", "rekey", "--database", _database],
            new Dictionary<string, string?> { ["BRIDGEKEEPER_SECRET_KEY"] = Base64(RandomNumberGenerator.GetBytes(32)) });

        Assert.Equal((0, $"Re-encrypted 2 MCP tokens under key {Id(_new)}.\n", ""), rekey);
        Assert.Equal((0, $"Re-encrypted 0 MCP tokens under key {Id(_new)}.\n", ""), again);
        Assert.Equal(1, withoutPrevious.ExitCode);
        Assert.Equal("bridgekeeper: 2 MCP tokens decrypt under no key of BRIDGEKEEPER_SECRET_KEY and BRIDGEKEEPER_SECRET_KEY_PREVIOUS, and were left as they are: "
            + "alice/private, bob/private.\n", withoutPrevious.Stderr);
        Assert.Equal([Id(_new), Id(_new)], await KeyIdsAsync(ct));
        await using var after = await StartAsync(_new, null, adminKey);
        Assert.Equal(PrivateTools, await McpWait.ToolsAsync(after, aliceKey, names => names.Count >= 4));
        await EchoThroughTheToolAsync(after, aliceKey);
        Assert.Contains("Bearer tok-alice-2", _mcp.Authorizations);
    }

    /// <summary>A token stored before key ids existed (the migration leaves <c>key_id</c> empty) still works with the key, and gets its id.</summary>
    [Fact]
    public async Task TokenWithoutKeyId_StillDecryptsWithTheCurrentKey_AndGetsItsId()
    {
        var ct = TestContext.Current.CancellationToken;
        var (adminKey, aliceKey) = await StoreUnderTheOldKeyAsync(("alice", "tok-alice-3"));
        await ExecuteAsync("UPDATE mcp_tokens SET key_id = NULL", ct);
        Assert.Equal([null], await KeyIdsAsync(ct));

        await using var again = await StartAsync(_old, null, adminKey);

        Assert.Equal(PrivateTools, await McpWait.ToolsAsync(again, aliceKey, names => names.Count >= 4));
        await EchoThroughTheToolAsync(again, aliceKey);
        Assert.Equal([Id(_old)], await KeyIdsAsync(ct));
    }

    [Fact]
    public async Task Server_PostgresWithoutSecretKey_StartsAndRefusesToStoreTokensWith503()
    {
        Assert.SkipUnless(TestPostgres.Selected, "PostgreSQL only: a SQLite database always has its key file.");
        var ct = TestContext.Current.CancellationToken;
        using var server = GatewayProcess.Start(["server", "--database", _database, "--http-address", "127.0.0.1:0"]);
        var ready = new TaskCompletionSource<(Uri, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new StringBuilder();
        Uri? url = null;
        server.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            if (Listening().Match(e.Data) is { Success: true } m)
                url = new Uri(m.Groups[1].Value);
            if (e.Data.Trim().StartsWith("bk_", StringComparison.Ordinal) && url is not null)
                ready.TrySetResult((url, e.Data.Trim()));
        };
        server.ErrorDataReceived += (_, e) => errors.AppendLine(e.Data);
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            var (address, admin) = await ready.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            using var client = new HttpClient { BaseAddress = address };
            client.DefaultRequestHeaders.Authorization = new("Bearer", admin);

            using var put = await client.PutAsync("/api/v1/users/admin/mcp-tokens/github",
                new StringContent("""{"token":"tok-pg"}""", Encoding.UTF8, "application/json"), ct);
            using var list = await client.GetAsync("/api/v1/users/admin/mcp-tokens", ct);
            using var ready200 = await client.GetAsync("/readyz", ct);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, put.StatusCode);
            Assert.Equal("""{"error":{"code":"secret_key_missing","message":"This gateway cannot store MCP tokens: BRIDGEKEEPER_SECRET_KEY is not set, and a PostgreSQL database has no key file beside it; set it to base64 of 32 random bytes (openssl rand -base64 32) on every replica."}}""",
                await put.Content.ReadAsStringAsync(ct));
            Assert.Equal((HttpStatusCode.OK, """{"mcp_tokens":[]}"""), (list.StatusCode, await list.Content.ReadAsStringAsync(ct)));
            Assert.Equal(HttpStatusCode.OK, ready200.StatusCode);
        }
        finally
        {
            Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            await server.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
        }
        Assert.Equal("", errors.ToString().Trim());
        var cli = await GatewayProcess.RunAsync(["mcp", "token", "set", "admin", "github", "--database", _database], stdin: "tok-pg\n");
        Assert.Equal((1, "", "bridgekeeper: cannot store MCP tokens: BRIDGEKEEPER_SECRET_KEY is not set, and a PostgreSQL database has no key file beside it; "
            + "set it to base64 of 32 random bytes (openssl rand -base64 32) on every replica.\n"), cli);
    }

    [Fact]
    public async Task SqliteFiles_AfterTraffic_TheDatabaseItsWalAndShmAndTheKeyFileAreMode600()
    {
        Assert.SkipWhen(TestPostgres.Selected, "SQLite files only.");
        var ct = TestContext.Current.CancellationToken;
        await using var gateway = await GatewayUnderTest.StartAsync(_upstream);
        using var client = gateway.CreateClient(await gateway.CreateKeyAsync("mia"));
        using (var response = await client.SendAsync(Wire.Post("/openai/v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"""), ct))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await gateway.WaitForEndedAsync();

        var path = gateway.DatabasePath;
        string[] files = [path, path + "-wal", path + "-shm", Path.Combine(Path.GetDirectoryName(path)!, "bridgekeeper.key")];
        Assert.All(files, file => Assert.Equal((file, UnixFileMode.UserRead | UnixFileMode.UserWrite), (file, File.GetUnixFileMode(file))));
    }

    private Task<GatewayUnderTest> StartAsync(byte[] key, string? previous, string? adminKey) =>
        GatewayUnderTest.StartAsync(_upstream, s => s with
        {
            Database = _database,
            SecretKey = Base64(key),
            SecretKeyPrevious = previous,
            McpServers = [McpServerOptions.Create("BRIDGEKEEPER_MCP_0", "private", _mcp.StreamableUrl.AbsoluteUri, null, null, null, null, requiresUserToken: true)],
        }, adminKey: adminKey);

    /// <summary>A first gateway, under the old key, stores each user's token through the API and stops; returns its admin key and the first user's key.</summary>
    private async Task<(string AdminKey, string FirstUserKey)> StoreUnderTheOldKeyAsync(params (string User, string Token)[] tokens)
    {
        await using var first = await StartAsync(_old, null, null);
        using var admin = first.CreateClient(first.AdminKey);
        var keys = new List<string>();
        foreach (var (user, token) in tokens)
        {
            keys.Add(await first.CreateKeyAsync(user));
            using var put = await admin.PutAsync($"/api/v1/users/{user}/mcp-tokens/private",
                new StringContent(JsonSerializer.Serialize(new { token }), Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        return (first.AdminKey, keys[0]);
    }

    /// <summary>The user's injected tool names once their tokens are read and their connections have had a first try.</summary>
    private static async Task<IReadOnlyList<string>> ReadyToolsAsync(GatewayUnderTest gateway, string key)
    {
        var ct = TestContext.Current.CancellationToken;
        var owner = (await gateway.App.App.Services.GetRequiredService<UserStore>().FindKeyAsync(ApiKey.Hash(key), ct))!;
        await gateway.App.App.Services.GetRequiredService<McpToolRegistry>()
            .WhenReadyAsync(new GatewayUser(owner.UserId, owner.UserName, owner.Role, owner.KeyId), ct);
        using var client = gateway.CreateClient(key);
        return await McpWait.NamesAsync(client, ct);
    }

    private static async Task EchoThroughTheToolAsync(GatewayUnderTest gateway, string key)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = gateway.CreateClient(key);
        using var response = await client.SendAsync(Wire.Post("/anthropic/v1/messages",
            """{"model":"claude-haiku-4-5","max_tokens":64,"messages":[{"role":"user","content":"echo"}]}""",
            ("x-mock-scenario", "tool_call"), ("x-mock-tool", """name=bmcp_private_echo;args={"message":"hi"}""")), ct);
        var body = Wire.Json(await response.Content.ReadAsByteArrayAsync(ct));
        Assert.Equal("Tool said: Echo: hi", body.GetProperty("content").EnumerateArray().Last().GetProperty("text").GetString());
    }

    private async Task<IReadOnlyList<string?>> KeyIdsAsync(CancellationToken ct)
    {
        await using var database = Database.Open(_database);
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT key_id FROM mcp_tokens ORDER BY server, key_id";
        await using var reader = await command.ExecuteReaderAsync(ct);
        var ids = new List<string?>();
        while (await reader.ReadAsync(ct))
            ids.Add(reader.IsDBNull(0) ? null : reader.GetString(0));
        return ids;
    }

    private async Task ExecuteAsync(string sql, CancellationToken ct)
    {
        await using var database = Database.Open(_database);
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    [GeneratedRegex(@"Bridgekeeper listening on (http://\S+)")]
    private static partial Regex Listening();
}
