using System.Data.Common;

namespace Bridgekeeper.Storage;

/// <summary>Budget definitions and their accounts (<c>budgets</c>, <c>budget_spend</c>).</summary>
internal sealed class BudgetStore(Database database, TimeProvider time)
{
    public async Task<BudgetRow> CreateAsync(string scope, Guid subjectId, long limitNanos, string period, bool perMember, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var budget = new BudgetRow(Guid.CreateVersion7(now), scope, subjectId, limitNanos, period, perMember, now);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO budgets (id, scope, subject_id, limit_nanos, period, per_member, created_at)
            VALUES (@id, @scope, @subject_id, @limit_nanos, @period, @per_member, @created_at)
            """;
        command.AddParameter("id", database.Dialect.Id(budget.Id));
        command.AddParameter("scope", scope);
        command.AddParameter("subject_id", database.Dialect.Id(subjectId));
        command.AddParameter("limit_nanos", limitNanos);
        command.AddParameter("period", period);
        command.AddParameter("per_member", perMember);
        command.AddParameter("created_at", database.Dialect.Timestamp(now));
        await command.ExecuteNonQueryAsync(cancellationToken);
        return budget;
    }

    /// <summary>Changes a budget's amount; its accounts stay.</summary>
    public async Task SetLimitAsync(Guid id, long limitNanos, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE budgets SET limit_nanos = @limit_nanos WHERE id = @id";
        command.AddParameter("id", database.Dialect.Id(id));
        command.AddParameter("limit_nanos", limitNanos);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes a budget and its accounts; false when there is none with this id.</summary>
    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM budgets WHERE id = @id";
        command.AddParameter("id", database.Dialect.Id(id));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<BudgetRow>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, scope, subject_id, limit_nanos, period, per_member, created_at FROM budgets ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var budgets = new List<BudgetRow>();
        while (await reader.ReadAsync(cancellationToken))
            budgets.Add(new BudgetRow(SqlDialect.ReadId(reader.GetValue(0)), reader.GetString(1), SqlDialect.ReadId(reader.GetValue(2)),
                reader.GetInt64(3), reader.GetString(4), Convert.ToBoolean(reader.GetValue(5), System.Globalization.CultureInfo.InvariantCulture),
                SqlDialect.ReadTimestamp(reader.GetValue(6))));
        return budgets;
    }

    /// <summary>The accounts of periods that began at or after <paramref name="since"/> (the caller picks each budget's current one).</summary>
    public async Task<IReadOnlyList<BudgetSpend>> SpendSinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT budget_id, member, period_start, spent_nanos, reserved_nanos FROM budget_spend WHERE period_start >= @since";
        command.AddParameter("since", database.Dialect.Timestamp(since));
        return await ReadSpendAsync(command, cancellationToken);
    }

    internal static async Task<IReadOnlyList<BudgetSpend>> ReadSpendAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<BudgetSpend>();
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new BudgetSpend(SqlDialect.ReadId(reader.GetValue(0)), reader.GetString(1), SqlDialect.ReadTimestamp(reader.GetValue(2)),
                reader.GetInt64(3), reader.GetInt64(4)));
        return rows;
    }
}
