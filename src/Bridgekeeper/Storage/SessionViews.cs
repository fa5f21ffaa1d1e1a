namespace Bridgekeeper.Storage;

/// <summary>
/// An agent session: the interceptions of one user that carry one session id (SPEC §5, "Client and session"), with
/// their totals. <see cref="Client"/> is the client of its first interception. <see cref="CostUsd"/> follows the usage
/// report: the sum of the priced token rows (0 without token rows, null when it has token rows and none is priced);
/// <see cref="UnpricedInterceptions"/> counts the interceptions whose tokens are in the sums but not in the cost.
/// </summary>
internal sealed record SessionSummary(
    string Id,
    UserRef User,
    string Client,
    DateTimeOffset FirstAt,
    DateTimeOffset LastAt,
    long Interceptions,
    long FailedInterceptions,
    long InputTokens,
    long OutputTokens,
    long CacheReadTokens,
    long CacheWriteTokens,
    long ReasoningTokens,
    decimal? CostUsd,
    long UnpricedInterceptions,
    long ToolCalls,
    long InjectedToolCalls);

/// <summary>A page of sessions, the most recently started first. <see cref="NextCursor"/> is null on the last page.</summary>
internal sealed record SessionPage(IReadOnlyList<SessionSummary> Sessions, string? NextCursor);

/// <summary>
/// One session as a thread (<c>GET /api/v1/sessions/{id}</c>): its totals and a page of its interceptions, oldest
/// first, each with its prompt, the token rows of every upstream turn (the hidden loop's too), its tool calls
/// (injected ones marked, with results) and thoughts.
/// </summary>
internal sealed record SessionThread(SessionSummary Session, IReadOnlyList<InterceptionView> Interceptions, string? NextCursor);
