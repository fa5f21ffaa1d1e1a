using System.Data.Common;

namespace Bridgekeeper.Storage;

/// <summary>Users and their keys. Keys are stored only as a SHA-256 hash plus a display hint.</summary>
internal sealed class UserStore(Database database, TimeProvider time)
{
    public async Task<UserRow> CreateUserAsync(string name, string role, string? email, CancellationToken cancellationToken)
    {
        var user = new UserRow(Guid.CreateVersion7(time.GetUtcNow()), name, email, role, time.GetUtcNow());
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO users (id, name, email, role, created_at) VALUES (@id, @name, @email, @role, @created_at) ON CONFLICT (name) DO NOTHING";
        command.AddParameter("id", database.Dialect.Id(user.Id));
        command.AddParameter("name", name);
        command.AddParameter("email", email);
        command.AddParameter("role", role);
        command.AddParameter("created_at", database.Dialect.Timestamp(user.CreatedAt));
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
            throw new DuplicateNameException($"A user named '{name}' already exists.");
        return user;
    }

    public async Task<IReadOnlyList<UserRow>> ListUsersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, name, email, role, created_at FROM users ORDER BY name";
        return await ReadUsersAsync(command, cancellationToken);
    }

    public async Task<UserRow?> FindUserAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, name, email, role, created_at FROM users WHERE name = @name";
        command.AddParameter("name", name);
        return (await ReadUsersAsync(command, cancellationToken)).SingleOrDefault();
    }

    /// <summary>Gives the named user a new role: the user as changed, or null when there is no such user.</summary>
    public async Task<UserRow?> SetRoleAsync(string name, string role, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE users SET role = @role WHERE name = @name RETURNING id, name, email, role, created_at";
        command.AddParameter("name", name);
        command.AddParameter("role", role);
        return (await ReadUsersAsync(command, cancellationToken)).SingleOrDefault();
    }

    public async Task<long> CountUsersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM users";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<KeyRow> CreateKeyAsync(Guid userId, string? label, DateTimeOffset? expiresAt, byte[] hash, string hint, CancellationToken cancellationToken)
    {
        var key = new KeyRow(Guid.CreateVersion7(time.GetUtcNow()), userId, label, hint, time.GetUtcNow(), expiresAt, null);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO api_keys (id, user_id, label, key_hash, hint, created_at, expires_at, revoked_at)
            VALUES (@id, @user_id, @label, @key_hash, @hint, @created_at, @expires_at, NULL)
            """;
        command.AddParameter("id", database.Dialect.Id(key.Id));
        command.AddParameter("user_id", database.Dialect.Id(userId));
        command.AddParameter("label", label);
        command.AddParameter("key_hash", hash);
        command.AddParameter("hint", hint);
        command.AddParameter("created_at", database.Dialect.Timestamp(key.CreatedAt));
        command.AddParameter("expires_at", expiresAt is { } e ? database.Dialect.Timestamp(e) : null);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return key;
    }

    public async Task<IReadOnlyList<KeyRow>> ListKeysAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, user_id, label, hint, created_at, expires_at, revoked_at FROM api_keys WHERE user_id = @user_id ORDER BY id";
        command.AddParameter("user_id", database.Dialect.Id(userId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<KeyRow>();
        while (await reader.ReadAsync(cancellationToken))
            keys.Add(new KeyRow(SqlDialect.ReadId(reader.GetValue(0)), SqlDialect.ReadId(reader.GetValue(1)),
                reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3), SqlDialect.ReadTimestamp(reader.GetValue(4)),
                OptionalTimestamp(reader, 5), OptionalTimestamp(reader, 6)));
        return keys;
    }

    /// <summary>Whether a key with this id exists (revoked or not).</summary>
    public async Task<bool> KeyExistsAsync(Guid keyId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM api_keys WHERE id = @id";
        command.AddParameter("id", database.Dialect.Id(keyId));
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>Marks a key revoked. False when no such key exists or it was already revoked.</summary>
    public async Task<bool> RevokeKeyAsync(Guid keyId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE api_keys SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL";
        command.AddParameter("id", database.Dialect.Id(keyId));
        command.AddParameter("now", database.Dialect.Timestamp(time.GetUtcNow()));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    /// <summary>The key with this hash and its owner, whatever its state (the caller checks expiry and revocation).</summary>
    public async Task<KeyOwner?> FindKeyAsync(byte[] hash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT k.id, k.key_hash, k.expires_at, k.revoked_at, u.id, u.name, u.role
            FROM api_keys k JOIN users u ON u.id = k.user_id
            WHERE k.key_hash = @key_hash
            """;
        command.AddParameter("key_hash", hash);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new KeyOwner(SqlDialect.ReadId(reader.GetValue(0)), (byte[])reader.GetValue(1), OptionalTimestamp(reader, 2), OptionalTimestamp(reader, 3),
            SqlDialect.ReadId(reader.GetValue(4)), reader.GetString(5), reader.GetString(6));
    }

    private static async Task<IReadOnlyList<UserRow>> ReadUsersAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var users = new List<UserRow>();
        while (await reader.ReadAsync(cancellationToken))
            users.Add(new UserRow(SqlDialect.ReadId(reader.GetValue(0)), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetString(3), SqlDialect.ReadTimestamp(reader.GetValue(4))));
        return users;
    }

    private static DateTimeOffset? OptionalTimestamp(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : SqlDialect.ReadTimestamp(reader.GetValue(ordinal));
}

internal sealed record UserRow(Guid Id, string Name, string? Email, string Role, DateTimeOffset CreatedAt);

internal sealed record KeyRow(Guid Id, Guid UserId, string? Label, string Hint, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt);

internal sealed record KeyOwner(Guid KeyId, byte[] KeyHash, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, Guid UserId, string UserName, string Role);

/// <summary>A unique name is already taken.</summary>
internal sealed class DuplicateNameException(string message) : Exception(message);
