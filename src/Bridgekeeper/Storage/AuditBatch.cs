namespace Bridgekeeper.Storage;

/// <summary>
/// A batch of audit records shaped into rows, one set per statement: every table gets one insert statement per batch
/// (PostgreSQL: one binary <c>COPY</c>, or one multi-row <c>unnest</c> of arrays on a retry; SQLite: one prepared
/// statement stepped once per row), and the ends
/// of interceptions started in an earlier batch one update statement. An interception whose start and end
/// are both in the batch becomes a single finished row (no insert-then-update), which under load is nearly all of them.
/// Statement order: new interceptions, then children (whose foreign keys need them), then ends. Shape a batch once and
/// retry the shaped batch: child ids are made while shaping (or come with the records, from the audit spool).
/// </summary>
internal sealed class AuditBatch
{
    public static readonly AuditTable Interceptions = new("interceptions",
        ("id", AuditColumnType.Uuid), ("user_id", AuditColumnType.Uuid), ("provider", AuditColumnType.Text), ("provider_type", AuditColumnType.Text),
        ("model", AuditColumnType.Text), ("client", AuditColumnType.Text), ("user_agent", AuditColumnType.Text), ("session_id", AuditColumnType.Text),
        ("streaming", AuditColumnType.Boolean), ("status", AuditColumnType.Text), ("error", AuditColumnType.Text),
        ("started_at", AuditColumnType.Timestamp), ("ended_at", AuditColumnType.Timestamp), ("metadata", AuditColumnType.Text));

    /// <summary>The end of an interception whose row already exists: an update keyed by <c>id</c>.</summary>
    public static readonly AuditTable Ends = new("interceptions",
        ("id", AuditColumnType.Uuid), ("status", AuditColumnType.Text), ("error", AuditColumnType.Text), ("ended_at", AuditColumnType.Timestamp));

    public static readonly AuditTable Prompts = new("prompts",
        ("id", AuditColumnType.Uuid), ("interception_id", AuditColumnType.Uuid), ("prompt", AuditColumnType.Text), ("created_at", AuditColumnType.Timestamp));

    public static readonly AuditTable TokenUsages = new("token_usages",
        ("id", AuditColumnType.Uuid), ("interception_id", AuditColumnType.Uuid), ("response_id", AuditColumnType.Text),
        ("input_tokens", AuditColumnType.Bigint), ("output_tokens", AuditColumnType.Bigint), ("cache_read_tokens", AuditColumnType.Bigint),
        ("cache_write_tokens", AuditColumnType.Bigint), ("reasoning_tokens", AuditColumnType.Bigint), ("extra", AuditColumnType.Text),
        ("cost_usd", AuditColumnType.Numeric), ("created_at", AuditColumnType.Timestamp), ("cache_write_1h_tokens", AuditColumnType.Bigint),
        ("web_search_requests", AuditColumnType.Bigint));

    public static readonly AuditTable ToolUsages = new("tool_usages",
        ("id", AuditColumnType.Uuid), ("interception_id", AuditColumnType.Uuid), ("tool", AuditColumnType.Text), ("tool_call_id", AuditColumnType.Text),
        ("input", AuditColumnType.Text), ("injected", AuditColumnType.Boolean), ("server_url", AuditColumnType.Text), ("result", AuditColumnType.Text),
        ("error", AuditColumnType.Text), ("duration_ms", AuditColumnType.Bigint), ("created_at", AuditColumnType.Timestamp));

    public static readonly AuditTable Thoughts = new("thoughts",
        ("id", AuditColumnType.Uuid), ("interception_id", AuditColumnType.Uuid), ("content", AuditColumnType.Text), ("source", AuditColumnType.Text),
        ("created_at", AuditColumnType.Timestamp));

    private AuditBatch()
    {
    }

    public AuditRows<(InterceptionStarted Start, InterceptionEnded? End)> NewInterceptions { get; } = new(Interceptions, static (row, values) =>
    {
        var (r, ended) = row;
        values.Uuid(r.InterceptionId);
        values.Uuid(r.UserId);
        values.Text(r.Provider);
        values.Text(r.ProviderType);
        values.Text(r.Model);
        values.Text(r.Client);
        values.Text(r.UserAgent);
        values.Text(r.SessionId);
        values.Boolean(r.Streaming);
        values.Text(ended?.Status ?? InterceptionStatus.InProgress);
        values.Text(ended?.Error);
        values.Timestamp(r.At);
        values.Timestamp(ended?.At);
        values.Text(r.MetadataJson);
    });

    public AuditRows<InterceptionEnded> EndedInterceptions { get; } = new(Ends, static (r, values) =>
    {
        values.Uuid(r.InterceptionId);
        values.Text(r.Status);
        values.Text(r.Error);
        values.Timestamp(r.At);
    });

    public AuditRows<(Guid Id, PromptRecorded Record)> PromptRows { get; } = new(Prompts, static (row, values) =>
    {
        values.Uuid(row.Id);
        values.Uuid(row.Record.InterceptionId);
        values.Text(row.Record.Prompt);
        values.Timestamp(row.Record.At);
    });

    public AuditRows<(Guid Id, TokenUsageRecorded Record)> TokenUsageRows { get; } = new(TokenUsages, static (row, values) =>
    {
        var r = row.Record;
        values.Uuid(row.Id);
        values.Uuid(r.InterceptionId);
        values.Text(r.ResponseId);
        values.Bigint(r.InputTokens);
        values.Bigint(r.OutputTokens);
        values.Bigint(r.CacheReadTokens);
        values.Bigint(r.CacheWriteTokens);
        values.Bigint(r.ReasoningTokens);
        values.Text(r.ExtraJson);
        values.Numeric(r.CostUsd);
        values.Timestamp(r.At);
        values.Bigint(r.CacheWrite1hTokens);
        values.Bigint(r.WebSearchRequests);
    });

    public AuditRows<(Guid Id, ToolUsageRecorded Record)> ToolUsageRows { get; } = new(ToolUsages, static (row, values) =>
    {
        var r = row.Record;
        values.Uuid(row.Id);
        values.Uuid(r.InterceptionId);
        values.Text(r.Tool);
        values.Text(r.ToolCallId);
        values.Text(r.Input);
        values.Boolean(r.Injected);
        values.Text(r.ServerUrl);
        values.Text(r.Result);
        values.Text(r.Error);
        values.Bigint(r.DurationMs);
        values.Timestamp(r.At);
    });

    public AuditRows<(Guid Id, ThoughtRecorded Record)> ThoughtRows { get; } = new(Thoughts, static (row, values) =>
    {
        values.Uuid(row.Id);
        values.Uuid(row.Record.InterceptionId);
        values.Text(row.Record.Content);
        values.Text(row.Record.Source);
        values.Timestamp(row.Record.At);
    });

    /// <summary>The inserts, in the order their foreign keys need (interceptions first).</summary>
    public IEnumerable<AuditRows> Inserts => [NewInterceptions, PromptRows, TokenUsageRows, ToolUsageRows, ThoughtRows];

    /// <summary>Shapes records (in the order they were recorded) into rows. The last end of an interception wins, as if applied in order.</summary>
    /// <param name="rowIds">The ids child rows get, one per record (the audit spool's, so that a replay conflicts); an empty id, or none, makes one.</param>
    /// <exception cref="ArgumentException">A record of an unknown type.</exception>
    public static AuditBatch Shape(IReadOnlyList<AuditRecord> records, IReadOnlyList<Guid>? rowIds = null)
    {
        var ends = new Dictionary<Guid, InterceptionEnded>();
        foreach (var record in records)
        {
            if (record is InterceptionEnded end)
                ends[end.InterceptionId] = end;
        }
        var batch = new AuditBatch();
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            switch (record)
            {
                case InterceptionStarted r:
                    ends.Remove(r.InterceptionId, out var ended);
                    batch.NewInterceptions.Add((r, ended));
                    break;
                case InterceptionEnded:
                    break;
                case PromptRecorded r:
                    batch.PromptRows.Add((Id(i), r));
                    break;
                case TokenUsageRecorded r:
                    batch.TokenUsageRows.Add((Id(i), r));
                    break;
                case ToolUsageRecorded r:
                    batch.ToolUsageRows.Add((Id(i), r));
                    break;
                case ThoughtRecorded r:
                    batch.ThoughtRows.Add((Id(i), r));
                    break;
                default:
                    throw new ArgumentException($"Unknown audit record type {record.GetType().Name}.", nameof(records));
            }
        }
        foreach (var end in ends.Values)
            batch.EndedInterceptions.Add(end);
        return batch;

        // Made here, once, unless given: a batch is shaped once and retried as shaped, so a retry after a commit whose
        // acknowledgement was lost inserts the same ids and conflicts instead of landing twice.
        Guid Id(int i) => rowIds is not null && rowIds[i] != Guid.Empty ? rowIds[i] : AuditIds.New(records[i].At);
    }
}

/// <summary>How a column's values are passed: ids, text, flags, integers, decimals and timestamps.</summary>
internal enum AuditColumnType
{
    Uuid,
    Text,
    Boolean,
    Bigint,
    Numeric,
    Timestamp,
}

/// <summary>A table's written columns, in the order rows carry their values.</summary>
internal sealed class AuditTable(string name, params (string Name, AuditColumnType Type)[] columns)
{
    public string Name { get; } = name;
    public IReadOnlyList<(string Name, AuditColumnType Type)> Columns { get; } = columns;

    public string ColumnList => string.Join(", ", Columns.Select(c => c.Name));
}

/// <summary>
/// Receives one row's values, in its table's column order, one call per column (the call names the column's
/// <see cref="AuditColumnType"/>). Each writer binds them its own way, so no value is boxed on the way.
/// </summary>
internal interface IAuditValues
{
    void Uuid(Guid value);
    void Text(string? value);
    void Boolean(bool value);
    void Bigint(long? value);
    void Numeric(decimal? value);
    void Timestamp(DateTimeOffset? value);
}

/// <summary>Rows for one statement, whatever they are shaped from.</summary>
internal abstract class AuditRows(AuditTable table)
{
    public AuditTable Table { get; } = table;
    public abstract int Count { get; }

    /// <summary>Passes row <paramref name="index"/>'s values to <paramref name="values"/>, in <see cref="Table"/>'s column order.</summary>
    public abstract void Write(int index, IAuditValues values);
}

/// <summary>Rows kept as what they were shaped from (the records), turned into column values only when written.</summary>
internal sealed class AuditRows<TRow>(AuditTable table, Action<TRow, IAuditValues> write) : AuditRows(table)
{
    private readonly List<TRow> _rows = [];

    public override int Count => _rows.Count;

    public void Add(TRow row) => _rows.Add(row);

    public override void Write(int index, IAuditValues values) => write(_rows[index], values);
}

/// <summary>The statements both databases share; each writer supplies where the values come from (<c>unnest</c> arrays or <c>?N</c> parameters).</summary>
internal static class AuditSql
{
    /// <summary>
    /// An insert of the rows <paramref name="values"/> yields (a <c>SELECT</c> or <c>VALUES</c>). Every insert is idempotent;
    /// an interception row repeated with its end (a start retried together with an end that followed it) takes the end.
    /// </summary>
    public static string Insert(AuditTable table, string values) =>
        $"INSERT INTO {table.Name} ({table.ColumnList}) {values} ON CONFLICT "
        + (table == AuditBatch.Interceptions
            ? "(id) DO UPDATE SET status = excluded.status, error = excluded.error, ended_at = excluded.ended_at WHERE excluded.ended_at IS NOT NULL"
            : "DO NOTHING");   // a child's key differs by database (PostgreSQL: (interception_id, id)), so no conflict target

    /// <summary>The ends of interceptions written earlier, from the given expressions (and <paramref name="from"/>, when the rows come from a set).</summary>
    public static string UpdateEnds(string? from, string id, string status, string error, string endedAt) =>
        $"UPDATE interceptions SET status = {status}, error = {error}, ended_at = {endedAt} {(from is null ? "" : $"FROM {from} ")}WHERE interceptions.id = {id}";
}
