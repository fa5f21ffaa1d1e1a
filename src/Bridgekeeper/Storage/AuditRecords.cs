namespace Bridgekeeper.Storage;

/// <summary>
/// The closed family of audit records. Recording queues them; <see cref="AuditStore"/> persists them in order,
/// a batch per transaction. Every record belongs to one interception.
/// </summary>
internal abstract record AuditRecord(Guid InterceptionId, DateTimeOffset At);

internal sealed record InterceptionStarted(
    Guid InterceptionId,
    DateTimeOffset At,
    Guid UserId,
    string Provider,
    string ProviderType,
    string Model,
    string Client,
    string? UserAgent,
    string? SessionId,
    bool Streaming,
    string MetadataJson) : AuditRecord(InterceptionId, At);

internal sealed record InterceptionEnded(
    Guid InterceptionId,
    DateTimeOffset At,
    string Status,
    string? Error) : AuditRecord(InterceptionId, At);

/// <summary>One upstream response's token figures; <see cref="CostUsd"/> is null when the model was unpriced.</summary>
internal sealed record TokenUsageRecorded(
    Guid InterceptionId,
    DateTimeOffset At,
    string? ResponseId,
    long InputTokens,
    long OutputTokens,
    long CacheReadTokens,
    long CacheWriteTokens,
    long ReasoningTokens,
    string ExtraJson,
    decimal? CostUsd = null) : AuditRecord(InterceptionId, At)
{
    /// <summary>How many of <see cref="CacheWriteTokens"/> were 1-hour cache writes (<c>cache_write_1h_tokens</c>).</summary>
    public long CacheWrite1hTokens { get; init; }

    /// <summary>The provider's own web searches for the exchange (<c>web_search_requests</c>), billed per search.</summary>
    public long WebSearchRequests { get; init; }
}

internal sealed record PromptRecorded(
    Guid InterceptionId,
    DateTimeOffset At,
    string Prompt) : AuditRecord(InterceptionId, At);

internal sealed record ToolUsageRecorded(
    Guid InterceptionId,
    DateTimeOffset At,
    string Tool,
    string? ToolCallId,
    string Input,
    bool Injected,
    string? ServerUrl,
    string? Result,
    string? Error,
    long? DurationMs = null) : AuditRecord(InterceptionId, At);

internal sealed record ThoughtRecorded(
    Guid InterceptionId,
    DateTimeOffset At,
    string Content,
    string Source) : AuditRecord(InterceptionId, At);

/// <summary>Interception statuses as stored and shown (SPEC §5).</summary>
internal static class InterceptionStatus
{
    public const string InProgress = "in_progress";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Canceled = "canceled";
}
