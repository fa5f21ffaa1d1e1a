using Bridgekeeper.Storage;

namespace Bridgekeeper.Tests.Storage;

/// <summary>Builders for audit records with readable defaults.</summary>
internal static class AuditFixtures
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    public static InterceptionStarted Started(Guid userId, DateTimeOffset at, string provider = "openai", string model = "gpt-5",
        string client = "Codex") =>
        new(Guid.CreateVersion7(at), at, userId, provider, provider, model, client, "codex_cli_rs/0.1", null, true, "{}");

    public static TokenUsageRecorded Tokens(Guid interceptionId, DateTimeOffset at, long input, long output, long cacheRead = 0,
        long cacheWrite = 0, long reasoning = 0, decimal? cost = null) =>
        new(interceptionId, at, "resp_1", input, output, cacheRead, cacheWrite, reasoning, "{}", cost);

    public static InterceptionEnded Ended(Guid interceptionId, DateTimeOffset at) =>
        new(interceptionId, at, InterceptionStatus.Completed, null);
}
