using System.Text.Json;

namespace Bridgekeeper.Storage;

/// <summary>One interception with its children, as the REST API and the CLI show it (SPEC §5).</summary>
internal sealed record InterceptionView(
    Guid Id,
    UserRef User,
    string Provider,
    string ProviderType,
    string Model,
    string Client,
    string? UserAgent,
    string? SessionId,
    bool Streaming,
    string Status,
    string? Error,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    JsonElement Metadata,
    IReadOnlyList<PromptView> Prompts,
    IReadOnlyList<TokenUsageView> TokenUsages,
    IReadOnlyList<ToolUsageView> ToolUsages,
    IReadOnlyList<ThoughtView> Thoughts,
    decimal? CostUsd);

/// <summary>The owner of an interception. The name is null only if the user row no longer exists.</summary>
internal sealed record UserRef(Guid Id, string? Name);

internal sealed record PromptView(string Prompt, DateTimeOffset CreatedAt);

internal sealed record TokenUsageView(
    string? ResponseId,
    long InputTokens,
    long OutputTokens,
    long CacheReadTokens,
    long CacheWriteTokens,
    long ReasoningTokens,
    JsonElement Extra,
    DateTimeOffset CreatedAt);

/// <summary>A tool call. <see cref="Input"/> is the arguments as JSON text, kept verbatim.</summary>
internal sealed record ToolUsageView(
    string Tool,
    string? ToolCallId,
    string Input,
    bool Injected,
    string? ServerUrl,
    string? Result,
    string? Error,
    long? DurationMs,
    DateTimeOffset CreatedAt);

internal sealed record ThoughtView(string Content, string Source, DateTimeOffset CreatedAt);

/// <summary>A page of interceptions, newest first. <see cref="NextCursor"/> is null on the last page.</summary>
internal sealed record InterceptionPage(IReadOnlyList<InterceptionView> Interceptions, string? NextCursor);

/// <summary>One group of the usage report. <see cref="CostUsd"/> stays null until pricing exists.</summary>
internal sealed record UsageRow(
    string Key,
    long Interceptions,
    long InputTokens,
    long OutputTokens,
    long CacheReadTokens,
    long CacheWriteTokens,
    long ReasoningTokens,
    decimal? CostUsd);
