using System.Data.Common;
using System.Globalization;

namespace Bridgekeeper.Storage;

/// <summary>The usage report: token and cost sums per group (<c>GET /api/v1/usage</c>) and the dashboard's summary.</summary>
internal sealed partial class AuditStore
{
    /// <summary>
    /// The sums of a group, after its key columns. <c>COUNT(DISTINCT i.id)</c> counts every interception in the group,
    /// including those without token rows; the last counts those with an unpriced token row.
    /// </summary>
    private const string Sums = """
        COUNT(DISTINCT i.id), COALESCE(SUM(t.input_tokens), 0), COALESCE(SUM(t.output_tokens), 0),
        COALESCE(SUM(t.cache_read_tokens), 0), COALESCE(SUM(t.cache_write_tokens), 0), COALESCE(SUM(t.reasoning_tokens), 0),
        SUM(t.cost_usd), COUNT(t.id), COUNT(DISTINCT CASE WHEN t.id IS NOT NULL AND t.cost_usd IS NULL THEN i.id END)
        """;

    private const string Joined = """
        FROM interceptions i
            LEFT JOIN users u ON u.id = i.user_id
            LEFT JOIN token_usages t ON t.interception_id = i.id
        """;

    /// <summary>
    /// Token and cost sums per group, ordered by key. <see cref="UsageRow.CostUsd"/> is 0 for a group without token
    /// rows and null for one whose token rows are all unpriced; <see cref="UsageRow.UnpricedInterceptions"/> counts
    /// interceptions with an unpriced token row.
    /// </summary>
    /// <exception cref="ArgumentException">The group is not one of <see cref="UsageGroups.All"/>.</exception>
    public async Task<IReadOnlyList<UsageRow>> UsageAsync(UsageQuery query, CancellationToken cancellationToken)
    {
        var key = KeyOf(query.GroupBy);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = new SqlWhere(command).Range(query, database.Dialect);
        command.CommandText = $"SELECT {key}, {Sums} {Joined} {where} GROUP BY {key} ORDER BY {key}";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<UsageRow>();
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new UsageGroup(Text(reader, 0)).Add(reader, 1).Row);
        return rows;
    }

    /// <summary>
    /// The usage of the range by time (<see cref="UsageQuery.GroupBy"/>: day or hour), provider, model, client and user,
    /// from one pass over the range: the rows grouped by all five at once, added up per dimension. An interception lies
    /// in exactly one such group, so every sum (interceptions and unpriced ones too) is what its own query would give.
    /// </summary>
    public async Task<UsageSummary> UsageSummaryAsync(UsageQuery query, CancellationToken cancellationToken)
    {
        string[] keys = [KeyOf(query.GroupBy), "i.provider", "i.model", "i.client", KeyOf(UsageGroups.User)];
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = new SqlWhere(command).Range(query, database.Dialect);
        command.CommandText = $"SELECT {string.Join(", ", keys)}, {Sums} {Joined} {where} GROUP BY 1, 2, 3, 4, 5";
        var dimensions = keys.Select(_ => new SortedDictionary<string, UsageGroup>(StringComparer.Ordinal)).ToArray();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                for (var d = 0; d < keys.Length; d++)
                {
                    var key = Text(reader, d);
                    if (!dimensions[d].TryGetValue(key, out var group))
                        dimensions[d][key] = group = new UsageGroup(key);
                    group.Add(reader, keys.Length);
                }
        }
        IReadOnlyList<UsageRow> Rows(int d) => [.. dimensions[d].Values.Select(g => g.Row)];
        return new UsageSummary(Rows(0), Rows(1), Rows(2), Rows(3), Rows(4));
    }

    private string KeyOf(string groupBy) => groupBy switch
    {
        UsageGroups.User => "COALESCE(u.name, '')",
        UsageGroups.Model => "i.model",
        UsageGroups.Provider => "i.provider",
        UsageGroups.Client => "i.client",
        UsageGroups.Day => database.Dialect.DayExpression,
        UsageGroups.Hour => database.Dialect.HourExpression,
        _ => throw new ArgumentException($"Cannot group usage by '{groupBy}'.", nameof(groupBy)),
    };

    private static string Text(DbDataReader reader, int ordinal) => Convert.ToString(reader.GetValue(ordinal), CultureInfo.InvariantCulture) ?? "";

    /// <summary>The sums of one group, added up from the <see cref="Sums"/> of one or more rows.</summary>
    private sealed class UsageGroup(string key)
    {
        private readonly long[] _sums = new long[6];
        private decimal _priced;
        private bool _anyPriced;
        private long _tokenRows;
        private long _unpriced;

        public UsageGroup Add(DbDataReader reader, int first)
        {
            for (var i = 0; i < _sums.Length; i++)
                _sums[i] += Long(reader.GetValue(first + i));
            if (InterceptionReader.OptionalDecimal(reader, first + 6) is { } cost)
                (_priced, _anyPriced) = (_priced + cost, true);
            _tokenRows += Long(reader.GetValue(first + 7));
            _unpriced += Long(reader.GetValue(first + 8));
            return this;
        }

        // SUM over no priced rows is NULL: a group without token rows cost 0, one whose rows are all unpriced is unknown.
        public UsageRow Row => new(key, _sums[0], _sums[1], _sums[2], _sums[3], _sums[4], _sums[5],
            _anyPriced ? _priced : _tokenRows == 0 ? 0m : null, _unpriced);
    }
}
