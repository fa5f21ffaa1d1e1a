using System.Text.Json;

namespace Bridgekeeper.Storage;

/// <summary>
/// One interception with its children, as the REST API and the CLI show it (SPEC §5). <see cref="CostUsd"/> is the
/// sum of its token usages' costs; null when it has none or any of them is unpriced.
/// </summary>
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

/// <summary>One token-usage row; <see cref="CostUsd"/> was priced when it was recorded, null when unpriced.</summary>
internal sealed record TokenUsageView(
    string? ResponseId,
    long InputTokens,
    long OutputTokens,
    long CacheReadTokens,
    long CacheWriteTokens,
    long ReasoningTokens,
    JsonElement Extra,
    decimal? CostUsd,
    DateTimeOffset CreatedAt,
    [property: System.Text.Json.Serialization.JsonPropertyName("cache_write_1h_tokens")] long CacheWrite1hTokens = 0,
    long WebSearchRequests = 0);

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

/// <summary>The rows of a page of interceptions, children still empty, newest first; <see cref="More"/> when rows follow them.</summary>
internal sealed record InterceptionRows(IReadOnlyList<InterceptionView> Rows, bool More);

/// <summary>A page of interceptions, newest first. <see cref="NextCursor"/> is null on the last page.</summary>
internal sealed record InterceptionPage(IReadOnlyList<InterceptionView> Interceptions, string? NextCursor);

/// <summary>
/// One group of the usage report. <see cref="CostUsd"/> sums the priced token rows (0 when the group has no token rows;
/// null when it has token rows and none is priced). <see cref="UnpricedInterceptions"/> counts interceptions with at
/// least one unpriced token row, whose tokens are in the sums but not in the cost.
/// </summary>
internal sealed record UsageRow(
    string Key,
    long Interceptions,
    long InputTokens,
    long OutputTokens,
    long CacheReadTokens,
    long CacheWriteTokens,
    long ReasoningTokens,
    decimal? CostUsd,
    long UnpricedInterceptions = 0);

/// <summary>
/// The dashboard's summary of a range (<c>GET /api/v1/usage/summary</c>): the usage rows by time (day or hour),
/// provider, model, client and user, each ordered by key, all from one pass.
/// </summary>
internal sealed record UsageSummary(IReadOnlyList<UsageRow> ByTime, IReadOnlyList<UsageRow> ByProvider, IReadOnlyList<UsageRow> ByModel,
    IReadOnlyList<UsageRow> ByClient, IReadOnlyList<UsageRow> ByUser);
