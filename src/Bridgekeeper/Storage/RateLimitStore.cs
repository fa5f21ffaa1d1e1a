using System.Data.Common;

namespace Bridgekeeper.Storage;

/// <summary>
/// A rate limit on a user, a key or a group (<c>rate_limits</c>): requests and tokens per minute, either or both. A
/// group's is pooled, or with <see cref="PerMember"/> each member's own.
/// </summary>
internal sealed record RateLimitRow(Guid Id, string Scope, Guid SubjectId, long? Rpm, long? Tpm, bool PerMember, DateTimeOffset CreatedAt);

/// <summary>The models a group or a key may use (<c>model_allowlists</c>).</summary>
internal sealed record AllowlistRow(Guid Id, string Scope, Guid SubjectId, IReadOnlyList<string> Patterns, DateTimeOffset CreatedAt);

/// <summary>Rate limits and model allowlists: one of each at most per subject, set (replaced) and deleted whole.</summary>
internal sealed class RateLimitStore(Database database, TimeProvider time)
{
    /// <summary>Sets the limit of a subject, replacing the one it had; its buckets start again full, so a raised limit applies at once.</summary>
    public async Task<RateLimitRow> SetLimitAsync(string scope, Guid subjectId, long? rpm, long? tpm, bool perMember, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Upsert(connection, "rate_limits", "rpm, tpm, per_member", "@rpm, @tpm, @per_member",
            "rpm = excluded.rpm, tpm = excluded.tpm, per_member = excluded.per_member", scope, subjectId);
        command.AddParameter("rpm", rpm);
        command.AddParameter("tpm", tpm);
        command.AddParameter("per_member", perMember);
        var (id, createdAt) = await ReadIdAsync(command, cancellationToken);
        await using var reset = connection.CreateCommand();
        reset.CommandText = "DELETE FROM rate_buckets WHERE limit_id = @id";
        reset.AddParameter("id", database.Dialect.Id(id));
        await reset.ExecuteNonQueryAsync(cancellationToken);
        return new RateLimitRow(id, scope, subjectId, rpm, tpm, perMember, createdAt);
    }

    public async Task<IReadOnlyList<RateLimitRow>> ListLimitsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, scope, subject_id, rpm, tpm, per_member, created_at FROM rate_limits ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<RateLimitRow>();
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new RateLimitRow(SqlDialect.ReadId(reader.GetValue(0)), reader.GetString(1), SqlDialect.ReadId(reader.GetValue(2)),
                reader.IsDBNull(3) ? null : reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetInt64(4),
                Convert.ToBoolean(reader.GetValue(5), System.Globalization.CultureInfo.InvariantCulture), SqlDialect.ReadTimestamp(reader.GetValue(6))));
        return rows;
    }

    /// <summary>Sets the allowlist of a subject, replacing the one it had.</summary>
    public async Task<AllowlistRow> SetAllowlistAsync(string scope, Guid subjectId, IReadOnlyList<string> patterns, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Upsert(connection, "model_allowlists", "patterns", "@patterns", "patterns = excluded.patterns", scope, subjectId);
        command.AddParameter("patterns", string.Join('\n', patterns));
        var (id, createdAt) = await ReadIdAsync(command, cancellationToken);
        return new AllowlistRow(id, scope, subjectId, patterns, createdAt);
    }

    public async Task<IReadOnlyList<AllowlistRow>> ListAllowlistsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, scope, subject_id, patterns, created_at FROM model_allowlists ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<AllowlistRow>();
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new AllowlistRow(SqlDialect.ReadId(reader.GetValue(0)), reader.GetString(1), SqlDialect.ReadId(reader.GetValue(2)),
                reader.GetString(3).Split('\n', StringSplitOptions.RemoveEmptyEntries), SqlDialect.ReadTimestamp(reader.GetValue(4))));
        return rows;
    }

    /// <summary>Deletes a limit (<paramref name="table"/> <c>rate_limits</c>) or an allowlist (<c>model_allowlists</c>) by id; false when there is none.</summary>
    public async Task<bool> DeleteAsync(PolicyTable table, Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = table == PolicyTable.Limits ? "DELETE FROM rate_limits WHERE id = @id" : "DELETE FROM model_allowlists WHERE id = @id";
        command.AddParameter("id", database.Dialect.Id(id));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    private DbCommand Upsert(DbConnection connection, string table, string columns, string values, string update, string scope, Guid subjectId)
    {
        var now = time.GetUtcNow();
        var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO {table} (id, scope, subject_id, {columns}, created_at) VALUES (@id, @scope, @subject_id, {values}, @created_at)
            ON CONFLICT (scope, subject_id) DO UPDATE SET {update}
            RETURNING id, created_at
            """;
        command.AddParameter("id", database.Dialect.Id(Guid.CreateVersion7(now)));
        command.AddParameter("scope", scope);
        command.AddParameter("subject_id", database.Dialect.Id(subjectId));
        command.AddParameter("created_at", database.Dialect.Timestamp(now));
        return command;
    }

    private static async Task<(Guid Id, DateTimeOffset CreatedAt)> ReadIdAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (SqlDialect.ReadId(reader.GetValue(0)), SqlDialect.ReadTimestamp(reader.GetValue(1)));
    }
}

/// <summary>Which policy table <see cref="RateLimitStore.DeleteAsync"/> deletes from.</summary>
internal enum PolicyTable { Limits, Allowlists }
