using System.Data.Common;

namespace Bridgekeeper.Storage;

/// <summary>
/// Admission by reservation (issue 16). A request is admitted against each budget that applies to it by one
/// conditional upsert: the account's reservations grow by the request's estimate only while what was spent and what is
/// reserved together are still below the limit. All of a request's budgets are reserved in one transaction, so it
/// holds all or none. Concurrent admissions serialize on the account's row (PostgreSQL's row lock; SQLite's one
/// writer), so the account can pass its limit only by the estimate of the one request admitted last below it.
/// <para>
/// Each reservation names the replica that holds it, and replicas beat a heartbeat into <c>replicas</c>. Settling
/// deletes the reservation and moves its estimate from reserved to the actual cost spent. A reservation whose replica
/// stopped beating (it was killed) is released by whichever replica sweeps first; the <c>DELETE … RETURNING</c> of a
/// reservation decides who releases it, so it is released once.
/// </para>
/// </summary>
internal sealed class BudgetLedger(Database database, TimeProvider time)
{
    /// <summary>Reserves every hold, or none: the index of the first hold whose account is at or over its limit, or null when all are held.</summary>
    public async Task<int?> ReserveAsync(IReadOnlyList<BudgetHold> holds, string replica, CancellationToken cancellationToken)
    {
        var dialect = database.Dialect;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        for (var i = 0; i < holds.Count; i++)
        {
            var hold = holds[i];
            await using var reserve = Command(connection, transaction, """
                INSERT INTO budget_spend (budget_id, member, period_start, spent_nanos, reserved_nanos)
                SELECT @budget_id, @member, @period_start, 0, @amount WHERE @limit > 0
                ON CONFLICT (budget_id, member, period_start) DO UPDATE
                    SET reserved_nanos = budget_spend.reserved_nanos + excluded.reserved_nanos
                    WHERE budget_spend.spent_nanos + budget_spend.reserved_nanos < @limit
                RETURNING spent_nanos
                """, hold);
            reserve.AddParameter("amount", hold.AmountNanos);
            reserve.AddParameter("limit", hold.Budget.LimitNanos);
            if (await reserve.ExecuteScalarAsync(cancellationToken) is null)
            {
                await transaction.RollbackAsync(cancellationToken);
                return i;
            }
            await using var record = Command(connection, transaction, """
                INSERT INTO budget_reservations (id, budget_id, member, period_start, amount_nanos, replica, created_at)
                VALUES (@id, @budget_id, @member, @period_start, @amount, @replica, @now)
                """, hold);
            record.AddParameter("id", dialect.Id(hold.ReservationId));
            record.AddParameter("amount", hold.AmountNanos);
            record.AddParameter("replica", replica);
            record.AddParameter("now", dialect.Timestamp(time.GetUtcNow()));
            await record.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return null;
    }

    /// <summary>
    /// Settles a request's holds: <paramref name="actualNanos"/> is spent on each account, and the estimate it held is
    /// released unless a sweep released it already.
    /// </summary>
    /// <returns>Each account's spend after the settlement, in the order of <paramref name="holds"/>.</returns>
    public async Task<IReadOnlyList<long>> SettleAsync(IReadOnlyList<BudgetHold> holds, long actualNanos, CancellationToken cancellationToken)
    {
        var spent = new List<long>(holds.Count);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var hold in holds)
        {
            await using var delete = connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM budget_reservations WHERE id = @id RETURNING amount_nanos";
            delete.AddParameter("id", database.Dialect.Id(hold.ReservationId));
            var held = await delete.ExecuteScalarAsync(cancellationToken) is { } amount ? Convert.ToInt64(amount, System.Globalization.CultureInfo.InvariantCulture) : 0;
            await using var settle = Command(connection, transaction, """
                UPDATE budget_spend SET spent_nanos = spent_nanos + @actual, reserved_nanos = reserved_nanos - @held
                WHERE budget_id = @budget_id AND member = @member AND period_start = @period_start
                RETURNING spent_nanos
                """, hold);
            settle.AddParameter("actual", actualNanos);
            settle.AddParameter("held", held);
            spent.Add(await settle.ExecuteScalarAsync(cancellationToken) is { } now ? Convert.ToInt64(now, System.Globalization.CultureInfo.InvariantCulture) : 0);
        }
        await transaction.CommitAsync(cancellationToken);
        return spent;
    }

    /// <summary>Claims the notice of <paramref name="threshold"/> % on the hold's account and period: true for the one caller that gets it.</summary>
    public async Task<bool> ClaimNoticeAsync(BudgetHold hold, int threshold, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var claim = Command(connection, transaction, """
            INSERT INTO budget_notices (budget_id, member, period_start, threshold, noticed_at)
            VALUES (@budget_id, @member, @period_start, @threshold, @now) ON CONFLICT DO NOTHING
            """, hold);
        claim.AddParameter("threshold", threshold);
        claim.AddParameter("now", database.Dialect.Timestamp(time.GetUtcNow()));
        var claimed = await claim.ExecuteNonQueryAsync(cancellationToken) == 1;
        await transaction.CommitAsync(cancellationToken);
        return claimed;
    }

    /// <summary>Records that <paramref name="replica"/> is alive now.</summary>
    public async Task HeartbeatAsync(string replica, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO replicas (id, heartbeat_at) VALUES (@id, @now)
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
            """;
        command.AddParameter("id", replica);
        command.AddParameter("now", database.Dialect.Timestamp(time.GetUtcNow()));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Releases the reservations of replicas that have not beaten since <paramref name="aliveSince"/> (or never did), and
    /// forgets those replicas. Returns how many reservations were released.
    /// </summary>
    public async Task<int> ReleaseStrandedAsync(DateTimeOffset aliveSince, CancellationToken cancellationToken)
    {
        var dialect = database.Dialect;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var released = new List<(object Budget, string Member, object PeriodStart, long Amount)>();
        await using (var delete = connection.CreateCommand())
        {
            delete.Transaction = transaction;
            delete.CommandText = """
                DELETE FROM budget_reservations
                WHERE replica NOT IN (SELECT id FROM replicas WHERE heartbeat_at >= @alive_since)
                RETURNING budget_id, member, period_start, amount_nanos
                """;
            delete.AddParameter("alive_since", dialect.Timestamp(aliveSince));
            await using var reader = await delete.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                released.Add((reader.GetValue(0), reader.GetString(1), reader.GetValue(2), reader.GetInt64(3)));
        }
        foreach (var (budget, member, periodStart, amount) in released)
        {
            await using var release = connection.CreateCommand();
            release.Transaction = transaction;
            release.CommandText = """
                UPDATE budget_spend SET reserved_nanos = reserved_nanos - @amount
                WHERE budget_id = @budget_id AND member = @member AND period_start = @period_start
                """;
            release.AddParameter("amount", amount);
            release.AddParameter("budget_id", budget);
            release.AddParameter("member", member);
            release.AddParameter("period_start", periodStart);
            await release.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var forget = connection.CreateCommand())
        {
            forget.Transaction = transaction;
            forget.CommandText = "DELETE FROM replicas WHERE heartbeat_at < @alive_since";
            forget.AddParameter("alive_since", dialect.Timestamp(aliveSince));
            await forget.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return released.Count;
    }

    /// <summary>How many reservations are held now (by anyone), and their sum.</summary>
    public async Task<(long Count, long Nanos)> HeldAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), COALESCE(SUM(amount_nanos), 0) FROM budget_reservations";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture));
    }

    private DbCommand Command(DbConnection connection, DbTransaction transaction, string sql, BudgetHold hold)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.AddParameter("budget_id", database.Dialect.Id(hold.Budget.Id));
        command.AddParameter("member", hold.Member);
        command.AddParameter("period_start", database.Dialect.Timestamp(hold.PeriodStart));
        return command;
    }
}
