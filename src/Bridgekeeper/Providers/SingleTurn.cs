using System.Text.Json.Nodes;
using Bridgekeeper.Streaming;

namespace Bridgekeeper.Providers;

/// <summary>An exchange with nothing injected, seen as a loop of one turn: every event and the body go out as they came.</summary>
internal sealed class SingleTurn(IExchangeObserver observer) : ILoopTurn
{
    public IReadOnlyList<ToolCall> InjectedCalls => [];
    public bool WantsInjectedTools => false;

    public TurnAction OnEvent(in SseEvent item) => TurnAction.Of(observer.OnEvent(item));

    public void OnBody(ReadOnlySpan<byte> body) => observer.OnBody(body);

    public ExchangeSummary Complete() => observer.Complete();

    public IReadOnlyList<ReadOnlyMemory<byte>> FinalFrames() => [];

    public ReadOnlyMemory<byte> FinalBody(ReadOnlyMemory<byte> lastBody) => lastBody;

    public LoopState Continue(JsonObject request, IReadOnlyList<ToolOutcome> outcomes) =>
        throw new InvalidOperationException("A single turn never continues: nothing was injected.");
}
