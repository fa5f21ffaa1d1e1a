using Bridgekeeper.Streaming;

namespace Bridgekeeper.Providers;

/// <summary>An exchange with nothing injected, seen as a loop of one turn: every event and the body go out as they came.</summary>
internal sealed class SingleTurn(IExchangeObserver observer) : ILoopTurn
{
    public ReadOnlyMemory<byte> Replacement => ReadOnlyMemory<byte>.Empty;
    public IReadOnlyList<ToolCall> InjectedCalls => [];
    public bool WantsInjectedTools => false;

    public Relay OnEvent(in SseEvent item) => observer.OnEvent(item);

    public void OnBody(ReadOnlySpan<byte> body) => observer.OnBody(body);

    public ExchangeSummary Complete() => observer.Complete();

    public IReadOnlyList<ReadOnlyMemory<byte>> FinalFrames() => [];

    public ReadOnlyMemory<byte> FinalBody(ReadOnlyMemory<byte> lastBody) => lastBody;
}
