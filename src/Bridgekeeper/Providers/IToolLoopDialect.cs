using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Bridgekeeper.Streaming;

namespace Bridgekeeper.Providers;

/// <summary>
/// What a dialect adds for injected tools and the hidden loop (<c>Interception/ToolLoop</c> is written once against
/// this): put the tools into the request, and begin each turn's <see cref="ILoopTurn"/>, which watches the turn so the
/// client sees one coherent response and appends the turn's calls and results for the next one.
/// </summary>
internal interface IToolLoopDialect
{
    /// <summary>Most tools a request of this API may carry (OpenAI: 128), or null when unbounded.</summary>
    int? MaxTools { get; }

    /// <summary>Prepends the injected tools, in the given (stable) order, before the client's own.</summary>
    void InjectTools(JsonObject request, IReadOnlyList<ToolDefinition> tools);

    /// <summary>A fresh observer for one turn of the loop; <paramref name="loop"/> is what earlier turns told the client.</summary>
    ILoopTurn BeginTurn(RequestFacts facts, LoopState loop);
}

/// <summary>
/// One turn of the loop: one upstream exchange, seen by its observer, and the state it owns. Events from injected calls
/// never reach the client.
/// </summary>
internal interface ILoopTurn
{
    /// <summary>Called for every upstream event, in order: what the client gets for it.</summary>
    TurnAction OnEvent(in SseEvent item);

    /// <summary>Called once with the whole body of a non-streaming response.</summary>
    void OnBody(ReadOnlySpan<byte> body);

    /// <summary>What the exchange amounted to. Safe to call after a partial stream (cancellation, errors).</summary>
    ExchangeSummary Complete();

    /// <summary>Injected tools the model called in this turn (valid after <see cref="Complete"/>).</summary>
    IReadOnlyList<ToolCall> InjectedCalls { get; }

    /// <summary>True when the turn ended asking only for injected tools: the loop runs them and calls upstream again.</summary>
    bool WantsInjectedTools { get; }

    /// <summary>The closing frames held back during the stream, rewritten for the whole loop (ids, summed usage).</summary>
    IReadOnlyList<ReadOnlyMemory<byte>> FinalFrames();

    /// <summary>For a blocking exchange: the body the client receives, merged over every turn (the upstream's own bytes when one turn).</summary>
    ReadOnlyMemory<byte> FinalBody(ReadOnlyMemory<byte> lastBody);

    /// <summary>
    /// Appends what the model said in this turn and the injected tools' results to <paramref name="request"/>, in the
    /// API's own shape, and returns the state the next turn starts from (usage summed, what the client was shown).
    /// </summary>
    LoopState Continue(JsonObject request, IReadOnlyList<ToolOutcome> outcomes);
}

/// <summary>What the client gets for one upstream event: its own bytes, nothing, or a rewritten frame.</summary>
internal readonly record struct TurnAction(Relay Relay, ReadOnlyMemory<byte> Frame)
{
    public static readonly TurnAction Forward = new(Relay.Forward, default);
    public static readonly TurnAction Suppress = new(Relay.Suppress, default);

    public static TurnAction Replace(ReadOnlyMemory<byte> frame) => new(Relay.Replace, frame);

    public static TurnAction Of(Relay relay) => relay == Relay.Suppress ? Suppress : Forward;
}

/// <summary>A tool the gateway injects, in provider-neutral form.</summary>
internal sealed record ToolDefinition(string Name, string? Description, JsonObject InputSchema);

/// <summary>An injected call and what it produced, to hand back to the model.</summary>
internal sealed record ToolOutcome(ToolCall Call, string Content, bool IsError);

/// <summary>
/// What one turn starts from, immutable: the injected tool names, the turn number, usage summed over finished turns,
/// and what the client has already been shown (first message id, next content index, event sequence, earlier content).
/// Each turn keeps its own changes and hands the next state on (<see cref="ILoopTurn.Continue"/>).
/// </summary>
internal sealed record LoopState(IReadOnlySet<string> Injected)
{
    public int Turn { get; init; } = 1;
    public TokenUsage Total { get; init; } = TokenUsage.Zero;
    public string? FirstId { get; init; }
    public bool StartSent { get; init; }
    public int NextIndex { get; init; }
    public long NextSequence { get; init; }

    /// <summary>Client-visible content of earlier turns, in the dialect's own shape (merged into a blocking final body).</summary>
    public ImmutableList<JsonNode> EarlierContent { get; init; } = [];

    /// <summary>Usage summed over turns; a sum that would overflow stays at <see cref="long.MaxValue"/> (figures are never negative).</summary>
    public static TokenUsage Sum(TokenUsage a, TokenUsage? b) => b is null ? a :
        new(Add(a.Input, b.Input), Add(a.Output, b.Output), Add(a.CacheRead, b.CacheRead), Add(a.CacheWrite, b.CacheWrite), Add(a.Reasoning, b.Reasoning))
        {
            CacheWrite1h = Add(a.CacheWrite1h, b.CacheWrite1h),
            WebSearches = Add(a.WebSearches, b.WebSearches),
            ServiceTier = b.ServiceTier ?? a.ServiceTier,
        };

    private static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}
