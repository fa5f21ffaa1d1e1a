using System.Security.Cryptography;
using System.Text;
using Bridgekeeper.Tools;

namespace Bridgekeeper.Storage;

/// <summary>
/// Users' personal MCP tokens, encrypted at rest with AES-GCM under a 256-bit key. Each value is stored as
/// nonce (12 bytes) || ciphertext || tag (16 bytes), bound to its user and server as associated data, so a ciphertext
/// copied to another row does not decrypt. Tokens are only ever returned to the tool registry, never listed.
/// </summary>
internal sealed class McpTokenStore(Database database, TimeProvider time, byte[] key) : IMcpTokenSource
{
    public const string KeySetting = "BRIDGEKEEPER_SECRET_KEY";
    public const string KeyFileName = "bridgekeeper.key";
    public const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _key = key.Length == KeySize
        ? key
        : throw new ArgumentException($"The MCP token key must be {KeySize} bytes.", nameof(key));

    /// <summary>Stores (or replaces) a user's token for a server.</summary>
    public async Task SetAsync(Guid userId, string server, string token, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO mcp_tokens (user_id, server, token_ciphertext, created_at) VALUES (@user_id, @server, @token, @created_at)
            ON CONFLICT (user_id, server) DO UPDATE SET token_ciphertext = excluded.token_ciphertext, created_at = excluded.created_at
            """;
        command.AddParameter("user_id", database.Dialect.Id(userId));
        command.AddParameter("server", server);
        command.AddParameter("token", Encrypt(userId, server, token));
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

    /// <summary>A user's decrypted tokens by server name. Throws <see cref="CryptographicException"/> when the key does not fit.</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetTokensAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT server, token_ciphertext FROM mcp_tokens WHERE user_id = @user_id";
        command.AddParameter("user_id", database.Dialect.Id(userId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            var server = reader.GetString(0);
            tokens[server] = Decrypt(userId, server, (byte[])reader.GetValue(1));
        }
        return tokens;
    }

    /// <summary>
    /// The encryption key: <paramref name="setting"/> (base64 of 32 bytes) when given; otherwise the key file next to the
    /// SQLite database, created with mode 600 on first use.
    /// </summary>
    public static byte[] LoadKey(string? setting, Database database)
    {
        if (!string.IsNullOrWhiteSpace(setting))
        {
            byte[] decoded;
            try
            {
                decoded = Convert.FromBase64String(setting.Trim());
            }
            catch (FormatException)
            {
                throw new SettingsException(KeySetting, "is not base64.");
            }
            return decoded.Length == KeySize
                ? decoded
                : throw new SettingsException(KeySetting, $"must be {KeySize} bytes (base64), not {decoded.Length}; try 'openssl rand -base64 32'.");
        }
        if (database.Dialect != SqlDialect.Sqlite)
            throw new SettingsException(KeySetting, "must be set when the database is not a SQLite file.");
        return LoadOrCreateKeyFile(Path.Combine(Path.GetDirectoryName(database.Description) ?? ".", KeyFileName));
    }

    /// <summary>Reads the key file, or creates it (mode 600) with a fresh random key; a concurrent creator wins cleanly.</summary>
    public static byte[] LoadOrCreateKeyFile(string path)
    {
        if (!File.Exists(path))
        {
            var key = RandomNumberGenerator.GetBytes(KeySize);
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                using (var stream = new FileStream(path, options))
                using (var writer = new StreamWriter(stream))
                    writer.Write(Convert.ToBase64String(key));
                return key;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: use theirs.
            }
        }
        byte[] existing;
        try
        {
            existing = Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
        catch (FormatException)
        {
            throw new SettingsException(KeySetting, $"the key file '{path}' does not hold base64.");
        }
        return existing.Length == KeySize
            ? existing
            : throw new SettingsException(KeySetting, $"the key file '{path}' does not hold a {KeySize}-byte key.");
    }

    internal byte[] Encrypt(Guid userId, string server, string token)
    {
        var plaintext = Encoding.UTF8.GetBytes(token);
        var blob = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = blob.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, blob.AsSpan(NonceSize, plaintext.Length), blob.AsSpan(NonceSize + plaintext.Length), AssociatedData(userId, server));
        return blob;
    }

    internal string Decrypt(Guid userId, string server, byte[] blob)
    {
        if (blob.Length < NonceSize + TagSize)
            throw new CryptographicException($"The stored MCP token for server '{server}' is too short to be valid.");
        var length = blob.Length - NonceSize - TagSize;
        var plaintext = new byte[length];
        using var aes = new AesGcm(_key, TagSize);
        try
        {
            aes.Decrypt(blob.AsSpan(0, NonceSize), blob.AsSpan(NonceSize, length), blob.AsSpan(NonceSize + length), plaintext, AssociatedData(userId, server));
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new CryptographicException($"The stored MCP token for server '{server}' does not decrypt; was {KeySetting} or the key file changed?", e);
        }
        return Encoding.UTF8.GetString(plaintext);
    }

    private static byte[] AssociatedData(Guid userId, string server) => Encoding.UTF8.GetBytes($"{userId:D}/{server}");
}

/// <summary>A server a user holds a token for; never the token itself.</summary>
internal sealed record McpTokenRow(string Server, DateTimeOffset CreatedAt);
