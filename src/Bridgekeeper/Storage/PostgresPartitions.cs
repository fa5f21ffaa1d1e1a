using System.Data.Common;
using System.Globalization;
using Npgsql;

namespace Bridgekeeper.Storage;

/// <summary>
/// Monthly partitions of the PostgreSQL audit tables (see <c>Migrations/postgres/0001_initial.sql</c>). Every audit
/// table is partitioned by RANGE on the interception id; ids are UUIDv7, whose first 48 bits are the Unix time in
/// milliseconds, so the partition for a UTC month holds the ids from that month's first millisecond (inclusive) to the
/// next month's (exclusive). Partitions are created ahead of time (at migration, and by whoever runs the scheduled
/// jobs) and a month older than the retention period is dropped whole: children first, then the interceptions.
/// </summary>
internal static class PostgresPartitions
{
    /// <summary>The partitioned tables; <c>interceptions</c> (the referenced one) first.</summary>
    public static readonly IReadOnlyList<string> Tables = ["interceptions", "prompts", "token_usages", "tool_usages", "thoughts"];

    /// <summary>How many months after the current one get a partition in advance.</summary>
    public const int MonthsAhead = 2;

    /// <summary>How long partition DDL waits for a table lock before giving up (it retries on the next run) rather than stall writers queued behind it.</summary>
    private const string LockTimeout = "2s";

    /// <summary>The first id of the UTC month that contains <paramref name="time"/>, as uuid text: the month start's milliseconds, then zeros.</summary>
    public static string MonthStartId(DateTimeOffset time)
    {
        var start = new DateTimeOffset(time.UtcDateTime.Year, time.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var hex = start.ToUnixTimeMilliseconds().ToString("x12", CultureInfo.InvariantCulture);
        return $"{hex[..8]}-{hex[8..]}-0000-0000-000000000000";
    }

    /// <summary>The partition suffix of a month, e.g. <c>_p202611</c>.</summary>
    public static string Suffix(DateTimeOffset monthStart) => monthStart.UtcDateTime.ToString("'_p'yyyyMM", CultureInfo.InvariantCulture);

    /// <summary>
    /// Creates the partitions of the month of <paramref name="now"/> and the <see cref="MonthsAhead"/> months after it,
    /// where missing. A month whose rows already went to the DEFAULT partition (nobody created it in time) is skipped:
    /// those rows stay in DEFAULT and leave by batched delete. Returns the partitions created.
    /// </summary>
    public static async Task<IReadOnlyList<string>> EnsureAsync(DbConnection connection, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var existing = await ListMonthsAsync(connection, cancellationToken);
        var created = new List<string>();
        var month = FirstOfMonth(now);
        for (var i = 0; i <= MonthsAhead; i++, month = month.AddMonths(1))
        {
            if (existing.Contains(month))
                continue;
            try
            {
                await ExecuteAsync(connection, cancellationToken, [.. Tables.Select(table =>
                    $"CREATE TABLE IF NOT EXISTS {table}{Suffix(month)} PARTITION OF {table} " +
                    $"FOR VALUES FROM ('{MonthStartId(month)}') TO ('{MonthStartId(month.AddMonths(1))}')")]);
                created.Add("interceptions" + Suffix(month));
            }
            catch (PostgresException exception) when (exception.SqlState is PostgresErrorCodes.CheckViolation or PostgresErrorCodes.LockNotAvailable)
            {
                // Rows of this month are already in DEFAULT, or the tables are busy: leave it for a later run.
            }
        }
        return created;
    }

    /// <summary>
    /// Drops every month partition that lies wholly before <paramref name="cutoff"/>, oldest first, one month per
    /// transaction: the children's partitions, then the interceptions' (detached first, which checks no child row
    /// still points into it). Returns each dropped month with the number of interceptions it held.
    /// </summary>
    public static async Task<IReadOnlyList<(DateTimeOffset Month, long Interceptions)>> DropBeforeAsync(DbConnection connection, DateTimeOffset cutoff,
        CancellationToken cancellationToken)
    {
        var dropped = new List<(DateTimeOffset, long)>();
        foreach (var month in (await ListMonthsAsync(connection, cancellationToken)).Order())
        {
            if (month.AddMonths(1) > cutoff)
                break;
            var suffix = Suffix(month);
            long count;
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = $"SELECT COUNT(*) FROM interceptions{suffix}";
                count = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
            }
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, cancellationToken,
            [
                $"SET LOCAL lock_timeout = '{LockTimeout}'",
                .. Tables.Skip(1).Select(table => $"DROP TABLE IF EXISTS {table}{suffix}"),
                $"ALTER TABLE interceptions DETACH PARTITION interceptions{suffix}",
                $"DROP TABLE interceptions{suffix}",
            ], transaction);
            await transaction.CommitAsync(cancellationToken);
            dropped.Add((month, count));
        }
        return dropped;
    }

    /// <summary>The months that have an <c>interceptions</c> partition.</summary>
    public static async Task<HashSet<DateTimeOffset>> ListMonthsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT c.relname FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
            WHERE h.inhparent = 'interceptions'::regclass AND c.relname ~ '^interceptions_p[0-9]{6}$'
            """;
        var months = new HashSet<DateTimeOffset>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var name = reader.GetString(0);
            months.Add(DateTimeOffset.ParseExact(name[^6..], "yyyyMM", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal));
        }
        return months;
    }

    private static DateTimeOffset FirstOfMonth(DateTimeOffset time) => new(time.UtcDateTime.Year, time.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);

    private static async Task ExecuteAsync(DbConnection connection, CancellationToken cancellationToken, IReadOnlyList<string> statements,
        DbTransaction? transaction = null)
    {
        var ownTransaction = transaction is null;
        transaction ??= await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            if (ownTransaction)
                statements = [$"SET LOCAL lock_timeout = '{LockTimeout}'", .. statements];
            foreach (var sql in statements)
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = sql;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            if (ownTransaction)
                await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            if (ownTransaction)
                await transaction.DisposeAsync();
        }
    }
}
