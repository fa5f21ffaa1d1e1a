using System.Data.Common;
using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;

namespace Bridgekeeper.Storage;

/// <summary>
/// The PostgreSQL fast path of <see cref="AuditStore.AppendAsync"/>: a batch becomes at most one statement per table,
/// each a multi-row <c>INSERT … SELECT FROM unnest(array, …)</c> (or <c>UPDATE … FROM unnest</c>), all sent in a single
/// round trip (<see cref="NpgsqlBatch"/>) inside the caller's transaction. The statements never change with the batch
/// size, so their plans are reused. Order: new interceptions, then children (whose foreign keys need them), then ends.
/// Every insert is idempotent (a child keeps the id it was first given, however often its batch is retried), so a
/// batch retried after a commit whose acknowledgement was lost lands once.
/// </summary>
internal static class PostgresBatchWriter
{
    private static readonly ConditionalWeakTable<AuditRecord, StrongBox<Guid>> ChildIds = [];

    public static async Task WriteAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<AuditRecord> records,
        CancellationToken cancellationToken)
    {
        var started = new Rows();
        var prompts = new Rows();
        var tokens = new Rows();
        var tools = new Rows();
        var thoughts = new Rows();
        var ended = new Dictionary<Guid, InterceptionEnded>();
        foreach (var record in records)
        {
            switch (record)
            {
                case InterceptionStarted r:
                    started.Add(r.InterceptionId, r.UserId, r.Provider, r.ProviderType, r.Model, r.Client, r.UserAgent, r.SessionId, r.Streaming,
                        InterceptionStatus.InProgress, Utc(r.At), r.MetadataJson);
                    break;
                case InterceptionEnded r:
                    ended[r.InterceptionId] = r;   // the last end of an interception wins, as if applied in order
                    break;
                case PromptRecorded r:
                    prompts.Add(ChildId(r), r.InterceptionId, r.Prompt, Utc(r.At));
                    break;
                case TokenUsageRecorded r:
                    tokens.Add(ChildId(r), r.InterceptionId, r.ResponseId, r.InputTokens, r.OutputTokens, r.CacheReadTokens, r.CacheWriteTokens,
                        r.ReasoningTokens, r.ExtraJson, r.CostUsd, Utc(r.At));
                    break;
                case ToolUsageRecorded r:
                    tools.Add(ChildId(r), r.InterceptionId, r.Tool, r.ToolCallId, r.Input, r.Injected, r.ServerUrl, r.Result, r.Error, r.DurationMs, Utc(r.At));
                    break;
                case ThoughtRecorded r:
                    thoughts.Add(ChildId(r), r.InterceptionId, r.Content, r.Source, Utc(r.At));
                    break;
                default:
                    throw new ArgumentException($"Unknown audit record type {record.GetType().Name}.", nameof(records));
            }
        }

        await using var batch = new NpgsqlBatch((NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        Add(batch, started, """
            INSERT INTO interceptions (id, user_id, provider, provider_type, model, client, user_agent, session_id, streaming, status, started_at, metadata)
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::boolean[],
                $10::text[], $11::timestamptz[], $12::text[])
            ON CONFLICT (id) DO NOTHING
            """);
        Add(batch, prompts, """
            INSERT INTO prompts (id, interception_id, prompt, created_at)
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[])
            ON CONFLICT DO NOTHING
            """);
        Add(batch, tokens, """
            INSERT INTO token_usages (id, interception_id, response_id, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
                reasoning_tokens, extra, cost_usd, created_at)
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[],
                $9::text[], $10::numeric[], $11::timestamptz[])
            ON CONFLICT DO NOTHING
            """);
        Add(batch, tools, """
            INSERT INTO tool_usages (id, interception_id, tool, tool_call_id, input, injected, server_url, result, error, duration_ms, created_at)
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[], $8::text[], $9::text[],
                $10::bigint[], $11::timestamptz[])
            ON CONFLICT DO NOTHING
            """);
        Add(batch, thoughts, """
            INSERT INTO thoughts (id, interception_id, content, source, created_at)
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[])
            ON CONFLICT DO NOTHING
            """);
        var ends = new Rows();
        foreach (var r in ended.Values)
            ends.Add(r.InterceptionId, r.Status, r.Error, Utc(r.At));
        Add(batch, ends, """
            UPDATE interceptions AS i SET status = e.status, error = e.error, ended_at = e.ended_at
            FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[]) AS e (id, status, error, ended_at)
            WHERE i.id = e.id
            """);
        if (batch.BatchCommands.Count > 0)
            await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The id of a child row: made once per record, so a retried batch inserts the same ids (and conflicts).</summary>
    private static Guid ChildId(AuditRecord record) =>
        ChildIds.GetValue(record, static r => new StrongBox<Guid>(Guid.CreateVersion7(r.At))).Value;

    private static DateTime Utc(DateTimeOffset at) => at.UtcDateTime;

    private static void Add(NpgsqlBatch batch, Rows rows, string sql)
    {
        if (rows.Count == 0)
            return;
        var command = new NpgsqlBatchCommand(sql);
        foreach (var column in rows.Columns)
            command.Parameters.Add(column.ToParameter());
        batch.BatchCommands.Add(command);
    }

    /// <summary>Rows of one statement, stored column by column; each column becomes one array parameter.</summary>
    private sealed class Rows
    {
        public List<Column> Columns { get; } = [];
        public int Count { get; private set; }

        public void Add(params object?[] values)
        {
            if (Columns.Count == 0)
                Columns.AddRange(values.Select(_ => new Column()));
            for (var i = 0; i < values.Length; i++)
                Columns[i].Values.Add(values[i]);
            Count++;
        }
    }

    /// <summary>One column's values; the array's element type comes from the first non-null value.</summary>
    private sealed class Column
    {
        public List<object?> Values { get; } = [];

        public NpgsqlParameter ToParameter()
        {
            var sample = Values.FirstOrDefault(v => v is not null);
            return sample switch
            {
                Guid => Typed(NpgsqlDbType.Uuid, Values.Select(v => (Guid)v!).ToArray()),
                bool => Typed(NpgsqlDbType.Boolean, Values.Select(v => (bool)v!).ToArray()),
                long => Typed(NpgsqlDbType.Bigint, Values.Select(v => (long?)v).ToArray()),
                decimal => Typed(NpgsqlDbType.Numeric, Values.Select(v => (decimal?)v).ToArray()),
                DateTime => Typed(NpgsqlDbType.TimestampTz, Values.Select(v => (DateTime)v!).ToArray()),
                _ => Typed(NpgsqlDbType.Text, Values.Select(v => (string?)v).ToArray()),
            };
        }

        private static NpgsqlParameter Typed(NpgsqlDbType elementType, Array values) =>
            new() { NpgsqlDbType = NpgsqlDbType.Array | elementType, Value = values };
    }
}
