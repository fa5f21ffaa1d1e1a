using System.Data.Common;
using System.Globalization;

namespace Bridgekeeper.Storage;

/// <summary>The usage report: token and cost sums per group (<c>GET /api/v1/usage</c>) and the dashboard's summary.</summary>
internal sealed partial class AuditStore
{
    /// <summary>
    /// The sums of a group, after its key columns, from the totals each interception carries (migration 0010 keeps them
    /// with a trigger on <c>token_usages</c>): every interception counts, with or without token rows; the last counts
    /// those with an unpriced token row.
    /// </summary>
    private static readonly string[] SumColumns =
    [
        "COUNT(*)", "SUM(i.input_tokens)", "SUM(i.output_tokens)", "SUM(i.cache_read_tokens)", "SUM(i.cache_write_tokens)", "SUM(i.reasoning_tokens)",
        "SUM(i.priced_cost_e10)", "SUM(i.priced_rows)", "SUM(i.token_rows)", "SUM(CASE WHEN i.token_rows > i.priced_rows THEN 1 ELSE 0 END)",
    ];

    private static readonly string Sums = string.Join(", ", SumColumns);

    /// <summary><see cref="Sums"/> named s0 … s9, for a subquery.</summary>
    private static readonly string SumsAs = string.Join(", ", SumColumns.Select((sum, i) => $"{sum} AS s{i}"));

    /// <summary>
    /// Token and cost sums per group, ordered by key. <see cref="UsageRow.CostUsd"/> is 0 for a group without token
    /// rows and null for one whose token rows are all unpriced; <see cref="UsageRow.UnpricedInterceptions"/> counts
    /// interceptions with an unpriced token row.
    /// </summary>
    /// <exception cref="ArgumentException">The group is not one of <see cref="UsageGroups.All"/>.</exception>
    public async Task<IReadOnlyList<UsageRow>> UsageAsync(UsageQuery query, CancellationToken cancellationToken)
    {
        var (key, label) = KeyOf(query.GroupBy);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = new SqlWhere(command).Range(query, database.Dialect);
        var users = query.GroupBy == UsageGroups.User ? "LEFT JOIN users u ON u.id = i.user_id" : "";
        command.CommandText = $"""
            SELECT {label("g.k0")}, g.s0, g.s1, g.s2, g.s3, g.s4, g.s5, g.s6, g.s7, g.s8, g.s9
            FROM (SELECT {key} AS k0, {SumsAs} FROM interceptions i {users} {where} GROUP BY 1) g
            ORDER BY g.k0
            """;
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
        var (time, label) = KeyOf(query.GroupBy);
        const int keys = 5;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = new SqlWhere(command).Range(query, database.Dialect);
        // Grouped by the user's id and named after (a join per group, not per interception).
        command.CommandText = $"""
            SELECT {label("g.k0")}, g.k1, g.k2, g.k3, COALESCE(u.name, ''), g.s0, g.s1, g.s2, g.s3, g.s4, g.s5, g.s6, g.s7, g.s8, g.s9
            FROM (SELECT {time} AS k0, i.provider AS k1, i.model AS k2, i.client AS k3, i.user_id AS k4, {SumsAs}
                  FROM interceptions i {where} GROUP BY 1, 2, 3, 4, 5) g
                LEFT JOIN users u ON u.id = g.k4
            """;
        var dimensions = Enumerable.Range(0, keys).Select(_ => new SortedDictionary<string, UsageGroup>(StringComparer.Ordinal)).ToArray();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                for (var d = 0; d < keys; d++)
                {
                    var key = Text(reader, d);
                    if (!dimensions[d].TryGetValue(key, out var group))
                        dimensions[d][key] = group = new UsageGroup(key);
                    group.Add(reader, keys);
                }
        }
        IReadOnlyList<UsageRow> Rows(int d) => [.. dimensions[d].Values.Select(g => g.Row)];
        return new UsageSummary(Rows(0), Rows(1), Rows(2), Rows(3), Rows(4));
    }

    /// <summary>What rows are grouped by for <paramref name="groupBy"/>, and how a grouped value becomes the key's text.</summary>
    private (string Key, Func<string, string> Label) KeyOf(string groupBy) => groupBy switch
    {
        UsageGroups.User => ("COALESCE(u.name, '')", Same),
        UsageGroups.Model => ("i.model", Same),
        UsageGroups.Provider => ("i.provider", Same),
        UsageGroups.Client => ("i.client", Same),
        UsageGroups.Day => (database.Dialect.Day.Group, database.Dialect.Day.Label),
        UsageGroups.Hour => (database.Dialect.Hour.Group, database.Dialect.Hour.Label),
        _ => throw new ArgumentException($"Cannot group usage by '{groupBy}'.", nameof(groupBy)),
    };

    private static string Same(string key) => key;

    private static string Text(DbDataReader reader, int ordinal) => Convert.ToString(reader.GetValue(ordinal), CultureInfo.InvariantCulture) ?? "";

    /// <summary>The sums of one group, added up from the <see cref="Sums"/> of one or more rows.</summary>
    private sealed class UsageGroup(string key)
    {
        private readonly long[] _sums = new long[6];
        private decimal _priced;
        private long _pricedRows;
        private long _tokenRows;
        private long _unpriced;

        public UsageGroup Add(DbDataReader reader, int first)
        {
            for (var i = 0; i < _sums.Length; i++)
                _sums[i] += Long(reader.GetValue(first + i));
            _priced += Convert.ToDecimal(reader.GetValue(first + 6), CultureInfo.InvariantCulture);   // in 1e-10 USD
            _pricedRows += Long(reader.GetValue(first + 7));
            _tokenRows += Long(reader.GetValue(first + 8));
            _unpriced += Long(reader.GetValue(first + 9));
            return this;
        }

        // A group without token rows cost 0; one whose token rows are all unpriced is unknown.
        public UsageRow Row => new(key, _sums[0], _sums[1], _sums[2], _sums[3], _sums[4], _sums[5],
            _pricedRows > 0 ? InterceptionReader.Cost(_priced / 10_000_000_000m) : _tokenRows == 0 ? 0m : null, _unpriced);
    }
}
