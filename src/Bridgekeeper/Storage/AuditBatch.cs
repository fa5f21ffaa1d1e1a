namespace Bridgekeeper.Storage;

/// <summary>
/// A batch of audit records shaped into rows, one set per statement: every table gets one insert statement per batch
/// (PostgreSQL: one multi-row <c>unnest</c> of arrays; SQLite: one prepared statement stepped once per row), and the ends
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
        ("cost_usd", AuditColumnType.Numeric), ("created_at", AuditColumnType.Timestamp));

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

    public AuditRows NewInterceptions { get; } = new(Interceptions);
    public AuditRows EndedInterceptions { get; } = new(Ends);
    public AuditRows PromptRows { get; } = new(Prompts);
    public AuditRows TokenUsageRows { get; } = new(TokenUsages);
    public AuditRows ToolUsageRows { get; } = new(ToolUsages);
    public AuditRows ThoughtRows { get; } = new(Thoughts);

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
                    batch.NewInterceptions.Add(r.InterceptionId, r.UserId, r.Provider, r.ProviderType, r.Model, r.Client, r.UserAgent, r.SessionId,
                        r.Streaming, ended?.Status ?? InterceptionStatus.InProgress, ended?.Error, r.At, ended?.At, r.MetadataJson);
                    break;
                case InterceptionEnded:
                    break;
                case PromptRecorded r:
                    batch.PromptRows.Add(Id(i), r.InterceptionId, r.Prompt, r.At);
                    break;
                case TokenUsageRecorded r:
                    batch.TokenUsageRows.Add(Id(i), r.InterceptionId, r.ResponseId, r.InputTokens, r.OutputTokens, r.CacheReadTokens,
                        r.CacheWriteTokens, r.ReasoningTokens, r.ExtraJson, r.CostUsd, r.At);
                    break;
                case ToolUsageRecorded r:
                    batch.ToolUsageRows.Add(Id(i), r.InterceptionId, r.Tool, r.ToolCallId, r.Input, r.Injected, r.ServerUrl, r.Result, r.Error,
                        r.DurationMs, r.At);
                    break;
                case ThoughtRecorded r:
                    batch.ThoughtRows.Add(Id(i), r.InterceptionId, r.Content, r.Source, r.At);
                    break;
                default:
                    throw new ArgumentException($"Unknown audit record type {record.GetType().Name}.", nameof(records));
            }
        }
        foreach (var end in ends.Values)
            batch.EndedInterceptions.Add(end.InterceptionId, end.Status, end.Error, end.At);
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
/// Rows for one statement. Values are <see cref="Guid"/>, <see cref="string"/>, <see cref="bool"/>, <see cref="long"/>,
/// <see cref="decimal"/>, <see cref="DateTimeOffset"/> or null, as the table's column types say.
/// </summary>
internal sealed class AuditRows(AuditTable table)
{
    private readonly List<object?[]> _rows = [];

    public AuditTable Table { get; } = table;
    public IReadOnlyList<object?[]> Rows => _rows;
    public int Count => _rows.Count;

    public void Add(params object?[] values)
    {
        if (values.Length != Table.Columns.Count)
            throw new ArgumentException($"{Table.Name} takes {Table.Columns.Count} values, not {values.Length}.", nameof(values));
        _rows.Add(values);
    }

    /// <summary>One column's values, top to bottom.</summary>
    public IEnumerable<object?> Column(int index) => _rows.Select(row => row[index]);
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
