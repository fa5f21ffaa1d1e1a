using Bridgekeeper.Streaming;

namespace Bridgekeeper.Providers.OpenAIResponses;

/// <summary>Watches one Responses exchange. Every event is forwarded, <c>error</c> included.</summary>
internal sealed class OpenAIResponsesObserver : IExchangeObserver
{
    private readonly OpenAIResponsesAccumulator _seen = new();
    private bool _streamed;

    public Relay OnEvent(in SseEvent item)
    {
        _streamed = true;
        if (!item.Data.IsEmpty)
            _seen.ReadEvent(item.EventType, item.Data.Span);
        return Relay.Forward;
    }

    public void OnBody(ReadOnlySpan<byte> body) => _seen.ReadBody(body);

    /// <summary>A stream that ended without <c>response.completed</c>, <c>.incomplete</c> or <c>.failed</c> was cut mid-way.</summary>
    public ExchangeSummary Complete() => _seen.Summarize() with { Finished = _seen.Ended || !_streamed };
}
