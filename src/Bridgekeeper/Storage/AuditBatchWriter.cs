using System.Data.Common;

namespace Bridgekeeper.Storage;

/// <summary>
/// Writes audit records inside one transaction. Each statement is prepared once per batch, on first use, and
/// then only its parameter values change from row to row.
/// </summary>
internal sealed class AuditBatchWriter(DbConnection connection, DbTransaction transaction, SqlDialect dialect) : IAsyncDisposable
{
    private static readonly Statement InsertInterception = new("""
        INSERT INTO interceptions (id, user_id, provider, provider_type, model, client, user_agent, session_id, streaming,
            status, error, started_at, ended_at, metadata)
        VALUES (@id, @user_id, @provider, @provider_type, @model, @client, @user_agent, @session_id, @streaming,
            @status, NULL, @started_at, NULL, @metadata)
        ON CONFLICT (id) DO NOTHING
        """, "id", "user_id", "provider", "provider_type", "model", "client", "user_agent", "session_id", "streaming", "status", "started_at", "metadata");

    private static readonly Statement EndInterception = new(
        "UPDATE interceptions SET status = @status, error = @error, ended_at = @ended_at WHERE id = @id",
        "id", "status", "error", "ended_at");

    private static readonly Statement InsertTokenUsage = new("""
        INSERT INTO token_usages (id, interception_id, response_id, input_tokens, output_tokens, cache_read_tokens,
            cache_write_tokens, reasoning_tokens, extra, cost_usd, created_at)
        VALUES (@id, @interception_id, @response_id, @input_tokens, @output_tokens, @cache_read_tokens,
            @cache_write_tokens, @reasoning_tokens, @extra, @cost_usd, @created_at)
        """, "id", "interception_id", "response_id", "input_tokens", "output_tokens", "cache_read_tokens",
        "cache_write_tokens", "reasoning_tokens", "extra", "cost_usd", "created_at");

    private static readonly Statement InsertPrompt = new(
        "INSERT INTO prompts (id, interception_id, prompt, created_at) VALUES (@id, @interception_id, @prompt, @created_at)",
        "id", "interception_id", "prompt", "created_at");

    private static readonly Statement InsertToolUsage = new("""
        INSERT INTO tool_usages (id, interception_id, tool, tool_call_id, input, injected, server_url, result, error, duration_ms, created_at)
        VALUES (@id, @interception_id, @tool, @tool_call_id, @input, @injected, @server_url, @result, @error, @duration_ms, @created_at)
        """, "id", "interception_id", "tool", "tool_call_id", "input", "injected", "server_url", "result", "error", "duration_ms", "created_at");

    private static readonly Statement InsertThought = new(
        "INSERT INTO thoughts (id, interception_id, content, source, created_at) VALUES (@id, @interception_id, @content, @source, @created_at)",
        "id", "interception_id", "content", "source", "created_at");

    private readonly Dictionary<Statement, DbCommand> _prepared = [];

    /// <summary>
    /// Writes one record. An <see cref="InterceptionEnded"/> for an interception that no longer exists (removed by
    /// retention) changes nothing; a child row of a missing interception fails on its foreign key.
    /// </summary>
    public Task WriteAsync(AuditRecord record, CancellationToken cancellationToken) => record switch
    {
        InterceptionStarted r => ExecuteAsync(InsertInterception, cancellationToken,
            Id(r.InterceptionId), Id(r.UserId), r.Provider, r.ProviderType, r.Model, r.Client, r.UserAgent, r.SessionId,
            r.Streaming, InterceptionStatus.InProgress, Time(r.At), r.MetadataJson),
        InterceptionEnded r => ExecuteAsync(EndInterception, cancellationToken, Id(r.InterceptionId), r.Status, r.Error, Time(r.At)),
        TokenUsageRecorded r => ExecuteAsync(InsertTokenUsage, cancellationToken,
            ChildId(r), Id(r.InterceptionId), r.ResponseId, r.InputTokens, r.OutputTokens, r.CacheReadTokens,
            r.CacheWriteTokens, r.ReasoningTokens, r.ExtraJson, r.CostUsd, Time(r.At)),
        PromptRecorded r => ExecuteAsync(InsertPrompt, cancellationToken, ChildId(r), Id(r.InterceptionId), r.Prompt, Time(r.At)),
        ToolUsageRecorded r => ExecuteAsync(InsertToolUsage, cancellationToken,
            ChildId(r), Id(r.InterceptionId), r.Tool, r.ToolCallId, r.Input, r.Injected, r.ServerUrl, r.Result, r.Error, r.DurationMs, Time(r.At)),
        ThoughtRecorded r => ExecuteAsync(InsertThought, cancellationToken, ChildId(r), Id(r.InterceptionId), r.Content, r.Source, Time(r.At)),
        _ => throw new ArgumentException($"Unknown audit record type {record.GetType().Name}.", nameof(record)),
    };

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _prepared.Values)
            await command.DisposeAsync();
        _prepared.Clear();
    }

    private async Task ExecuteAsync(Statement statement, CancellationToken cancellationToken, params object?[] values)
    {
        if (_prepared.TryGetValue(statement, out var command))
        {
            for (var i = 0; i < values.Length; i++)
                command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
        else
        {
            command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = statement.Sql;
            for (var i = 0; i < values.Length; i++)
                command.AddParameter(statement.Parameters[i], values[i]);
            await command.PrepareAsync(cancellationToken);
            _prepared[statement] = command;
        }
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private object Id(Guid id) => dialect.Id(id);

    private object Time(DateTimeOffset at) => dialect.Timestamp(at);

    private object ChildId(AuditRecord record) => dialect.Id(Guid.CreateVersion7(record.At));

    /// <summary>A statement and its parameter names, in the order <see cref="WriteAsync"/> passes values.</summary>
    private sealed class Statement(string sql, params string[] parameters)
    {
        public string Sql { get; } = sql;
        public string[] Parameters { get; } = parameters;
    }
}
