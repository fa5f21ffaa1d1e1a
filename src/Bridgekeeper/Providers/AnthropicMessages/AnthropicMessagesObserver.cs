using Bridgekeeper.Streaming;

namespace Bridgekeeper.Providers.AnthropicMessages;

/// <summary>Watches one Messages exchange. Every event is forwarded, <c>ping</c> and <c>error</c> included.</summary>
internal sealed class AnthropicMessagesObserver : IExchangeObserver
{
    private readonly AnthropicMessagesAccumulator _seen = new();
    private bool _streamed;
    private bool _stopped;

    public Relay OnEvent(in SseEvent item)
    {
        _streamed = true;
        _stopped |= item.EventType == Keys.Events.MessageStop;
        if (!item.Data.IsEmpty)
            _seen.ReadEvent(item.EventType, item.Data.Span);
        return Relay.Forward;
    }

    public void OnBody(ReadOnlySpan<byte> body) => _seen.ReadBody(body);

    /// <summary>A stream that ended without <c>message_stop</c> was cut mid-way.</summary>
    public ExchangeSummary Complete() => _seen.Summarize() with { Finished = _stopped || !_streamed };
}
