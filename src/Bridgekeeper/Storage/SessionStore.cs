using System.Data.Common;
using System.Globalization;

namespace Bridgekeeper.Storage;

/// <summary>
/// Agent sessions, read from the audit trail: a session is the interceptions of one user with one session id (the
/// <c>interceptions_session</c> index). Sessions page newest-started first by the id of their first interception, which
/// never changes as a session grows, so the cursor is stable under concurrent inserts. A page's totals come from three
/// set-shaped queries (the groups, their token rows, their tool calls), never one per session.
/// </summary>
internal sealed class SessionStore(Database database)
{
    /// <summary>A page of sessions whose interceptions match the filters; the totals count the matching interceptions.</summary>
    /// <exception cref="ArgumentException">The limit is out of range or the cursor is not one this store issued.</exception>
    public async Task<SessionPage> ListAsync(InterceptionQuery query, CancellationToken cancellationToken)
    {
        var before = InterceptionCursor.Checked(query);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var sessions = await SummariesAsync(connection, query, sessionId: null, before, query.Limit + 1, cancellationToken);
        var more = sessions.Count > query.Limit;
        if (more)
            sessions.RemoveAt(sessions.Count - 1);
        return new SessionPage([.. sessions.Select(s => s.Summary)], more ? InterceptionCursor.Format(sessions[^1].FirstId) : null);
    }

    /// <summary>
    /// The session <paramref name="sessionId"/> as the caller may see it (<see cref="InterceptionQuery.OnlyUserId"/>,
    /// <see cref="InterceptionQuery.User"/>) and a page of its interceptions, oldest first, after
    /// <see cref="InterceptionQuery.Cursor"/>, without their children (see <see cref="AuditStore.WithChildrenAsync"/>).
    /// Null when it has no interception the caller may see. When several users sent the same session id, the totals
    /// are theirs together and the first interception's user is the session's.
    /// </summary>
    /// <exception cref="ArgumentException">The limit is out of range or the cursor is not one this store issued.</exception>
    public async Task<(SessionSummary Session, InterceptionRows Thread)?> GetAsync(string sessionId, InterceptionQuery query, CancellationToken cancellationToken)
    {
        var after = InterceptionCursor.Checked(query);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var parts = await SummariesAsync(connection, query with { Cursor = null }, sessionId, before: null, limit: null, cancellationToken);
        if (parts.Count == 0)
            return null;
        var summary = parts.Count == 1 ? parts[0].Summary : Merge(parts);

        var dialect = database.Dialect;
        await using var command = connection.CreateCommand();
        var where = Scoped(new SqlWhere(command), query, sessionId)
            .Add("i.id > @after", "after", after is { } a ? dialect.Id(a) : null);
        command.CommandText = $"{InterceptionReader.Select}{where} ORDER BY i.id LIMIT @limit";
        return (summary, await InterceptionReader.ReadPageAsync(command, query.Limit, cancellationToken));
    }

    /// <summary>The sessions (newest-started first) with their totals: all of them, or those of one session id.</summary>
    private async Task<List<(SessionSummary Summary, Guid FirstId)>> SummariesAsync(DbConnection connection, InterceptionQuery query,
        string? sessionId, Guid? before, int? limit, CancellationToken cancellationToken)
    {
        var dialect = database.Dialect;
        var groups = new List<(string Session, Guid User, string? Name, string Client, Guid FirstId, long Total, long Failed, DateTimeOffset FirstAt, DateTimeOffset LastAt)>();
        await using (var command = connection.CreateCommand())
        {
            var where = Scoped(new SqlWhere(command), query, sessionId);
            var having = "";
            if (before is { } b)
            {
                having = $" HAVING {dialect.MinId} < @before";
                command.AddParameter("before", dialect.Id(b));
            }
            var limitClause = "";
            if (limit is { } l)
            {
                limitClause = " LIMIT @limit";
                command.AddParameter("limit", l);
            }
            command.CommandText = $"""
                WITH s AS (
                    SELECT i.session_id AS session_id, i.user_id AS user_id, {dialect.MinId} AS first_id, COUNT(*) AS total,
                        SUM(CASE WHEN i.status = 'failed' THEN 1 ELSE 0 END) AS failed, MIN(i.started_at) AS first_at,
                        MAX(COALESCE(i.ended_at, i.started_at)) AS last_at
                    FROM interceptions i{where}
                    GROUP BY i.session_id, i.user_id{having}
                    ORDER BY first_id DESC{limitClause}
                )
                SELECT s.session_id, s.user_id, u.name, f.client, s.first_id, s.total, s.failed, s.first_at, s.last_at
                FROM s JOIN interceptions f ON f.id = s.first_id LEFT JOIN users u ON u.id = s.user_id
                ORDER BY s.first_id DESC
                """;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                groups.Add((reader.GetString(0), SqlDialect.ReadId(reader.GetValue(1)), reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.GetString(3), SqlDialect.ReadId(reader.GetValue(4)), Long(reader.GetValue(5)), Long(reader.GetValue(6)),
                    SqlDialect.ReadTimestamp(reader.GetValue(7)), SqlDialect.ReadTimestamp(reader.GetValue(8))));
        }
        if (groups.Count == 0)
            return [];

        var sessions = groups.Select(g => g.Session).Distinct().ToList();
        var tokens = await PerGroupAsync(connection, query, sessions, """
            COALESCE(SUM(t.input_tokens), 0), COALESCE(SUM(t.output_tokens), 0), COALESCE(SUM(t.cache_read_tokens), 0),
            COALESCE(SUM(t.cache_write_tokens), 0), COALESCE(SUM(t.reasoning_tokens), 0), SUM(t.cost_usd), COUNT(t.id),
            COUNT(DISTINCT CASE WHEN t.cost_usd IS NULL THEN i.id END)
            """, "token_usages t ON t.interception_id = i.id", cancellationToken);
        var tools = await PerGroupAsync(connection, query, sessions, "COUNT(*), SUM(CASE WHEN tu.injected THEN 1 ELSE 0 END)",
            "tool_usages tu ON tu.interception_id = i.id", cancellationToken);
        return [.. groups.Select(g =>
        {
            var t = tokens.GetValueOrDefault((g.Session, g.User));
            var tu = tools.GetValueOrDefault((g.Session, g.User));
            long At(object?[]? values, int index) => values is null || values[index] is null ? 0 : Long(values[index]!);
            // SUM over no priced rows is NULL: a session without token rows cost 0, one whose rows are all unpriced is unknown.
            decimal? cost = t?[5] is { } sum ? InterceptionReader.Cost(sum) : At(t, 6) == 0 ? 0m : null;
            return (new SessionSummary(g.Session, new UserRef(g.User, g.Name), g.Client, g.FirstAt, g.LastAt, g.Total, g.Failed,
                At(t, 0), At(t, 1), At(t, 2), At(t, 3), At(t, 4), cost, At(t, 7), At(tu, 0), At(tu, 1)), g.FirstId);
        })];
    }

    /// <summary>One aggregate row per (session, user) over the matching interceptions joined to a child table.</summary>
    private async Task<Dictionary<(string Session, Guid User), object?[]>> PerGroupAsync(DbConnection connection, InterceptionQuery query,
        List<string> sessions, string aggregates, string join, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        var where = Scoped(new SqlWhere(command), query, sessionId: null);
        var names = new string[sessions.Count];
        for (var i = 0; i < sessions.Count; i++)
        {
            names[i] = "@s" + i;
            command.AddParameter("s" + i, sessions[i]);
        }
        where.Always($"i.session_id IN ({string.Join(", ", names)})");
        command.CommandText = $"SELECT i.session_id, i.user_id, {aggregates} FROM interceptions i JOIN {join}{where} GROUP BY i.session_id, i.user_id";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new Dictionary<(string, Guid), object?[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var values = new object?[reader.FieldCount - 2];
            for (var i = 0; i < values.Length; i++)
                values[i] = reader.IsDBNull(i + 2) ? null : reader.GetValue(i + 2);
            rows[(reader.GetString(0), SqlDialect.ReadId(reader.GetValue(1)))] = values;
        }
        return rows;
    }

    /// <summary>The query's filters on interceptions that have a session (or the given one).</summary>
    private SqlWhere Scoped(SqlWhere where, InterceptionQuery query, string? sessionId) => sessionId is null
        ? where.Always("i.session_id IS NOT NULL").Filters(query, database.Dialect)
        : where.Add("i.session_id = @session", "session", sessionId).Filters(query, database.Dialect);

    /// <summary>The parts of one session id that several users sent, as one session.</summary>
    private static SessionSummary Merge(List<(SessionSummary Summary, Guid FirstId)> parts)
    {
        var first = parts.MinBy(p => p.FirstId).Summary;
        var all = parts.Select(p => p.Summary).ToList();
        decimal? cost = all.All(s => s.CostUsd is null) ? null : all.Sum(s => s.CostUsd ?? 0m);
        return first with
        {
            LastAt = all.Max(s => s.LastAt),
            Interceptions = all.Sum(s => s.Interceptions),
            FailedInterceptions = all.Sum(s => s.FailedInterceptions),
            InputTokens = all.Sum(s => s.InputTokens),
            OutputTokens = all.Sum(s => s.OutputTokens),
            CacheReadTokens = all.Sum(s => s.CacheReadTokens),
            CacheWriteTokens = all.Sum(s => s.CacheWriteTokens),
            ReasoningTokens = all.Sum(s => s.ReasoningTokens),
            CostUsd = cost,
            UnpricedInterceptions = all.Sum(s => s.UnpricedInterceptions),
            ToolCalls = all.Sum(s => s.ToolCalls),
            InjectedToolCalls = all.Sum(s => s.InjectedToolCalls),
        };
    }

    private static long Long(object value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);
}
