using System.Buffers;
using System.Data.Common;
using System.Text.Json;

namespace Bridgekeeper.Storage;

/// <summary>
/// Reads interceptions and their children. The children of a whole page come from one query per child table
/// (<c>interception_id IN (...)</c>), never one query per interception.
/// </summary>
internal sealed class InterceptionReader(SqlDialect dialect)
{
    /// <summary>The select list and joins; callers add the <c>WHERE</c>, <c>ORDER BY</c> and <c>LIMIT</c>.</summary>
    public const string Select = """
        SELECT i.id, i.user_id, u.name, i.provider, i.provider_type, i.model, i.client, i.user_agent, i.session_id,
            i.streaming, i.status, i.error, i.started_at, i.ended_at, i.metadata
        FROM interceptions i LEFT JOIN users u ON u.id = i.user_id
        """;

    /// <summary>Runs a command built on <see cref="Select"/> and returns the interceptions, children still empty.</summary>
    public static async Task<List<InterceptionView>> ReadRowsAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<InterceptionView>();
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new InterceptionView(
                SqlDialect.ReadId(reader.GetValue(0)),
                new UserRef(SqlDialect.ReadId(reader.GetValue(1)), OptionalString(reader, 2)),
                reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6),
                OptionalString(reader, 7), OptionalString(reader, 8), reader.GetBoolean(9), reader.GetString(10),
                OptionalString(reader, 11), SqlDialect.ReadTimestamp(reader.GetValue(12)), OptionalTimestamp(reader, 13),
                ParseJson(reader.GetString(14)), [], [], [], [], null));
        return rows;
    }

    /// <summary>
    /// Runs a command built on <see cref="Select"/> whose <c>LIMIT</c> is <paramref name="limit"/> + 1: the first
    /// <paramref name="limit"/> rows, children still empty, and whether more followed them.
    /// </summary>
    public static async Task<InterceptionRows> ReadPageAsync(DbCommand command, int limit, CancellationToken cancellationToken)
    {
        command.AddParameter("limit", limit + 1);
        var rows = await ReadRowsAsync(command, cancellationToken);
        var more = rows.Count > limit;
        if (more)
            rows.RemoveAt(rows.Count - 1);
        return new InterceptionRows(rows, more);
    }

    /// <summary>Fills in prompts, token usages, tool usages and thoughts, oldest first within each interception.</summary>
    public async Task<IReadOnlyList<InterceptionView>> WithChildrenAsync(DbConnection connection, IReadOnlyList<InterceptionView> rows,
        CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
            return rows;
        var ids = rows.Select(r => r.Id).ToList();
        var prompts = await LoadAsync(connection, "prompts", "prompt", ids,
            r => new PromptView(r.GetString(1), SqlDialect.ReadTimestamp(r.GetValue(2))), cancellationToken);
        var tokens = await LoadAsync(connection, "token_usages",
            "response_id, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, extra, cost_usd, cache_write_1h_tokens, web_search_requests", ids,
            r => new TokenUsageView(OptionalString(r, 1), Long(r, 2), Long(r, 3), Long(r, 4), Long(r, 5), Long(r, 6),
                ParseJson(r.GetString(7)), OptionalDecimal(r, 8), SqlDialect.ReadTimestamp(r.GetValue(11)), Long(r, 9), Long(r, 10)), cancellationToken);
        var tools = await LoadAsync(connection, "tool_usages", "tool, tool_call_id, input, injected, server_url, result, error, duration_ms", ids,
            r => new ToolUsageView(r.GetString(1), OptionalString(r, 2), r.GetString(3), r.GetBoolean(4), OptionalString(r, 5),
                OptionalString(r, 6), OptionalString(r, 7), r.IsDBNull(8) ? null : r.GetInt64(8), SqlDialect.ReadTimestamp(r.GetValue(9))), cancellationToken);
        var thoughts = await LoadAsync(connection, "thoughts", "content, source", ids,
            r => new ThoughtView(r.GetString(1), r.GetString(2), SqlDialect.ReadTimestamp(r.GetValue(3))), cancellationToken);
        return [.. rows.Select(row => row with
        {
            Prompts = prompts.GetValueOrDefault(row.Id) ?? [],
            TokenUsages = tokens.GetValueOrDefault(row.Id) ?? [],
            ToolUsages = tools.GetValueOrDefault(row.Id) ?? [],
            Thoughts = thoughts.GetValueOrDefault(row.Id) ?? [],
            CostUsd = TotalCost(tokens.GetValueOrDefault(row.Id)),
        })];
    }

    /// <summary>The sum of the rows' costs; null when there are no rows or any row is unpriced (a partial sum would understate).</summary>
    public static decimal? TotalCost(IReadOnlyList<TokenUsageView>? usages)
    {
        if (usages is null || usages.Count == 0)
            return null;
        var total = 0m;
        foreach (var usage in usages)
        {
            if (usage.CostUsd is not { } cost)
                return null;
            total += cost;
        }
        return total;
    }

    /// <summary>
    /// A cost column: exact from PostgreSQL <c>numeric</c>; from a SQLite <c>REAL</c> rounded to 15 significant digits,
    /// which gives back the decimal that was written (and drops binary noise from <c>SUM</c>); either way without trailing
    /// zeros (0.003000 → 0.003), as costs are written.
    /// </summary>
    public static decimal? OptionalDecimal(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : Cost(reader.GetValue(ordinal));

    /// <summary>A cost value as <see cref="OptionalDecimal"/> reads it.</summary>
    public static decimal Cost(object value) => WithoutTrailingZeros(Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The same value without trailing zeros: a decimal quotient takes the smallest scale that holds it.</summary>
    private static decimal WithoutTrailingZeros(decimal value) => value / 1.000000000000000000000000000000000m;

    /// <summary>Stored JSON text as an element; text that is not JSON (never written by us) comes back as a JSON string.</summary>
    public static JsonElement ParseJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
                writer.WriteStringValue(text);
            using var document = JsonDocument.Parse(buffer.WrittenMemory);
            return document.RootElement.Clone();
        }
    }

    /// <summary>Child rows by interception id; the reader sees <c>interception_id</c>, then <paramref name="columns"/>, then <c>created_at</c>.</summary>
    private async Task<Dictionary<Guid, List<T>>> LoadAsync<T>(DbConnection connection, string table, string columns, List<Guid> ids,
        Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        var names = new string[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            names[i] = "@i" + i;
            command.AddParameter("i" + i, dialect.Id(ids[i]));
        }
        command.CommandText = $"SELECT interception_id, {columns}, created_at FROM {table} "
            + $"WHERE interception_id IN ({string.Join(", ", names)}) ORDER BY created_at, id";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var children = new Dictionary<Guid, List<T>>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = SqlDialect.ReadId(reader.GetValue(0));
            if (!children.TryGetValue(id, out var list))
                children[id] = list = [];
            list.Add(read(reader));
        }
        return children;
    }

    private static string? OptionalString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateTimeOffset? OptionalTimestamp(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : SqlDialect.ReadTimestamp(reader.GetValue(ordinal));

    private static long Long(DbDataReader reader, int ordinal) =>
        Convert.ToInt64(reader.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);
}
