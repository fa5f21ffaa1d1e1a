using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bridgekeeper.Storage;

/// <summary>
/// Users' personal MCP tokens, encrypted at rest with AES-GCM under a 256-bit key of the <see cref="SecretKeyring"/>.
/// Each value is stored as nonce (12 bytes) || ciphertext || tag (16 bytes) with the id of its key in <c>key_id</c>,
/// bound to its user and server as associated data, so a ciphertext copied to another row does not decrypt. A token is
/// decrypted with the key its id names (a row without an id, written before ids, with any key, current first); one
/// written under a previous key is rewritten under the current key when it is read (<see cref="GetTokensAsync"/>) or
/// by <see cref="RekeyAsync"/> (<c>bridgekeeper mcp token rekey</c>). Tokens are only ever returned to the tool
/// registry, never listed.
/// </summary>
internal sealed partial class McpTokenStore(Database database, TimeProvider time, SecretKeyring keys, ILogger<McpTokenStore>? logger = null)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly ILogger _log = logger ?? (ILogger)NullLogger.Instance;

    public SecretKeyring Keys => keys;

    /// <summary>Stores (or replaces) a user's token for a server under the current key.</summary>
    /// <exception cref="InvalidOperationException">There is no current key (<see cref="SecretKeyring.Problem"/>); callers check first.</exception>
    public async Task SetAsync(Guid userId, string server, string token, CancellationToken cancellationToken)
    {
        var key = keys.Current ?? throw new InvalidOperationException(keys.Problem);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO mcp_tokens (user_id, server, token_ciphertext, key_id, created_at) VALUES (@user_id, @server, @token, @key_id, @created_at)
            ON CONFLICT (user_id, server) DO UPDATE
            SET token_ciphertext = excluded.token_ciphertext, key_id = excluded.key_id, created_at = excluded.created_at
            """;
        command.AddParameter("user_id", database.Dialect.Id(userId));
        command.AddParameter("server", server);
        command.AddParameter("token", Encrypt(key, userId, server, token));
        command.AddParameter("key_id", key.Id);
        command.AddParameter("created_at", database.Dialect.Timestamp(time.GetUtcNow()));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Removes a user's token for a server; false when there was none.</summary>
    public async Task<bool> DeleteAsync(Guid userId, string server, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM mcp_tokens WHERE user_id = @user_id AND server = @server";
        command.AddParameter("user_id", database.Dialect.Id(userId));
        command.AddParameter("server", server);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    /// <summary>The servers a user holds a token for, by name, without the tokens.</summary>
    public async Task<IReadOnlyList<McpTokenRow>> ListAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT server, created_at FROM mcp_tokens WHERE user_id = @user_id ORDER BY server";
        command.AddParameter("user_id", database.Dialect.Id(userId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<McpTokenRow>();
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new McpTokenRow(reader.GetString(0), SqlDialect.ReadTimestamp(reader.GetValue(1))));
        return rows;
    }

    /// <summary>
    /// A user's decrypted tokens by server name; a token found under a previous key (or without a key id) is rewritten
    /// under the current key on the way. Throws <see cref="CryptographicException"/> when a token's key is not in the
    /// keyring, or there is no current key and the user has tokens.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> GetTokensAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = new List<StoredToken>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT user_id, server, token_ciphertext, key_id FROM mcp_tokens WHERE user_id = @user_id";
            command.AddParameter("user_id", database.Dialect.Id(userId));
            await ReadAsync(command, rows, cancellationToken);
        }
        if (rows.Count > 0 && keys.Current is null)
            throw new CryptographicException($"The MCP tokens of user {userId} cannot be read: {keys.Problem}");
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var (token, key) = Decrypt(row);
            tokens[row.Server] = token;
            if (key != keys.Current || row.KeyId is null)
                await RewriteAsync(connection, row, token, cancellationToken);
        }
        return tokens;
    }

    /// <summary>
    /// Rewrites under the current key every token stored under another key or without a key id. Tokens that no key of
    /// the keyring decrypts are left as they are and reported.
    /// </summary>
    /// <exception cref="InvalidOperationException">There is no current key.</exception>
    public async Task<RekeyResult> RekeyAsync(CancellationToken cancellationToken)
    {
        var current = keys.Current ?? throw new InvalidOperationException(keys.Problem);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = new List<StoredToken>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT user_id, server, token_ciphertext, key_id FROM mcp_tokens WHERE key_id IS NULL OR key_id <> @key_id";
            command.AddParameter("key_id", current.Id);
            await ReadAsync(command, rows, cancellationToken);
        }
        var (rewritten, failed) = (0, new List<(Guid, string)>());
        foreach (var row in rows)
        {
            string token;
            try
            {
                token = Decrypt(row).Token;
            }
            catch (CryptographicException)
            {
                failed.Add((row.UserId, row.Server));
                continue;
            }
            if (await RewriteAsync(connection, row, token, cancellationToken))
                rewritten++;
        }
        return new RekeyResult(current.Id, rewritten, failed);
    }

    /// <summary>Encrypts under the current key; for tests.</summary>
    internal byte[] Encrypt(Guid userId, string server, string token) =>
        Encrypt(keys.Current ?? throw new InvalidOperationException(keys.Problem), userId, server, token);

    /// <summary>Decrypts a ciphertext stored with <paramref name="keyId"/> (null: written before key ids).</summary>
    internal string Decrypt(Guid userId, string server, byte[] blob, string? keyId = null) =>
        Decrypt(new StoredToken(userId, server, blob, keyId)).Token;

    private async Task ReadAsync(DbCommand command, List<StoredToken> rows, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new StoredToken(SqlDialect.ReadId(reader.GetValue(0)), reader.GetString(1), (byte[])reader.GetValue(2),
                reader.IsDBNull(3) ? null : reader.GetString(3)));
    }

    /// <summary>Replaces one row's ciphertext with one under the current key, unless the row changed meanwhile.</summary>
    private async Task<bool> RewriteAsync(DbConnection connection, StoredToken row, string token, CancellationToken cancellationToken)
    {
        var current = keys.Current!;
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE mcp_tokens SET token_ciphertext = @token, key_id = @key_id
            WHERE user_id = @user_id AND server = @server AND token_ciphertext = @old
            """;
        command.AddParameter("token", Encrypt(current, row.UserId, row.Server, token));
        command.AddParameter("key_id", current.Id);
        command.AddParameter("user_id", database.Dialect.Id(row.UserId));
        command.AddParameter("server", row.Server);
        command.AddParameter("old", row.Ciphertext);
        var changed = await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        if (changed)
            LogRewritten(_log, row.UserId, row.Server, row.KeyId ?? "none", current.Id);
        return changed;
    }

    private static byte[] Encrypt(SecretKey key, Guid userId, string server, string token)
    {
        var plaintext = Encoding.UTF8.GetBytes(token);
        var blob = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = blob.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.Bytes, TagSize);
        aes.Encrypt(nonce, plaintext, blob.AsSpan(NonceSize, plaintext.Length), blob.AsSpan(NonceSize + plaintext.Length), AssociatedData(userId, server));
        return blob;
    }

    private (string Token, SecretKey Key) Decrypt(StoredToken row)
    {
        if (row.Ciphertext.Length < NonceSize + TagSize)
            throw new CryptographicException($"The stored MCP token for server '{row.Server}' is too short to be valid.");
        if (row.KeyId is not null)
        {
            var key = keys.Find(row.KeyId) ?? throw new CryptographicException(
                $"The stored MCP token for server '{row.Server}' was encrypted under key {row.KeyId}, which is neither {SecretKeyring.KeySetting} ({keys.Current?.Id ?? "not set"}) nor in {SecretKeyring.PreviousKeysSetting}.");
            return TryDecrypt(key, row) is { } token
                ? (token, key)
                : throw new CryptographicException($"The stored MCP token for server '{row.Server}' does not decrypt under key {key.Id}; it was changed.");
        }
        foreach (var key in keys.All)
        {
            if (TryDecrypt(key, row) is { } token)
                return (token, key);
        }
        throw new CryptographicException(
            $"The stored MCP token for server '{row.Server}' does not decrypt; was {SecretKeyring.KeySetting} or the key file changed? Put the old key in {SecretKeyring.PreviousKeysSetting}.");
    }

    private static string? TryDecrypt(SecretKey key, StoredToken row)
    {
        var length = row.Ciphertext.Length - NonceSize - TagSize;
        var plaintext = new byte[length];
        using var aes = new AesGcm(key.Bytes, TagSize);
        try
        {
            aes.Decrypt(row.Ciphertext.AsSpan(0, NonceSize), row.Ciphertext.AsSpan(NonceSize, length), row.Ciphertext.AsSpan(NonceSize + length), plaintext,
                AssociatedData(row.UserId, row.Server));
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        return Encoding.UTF8.GetString(plaintext);
    }

    private static byte[] AssociatedData(Guid userId, string server) => Encoding.UTF8.GetBytes($"{userId:D}/{server}");

    private sealed record StoredToken(Guid UserId, string Server, byte[] Ciphertext, string? KeyId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-encrypted the MCP token of user {UserId} for server {Server}: key {OldKeyId} to key {KeyId}")]
    private static partial void LogRewritten(ILogger logger, Guid userId, string server, string oldKeyId, string keyId);
}

/// <summary>A server a user holds a token for; never the token itself.</summary>
internal sealed record McpTokenRow(string Server, DateTimeOffset CreatedAt);

/// <summary>What <see cref="McpTokenStore.RekeyAsync"/> did: tokens rewritten under key <see cref="KeyId"/>, and those no key decrypts.</summary>
internal sealed record RekeyResult(string KeyId, int Rewritten, IReadOnlyList<(Guid UserId, string Server)> Failed);
