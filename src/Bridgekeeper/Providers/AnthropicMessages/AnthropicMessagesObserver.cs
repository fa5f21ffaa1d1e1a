using Bridgekeeper.Streaming;

namespace Bridgekeeper.Providers.AnthropicMessages;

/// <summary>Watches one Messages exchange. Every event is forwarded, <c>ping</c> and <c>error</c> included.</summary>
internal sealed class AnthropicMessagesObserver : IExchangeObserver
{
    private readonly AnthropicMessagesAccumulator _seen = new();

    public Relay OnEvent(in SseEvent item)
    {
        if (!item.Data.IsEmpty)
            _seen.ReadEvent(item.EventType, item.Data.Span);
        return Relay.Forward;
    }

    public void OnBody(ReadOnlySpan<byte> body) => _seen.ReadBody(body);

    public ExchangeSummary Complete() => _seen.Summarize();
}
