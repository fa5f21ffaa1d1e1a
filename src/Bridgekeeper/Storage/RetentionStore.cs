using System.Data.Common;

namespace Bridgekeeper.Storage;

/// <summary>
/// Removes old audit data in bounded batches (never one giant DELETE that blocks writers), and lets replicas agree on
/// who runs a scheduled job: the one whose conditional UPDATE of <c>last_run_at</c> matched.
/// </summary>
internal sealed class RetentionStore(Database database)
{
    private static readonly string[] Children = ["prompts", "token_usages", "tool_usages", "thoughts"];

    /// <summary>True for exactly one caller per <paramref name="period"/> across every replica sharing the database.</summary>
    public async Task<bool> TryClaimRunAsync(string job, string owner, DateTimeOffset now, TimeSpan period, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT INTO scheduled_jobs (name, owner, last_run_at, last_result) VALUES (@name, NULL, NULL, NULL) ON CONFLICT (name) DO NOTHING";
            insert.AddParameter("name", job);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var claim = connection.CreateCommand();
        claim.CommandText = "UPDATE scheduled_jobs SET owner = @owner, last_run_at = @now WHERE name = @name AND (last_run_at IS NULL OR last_run_at <= @due)";
        claim.AddParameter("owner", owner);
        claim.AddParameter("now", database.Dialect.Timestamp(now));
        claim.AddParameter("due", database.Dialect.Timestamp(now - period));
        claim.AddParameter("name", job);
        return await claim.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task RecordResultAsync(string job, string result, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE scheduled_jobs SET last_result = @result WHERE name = @name";
        command.AddParameter("result", result);
        command.AddParameter("name", job);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// PostgreSQL only: makes the coming months' partitions and drops every whole month before the cutoff, which is far
    /// cheaper than deleting its rows. Returns how many interceptions went with them (0 on SQLite).
    /// </summary>
    public async Task<long> DropExpiredPartitionsAsync(DateTimeOffset cutoff, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (database.Dialect.Name != SqlDialect.Postgres.Name)
            return 0;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await PostgresPartitions.EnsureAsync(connection, now, cancellationToken);
        return (await PostgresPartitions.DropBeforeAsync(connection, cutoff, cancellationToken)).Sum(month => month.Interceptions);
    }

    /// <summary>Deletes up to <paramref name="batchSize"/> of the oldest interceptions started before the cutoff, with their children, in one transaction.</summary>
    public async Task<int> DeleteBatchAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var ids = new List<object>(batchSize);
        await using (var select = connection.CreateCommand())
        {
            select.Transaction = transaction;
            select.CommandText = "SELECT id FROM interceptions WHERE started_at < @cutoff ORDER BY started_at, id LIMIT @limit";
            select.AddParameter("cutoff", database.Dialect.Timestamp(cutoff));
            select.AddParameter("limit", batchSize);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                ids.Add(reader.GetValue(0));
        }
        if (ids.Count == 0)
            return 0;
        foreach (var table in Children.Append("interceptions"))
            await DeleteAsync(connection, transaction, table, table == "interceptions" ? "id" : "interception_id", ids, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return ids.Count;
    }

    public async Task<long> CountAsync(DateTimeOffset? olderThan, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = olderThan is null ? "SELECT COUNT(*) FROM interceptions" : "SELECT COUNT(*) FROM interceptions WHERE started_at < @cutoff";
        if (olderThan is { } cutoff)
            command.AddParameter("cutoff", database.Dialect.Timestamp(cutoff));
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task DeleteAsync(DbConnection connection, DbTransaction transaction, string table, string column, List<object> ids, CancellationToken ct)
    {
        await using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        var names = new List<string>(ids.Count);
        for (var i = 0; i < ids.Count; i++)
        {
            names.Add("@p" + i);
            delete.AddParameter("p" + i, ids[i]);
        }
        delete.CommandText = $"DELETE FROM {table} WHERE {column} IN ({string.Join(", ", names)})";
        await delete.ExecuteNonQueryAsync(ct);
    }
}
