using System.Text.Json.Nodes;
using Bridgekeeper.Streaming;

namespace Bridgekeeper.Providers;

/// <summary>
/// What every API's loop turn owns: the state it started from and its own changes to what the client has been shown
/// (the first id, the next content index and event sequence, whether the opening went out, the content later turns
/// merge), its summary and the injected calls it made. It hands the next state on from <see cref="Continue"/>, so
/// nothing is shared or mutated between turns. Each API adds how it watches events and bodies and how it writes the
/// calls and results back.
/// </summary>
internal abstract class LoopTurn(LoopState loop) : ILoopTurn
{
    protected LoopState Loop { get; } = loop;
    protected string? FirstId { get; set; } = loop.FirstId;
    protected int NextIndex { get; set; } = loop.NextIndex;
    protected long NextSequence { get; set; } = loop.NextSequence;
    protected bool StartSent { get; set; } = loop.StartSent;

    /// <summary>This turn's client-visible content, for the next turns' <see cref="LoopState.EarlierContent"/>.</summary>
    protected List<JsonNode> Earlier { get; } = [];

    /// <summary>What the turn amounted to, once <see cref="Complete"/> ran.</summary>
    protected ExchangeSummary? Summary { get; private set; }

    /// <summary>Usage summed over the earlier turns and this one.</summary>
    protected TokenUsage Total => LoopState.Sum(Loop.Total, Summary?.Usage);

    public IReadOnlyList<ToolCall> InjectedCalls { get; private set; } = [];
    public bool WantsInjectedTools { get; private set; }

    public abstract TurnAction OnEvent(in SseEvent item);

    public abstract void OnBody(ReadOnlySpan<byte> body);

    public abstract IReadOnlyList<ReadOnlyMemory<byte>> FinalFrames();

    public abstract ReadOnlyMemory<byte> FinalBody(ReadOnlyMemory<byte> lastBody);

    public ExchangeSummary Complete()
    {
        var summary = Summary = Observed();
        InjectedCalls = [.. summary.ToolCalls.Where(call => Loop.Injected.Contains(call.Name))];
        WantsInjectedTools = InjectedCalls.Count > 0 && AskedOnlyForInjectedTools(summary);
        return summary;
    }

    public LoopState Continue(JsonObject request, IReadOnlyList<ToolOutcome> outcomes)
    {
        AppendToolResults(request, outcomes);
        return Loop with
        {
            Turn = Loop.Turn + 1, Total = Total, FirstId = FirstId, StartSent = StartSent, NextIndex = NextIndex, NextSequence = NextSequence,
            EarlierContent = Loop.EarlierContent.AddRange(Earlier),
        };
    }

    /// <summary>The observer's summary of the exchange.</summary>
    protected abstract ExchangeSummary Observed();

    /// <summary>Whether the turn finished asking for tools (the API's own stop reason) and called no client tool.</summary>
    protected abstract bool AskedOnlyForInjectedTools(ExchangeSummary summary);

    /// <summary>Appends what the model said this turn and the injected tools' results to the request, in the API's shape.</summary>
    protected abstract void AppendToolResults(JsonObject request, IReadOnlyList<ToolOutcome> outcomes);

    protected bool IsInjected(string? name) => name is not null && Loop.Injected.Contains(name);
}
