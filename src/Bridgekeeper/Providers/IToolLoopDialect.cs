using System.Text.Json.Nodes;
using Bridgekeeper.Streaming;

namespace Bridgekeeper.Providers;

/// <summary>
/// What a dialect adds for injected tools and the hidden loop (<c>Interception/ToolLoop</c> is written once against this):
/// put the tools into the request, watch each turn so the client sees one coherent response, and append the calls and
/// their results in the API's own shape for the next turn.
/// </summary>
internal interface IToolLoopDialect
{
    /// <summary>Most tools a request of this API may carry (OpenAI: 128), or null when unbounded.</summary>
    int? MaxTools { get; }

    /// <summary>Prepends the injected tools, in the given (stable) order, before the client's own.</summary>
    void InjectTools(JsonObject request, IReadOnlyList<ToolDefinition> tools);

    /// <summary>A fresh observer for one turn of the loop; <paramref name="loop"/> carries what earlier turns told the client.</summary>
    ILoopTurn BeginTurn(RequestFacts facts, LoopState loop);

    /// <summary>Appends what the model said in <paramref name="turn"/> and the injected tools' results, for the next turn.</summary>
    void AppendToolResults(JsonObject request, ILoopTurn turn, IReadOnlyList<ToolOutcome> outcomes);
}

/// <summary>One turn of the loop, seen by its observer. Events from injected calls never reach the client.</summary>
internal interface ILoopTurn : IExchangeObserver
{
    /// <summary>The replacement bytes of the last event for which <see cref="IExchangeObserver.OnEvent"/> returned <see cref="Relay.Replace"/>.</summary>
    ReadOnlyMemory<byte> Replacement { get; }

    /// <summary>Injected tools the model called in this turn (valid after <see cref="IExchangeObserver.Complete"/>).</summary>
    IReadOnlyList<ToolCall> InjectedCalls { get; }

    /// <summary>True when the turn ended asking only for injected tools: the loop runs them and calls upstream again.</summary>
    bool WantsInjectedTools { get; }

    /// <summary>The closing frames held back during the stream, rewritten for the whole loop (ids, summed usage).</summary>
    IReadOnlyList<ReadOnlyMemory<byte>> FinalFrames();

    /// <summary>For a blocking exchange: the body the client receives, merged over every turn (the upstream's own bytes when one turn).</summary>
    ReadOnlyMemory<byte> FinalBody(ReadOnlyMemory<byte> lastBody);
}

/// <summary>A tool the gateway injects, in provider-neutral form.</summary>
internal sealed record ToolDefinition(string Name, string? Description, JsonObject InputSchema);

/// <summary>An injected call and what it produced, to hand back to the model.</summary>
internal sealed record ToolOutcome(ToolCall Call, string Content, bool IsError);

/// <summary>
/// What the turns of one interception share: the injected tool names, usage summed over finished turns, and what the
/// client has already been shown (first message id, next content index, event sequence, earlier content).
/// </summary>
internal sealed class LoopState(IReadOnlySet<string> injected)
{
    public IReadOnlySet<string> Injected { get; } = injected;
    public int Turn { get; set; } = 1;
    public TokenUsage Total { get; set; } = TokenUsage.Zero;
    public string? FirstId { get; set; }
    public bool StartSent { get; set; }
    public int NextIndex { get; set; }
    public long NextSequence { get; set; }

    /// <summary>Client-visible content of earlier turns, in the dialect's own shape (merged into a blocking final body).</summary>
    public JsonArray EarlierContent { get; } = [];

    /// <summary>Usage summed over turns; a sum that would overflow stays at <see cref="long.MaxValue"/> (figures are never negative).</summary>
    public static TokenUsage Sum(TokenUsage a, TokenUsage? b) => b is null ? a :
        new(Add(a.Input, b.Input), Add(a.Output, b.Output), Add(a.CacheRead, b.CacheRead), Add(a.CacheWrite, b.CacheWrite), Add(a.Reasoning, b.Reasoning));

    private static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}
